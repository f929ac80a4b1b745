import type Dockerode from 'dockerode';
import * as vscode from 'vscode';
import { assertEngineReachable, connectEngine, explainEngineError } from '../../core/engine/connect';
import { dockerHostSetting } from './buildSettings';

/**
 * The engine at `ownbase.docker.host` (else DOCKER_HOST, else the default socket), checked: rejects
 * with "Docker engine not reachable at …: start dockerd or set ownbase.docker.host".
 */
export async function reachableEngine(scope?: vscode.ConfigurationScope): Promise<Dockerode> {
  const docker = connectEngine(dockerHostSetting(scope));
  await assertEngineReachable(docker);
  return docker;
}

export interface ContainerChoice { readonly id: string; readonly name: string }

/** The user picks a container (running or not); undefined when dismissed. */
export async function pickContainer(docker: Dockerode, placeHolder: string): Promise<ContainerChoice | undefined> {
  let list: Dockerode.ContainerInfo[];
  try {
    list = await docker.listContainers({ all: true });
  } catch (err) {
    throw explainEngineError(docker, err, 'Listing containers');
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

const containerName = (c: Dockerode.ContainerInfo): string => (c.Names[0] ?? c.Id.slice(0, 12)).replace(/^\//, '');

/** A container given by id or name, as the engine knows it. */
export async function findContainer(docker: Dockerode, idOrName: string): Promise<ContainerChoice> {
  try {
    const info = await docker.getContainer(idOrName).inspect();
    return { id: info.Id, name: info.Name.replace(/^\//, '') };
  } catch (err) {
    throw explainEngineError(docker, err, `Finding container ${idOrName}`);
  }
}

/** An image name typed by the user, checked as the engine will check it. */
export async function askImageName(prompt: string, value: string, validate: (name: string) => string | undefined): Promise<string | undefined> {
  return vscode.window.showInputBox({ prompt, value, validateInput: (v) => validate(v.trim()) ?? null });
}
