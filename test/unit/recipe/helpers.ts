import type { Diagnostic, Range, TextEdit } from '../../../src/core/kernel/diagnostic';
import type { HostProbe } from '../../../src/core/recipe/host';
import { LineIndex } from '../../../src/core/kernel/text';

/** Applies non-overlapping edits to a text, as an editor would. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = new LineIndex(text);
  const spans = edits.map((e) => ({ start: lines.offsetAt(e.range.start), end: lines.offsetAt(e.range.end), text: e.newText }))
    .sort((a, b) => b.start - a.start);
  let out = text;
  let limit = Infinity;
  for (const s of spans) {
    if (s.end > limit) throw new Error('overlapping edits');
    out = out.slice(0, s.start) + s.text + out.slice(s.end);
    limit = s.start;
  }
  return out;
}

/** The text after applying a diagnostic's first fix (index `fix`). */
export function applyFix(text: string, d: Diagnostic | undefined, fix = 0): string {
  const f = d?.fixes?.[fix];
  if (!f) throw new Error(`no fix ${fix} on ${d?.code ?? 'missing diagnostic'}`);
  return applyEdits(text, f.changes.flatMap((c) => c.edits ?? []));
}

export const r = (sl: number, sc: number, el: number, ec: number): Range => ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });

export function fakeHost(o: { arch?: string; binaries?: string[]; binfmt?: string[]; mounted?: boolean } = {}): HostProbe {
  const files = new Set([...(o.binaries ?? []), ...(o.mounted === false ? [] : ['/proc/sys/fs/binfmt_misc/register'])]);
  return {
    hostArch: () => o.arch ?? 'amd64',
    binfmtRegistered: (q) => (o.binfmt ?? []).includes(q),
    fileExists: (p) => files.has(p),
  };
}

/** A valid recipe: DESIGN.md's example with a placeholder mirror. */
export const VALID = `image: owned/focal:20.04           # what \`docker import\` tags
distro: ubuntu                      # debian | ubuntu
suite: focal
arch: amd64                         # another arch means --foreign + qemu-user-static
variant: minbase
mirror: http://mirror.example/ubuntu/
components: [main, restricted, universe, multiverse]
packages: [ca-certificates]         # installed in the chroot after the bootstrap
remove: [/usr/share/doc/*, /usr/share/man/*, /var/lib/apt/lists/*, /var/cache/apt/*]
config:                             # applied at import (docker import --change)
  cmd: ["/bin/bash"]
  env: { LANG: C.UTF-8 }
  expose: [2222]
`;
