import * as vscode from 'vscode';
import type { CommandContext } from './context';
import { askImageName, findContainer, imageNameProblem, pickContainer, reachableEngine } from './engine';
import { refuseUntrusted, reportFailure, type Failure, type Refusal } from './outcome';

/** The instructions `docker commit --change` accepts. */
const CHANGE = /^(CMD|ENTRYPOINT|ENV|EXPOSE|LABEL|ONBUILD|STOPSIGNAL|USER|VOLUME|WORKDIR)\s+\S/i;

export function changeProblem(line: string): string | undefined {
  return CHANGE.test(line.trim()) ? undefined
    : 'A --change is one Dockerfile instruction: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME or WORKDIR, with its value';
}

/** Asks for `--change` lines one at a time; an empty line ends. undefined when dismissed. */
async function askChanges(): Promise<string[] | undefined> {
  const changes: string[] = [];
  for (;;) {
    const line = await vscode.window.showInputBox({
      title: `--change ${changes.length + 1}${changes.length > 0 ? ` (so far: ${changes.join(' | ')})` : ''}`,
      prompt: 'A Dockerfile instruction applied while committing, e.g. CMD ["/bin/bash"] or ENV LANG=C.UTF-8. Leave empty to commit.',
      validateInput: (v) => (v.trim() === '' ? null : changeProblem(v) ?? null),
    });
    if (line === undefined) return undefined;
    if (line.trim() === '') return changes;
    changes.push(line.trim());
  }
}

/** `docker commit` of a container with `--change` lines. */
export async function commitContainerCommand(ctx: CommandContext, container?: string, tag?: string, changes?: readonly string[]): Promise<{ id: string; tag: string } | Refusal | Failure | undefined> {
  const refused = refuseUntrusted('Commit Container');
  if (refused) return refused;
  return reportFailure(ctx.services.log, 'commit container', async () => {
    const engine = ctx.engine();
    const docker = await reachableEngine(engine);
    const chosen = container !== undefined ? await findContainer(engine, docker, container) : await pickContainer(engine, docker, 'Commit which container?');
    if (!chosen) return undefined;
    const name = tag ?? await askImageName(`Image name for the commit of ${chosen.name}`, `owned/${chosen.name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-')}:latest`, imageNameProblem);
    if (name === undefined) return undefined;
    const problem = imageNameProblem(name);
    if (problem) throw new Error(problem);
    const lines = changes ? [...changes] : await askChanges();
    if (lines === undefined) return undefined;
    for (const l of lines) {
      const why = changeProblem(l);
      if (why) throw new Error(`--change ${JSON.stringify(l)}: ${why}`);
    }
    const result = await engine.commitContainer(docker, chosen.id, { tag: name, changes: lines.map((l) => l.trim()) });
    void vscode.window.showInformationMessage(`ownbase: committed ${chosen.name} as ${result.tag}${lines.length ? ` with ${lines.length} --change` : ''}`);
    return result;
  });
}
