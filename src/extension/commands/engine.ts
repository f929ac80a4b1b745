import type Dockerode from 'dockerode';
import * as vscode from 'vscode';
import { parseTagName } from '../../core/kernel/imageRef';
import { dockerHostSetting } from './buildSettings';
import type { EngineModule } from './engineModule';

/**
 * The engine at `ownbase.docker.host` (else DOCKER_HOST, else the default socket), checked: rejects
 * with "Docker engine not reachable at …: start dockerd or set ownbase.docker.host".
 */
export async function reachableEngine(engine: EngineModule, scope?: vscode.ConfigurationScope): Promise<Dockerode> {
  const docker = engine.connectEngine(dockerHostSetting(scope));
  await engine.assertEngineReachable(docker);
  return docker;
}

export interface ContainerChoice { readonly id: string; readonly name: string }

const containerName = (c: Dockerode.ContainerInfo): string => (c.Names[0] ?? c.Id.slice(0, 12)).replace(/^\//, '');

/** The user picks a container (running or not); undefined when dismissed. */
export async function pickContainer(engine: EngineModule, docker: Dockerode, placeHolder: string): Promise<ContainerChoice | undefined> {
  let list: Dockerode.ContainerInfo[];
  try {
    list = await docker.listContainers({ all: true });
  } catch (err) {
    throw engine.explainEngineError(docker, err, 'Listing containers');
  }
  if (list.length === 0) throw new Error('The Docker engine has no containers: create one (docker create IMAGE) to export or commit it');
  const picked = await vscode.window.showQuickPick(
    list.map((c) => ({
      label: containerName(c), description: `${c.Image} · ${c.State}`, detail: `${c.Id.slice(0, 12)} ${c.Command}`,
      choice: { id: c.Id, name: containerName(c) },
    })),
    { placeHolder, matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.choice;
}

/** A container given by id or name, as the engine knows it. */
export async function findContainer(engine: EngineModule, docker: Dockerode, idOrName: string): Promise<ContainerChoice> {
  try {
    const info = await docker.getContainer(idOrName).inspect();
    return { id: info.Id, name: info.Name.replace(/^\//, '') };
  } catch (err) {
    throw engine.explainEngineError(docker, err, `Finding container ${idOrName}`);
  }
}

/** An image name checked as the engine will check it: undefined when valid, else what is wrong. */
export function imageNameProblem(name: string): string | undefined {
  try { parseTagName(name); return undefined; } catch (e) { return (e as Error).message; }
}

export async function askImageName(prompt: string, value: string, validate: (name: string) => string | undefined): Promise<string | undefined> {
  return vscode.window.showInputBox({ prompt, value, validateInput: (v) => validate(v.trim()) ?? null });
}
