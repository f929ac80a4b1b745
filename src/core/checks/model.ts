import type { PathSegment } from '../recipe/path';
import type { Recipe, Verify, VerifyCommand, VerifyFile } from '../recipe/types';

/**
 * The check model: a recipe's `verify:` section as a list of checks, each with a stable id and the recipe field it
 * comes from (for a location in the editor). Drivers (engine.ts, rootfs.ts) run them through run.ts.
 */

export type BuiltinName = 'apt' | 'loader' | 'setuid' | 'scanners';

export const BUILTINS: readonly { readonly name: BuiltinName; readonly title: string; readonly why: string }[] = [
  { name: 'apt', title: 'the package manager works',
    why: 'apt-get --version runs and dpkg --audit reports nothing: a base whose apt is broken cannot be patched' },
  { name: 'loader', title: 'every ELF file under /usr/bin and /usr/lib resolves its libraries',
    why: 'a library removed from the image breaks the programs that need it only when they run' },
  { name: 'setuid', title: 'no setuid or setgid file beyond the installed packages\'',
    why: 'a setuid file that no package ships is a privilege escalation added outside the package manager' },
  { name: 'scanners', title: '/etc/os-release and the dpkg status are present',
    why: 'vulnerability scanners read them to know the distribution and its packages; without them a scan finds nothing' },
];

interface CheckBase {
  /** Stable within a recipe: `builtins.apt`, `commands[0]`, `files[2]`, `metadata.env`, `size.max`. */
  readonly id: string;
  readonly title: string;
  /** The recipe field it comes from (`verify.commands[0]`); a default builtin points at `verify` or the document. */
  readonly path: readonly PathSegment[];
}

export type Check =
  | CheckBase & { readonly kind: 'builtin'; readonly builtin: BuiltinName; readonly why: string }
  | CheckBase & { readonly kind: 'command'; readonly command: VerifyCommand }
  | CheckBase & { readonly kind: 'file'; readonly file: VerifyFile }
  | CheckBase & { readonly kind: 'metadata'; readonly field: keyof NonNullable<Verify['metadata']>; readonly expected: unknown }
  | CheckBase & { readonly kind: 'size'; readonly field: 'max' | 'maxCompressed'; readonly limit: number | string };

export type CheckKind = Check['kind'];

const title = (s: string): string => (s.length > 80 ? `${s.slice(0, 77)}…` : s);

/** The checks of a recipe (its builtins that are on, then its commands, files, metadata and size), in that order. */
export function checksOf(recipe: Pick<Recipe, 'verify'>): Check[] {
  const v = recipe.verify ?? {};
  const out: Check[] = [];
  for (const b of BUILTINS) {
    if (v.builtins?.[b.name] === false) continue;
    const path = v.builtins?.[b.name] !== undefined ? ['verify', 'builtins', b.name]
      : v.builtins ? ['verify', 'builtins'] : recipe.verify ? ['verify'] : [];
    out.push({ kind: 'builtin', id: `builtins.${b.name}`, title: `builtin: ${b.title}`, path, builtin: b.name, why: b.why });
  }
  (v.commands ?? []).forEach((command, i) => out.push({
    kind: 'command', id: `commands[${i}]`, path: ['verify', 'commands', i], command,
    title: title(command.name ?? `command: ${command.argv.join(' ')}`),
  }));
  (v.files ?? []).forEach((file, i) => out.push({
    kind: 'file', id: `files[${i}]`, path: ['verify', 'files', i], file,
    title: title(`file: ${file.path} ${file.exists === false ? 'absent' : 'present'}`),
  }));
  for (const [field, expected] of Object.entries(v.metadata ?? {}) as [keyof NonNullable<Verify['metadata']>, unknown][]) {
    out.push({ kind: 'metadata', id: `metadata.${field}`, path: ['verify', 'metadata', field], field, expected, title: `metadata: ${field}` });
  }
  for (const field of ['max', 'maxCompressed'] as const) {
    const limit = v.size?.[field];
    if (limit === undefined) continue;
    out.push({ kind: 'size', id: `size.${field}`, path: ['verify', 'size', field], field, limit,
      title: `size: ${field === 'max' ? 'at most' : 'compressed at most'} ${String(limit)}` });
  }
  return out;
}
