import { basename } from 'node:path';

export type FileKind = 'dockerfile' | 'recipe' | 'shell';

const RECIPE = /\.ownbase\.ya?ml$/i;
const DOCKERFILE = /^(?:Dockerfile|Containerfile)(?:\..+)?$|\.(?:Dockerfile|Containerfile)$/i;
const SHELL = /\.(?:sh|bash)$/i;

/** What a file is by its name, as `ownbase lint` finds them under a folder. */
export function kindByName(path: string): FileKind | undefined {
  const name = basename(path);
  if (RECIPE.test(name)) return 'recipe';
  if (DOCKERFILE.test(name)) return 'dockerfile';
  if (SHELL.test(name)) return 'shell';
  return undefined;
}

/** What a file is by its content, for a file named directly whose name says nothing. */
export function kindByContent(text: string): FileKind | undefined {
  const head = text.slice(0, 4096);
  if (/^#!.*\b(?:ba|da|k|z)?sh\b/.test(head)) return 'shell';
  const firstInstruction = head.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
  if (firstInstruction && /^(?:FROM|ARG)\s/i.test(firstInstruction)) return 'dockerfile';
  if (/^image\s*:/m.test(head) && /^distro\s*:/m.test(head)) return 'recipe';
  return undefined;
}
