import { readFileSync } from 'node:fs';

/** Mount points listed in a /proc/PID/mountinfo text (octal escapes such as \040 decoded). */
export function parseMountinfo(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const field = line.split(' ')[4];
    if (field === undefined) continue;
    out.push(field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
  }
  return out;
}

/** Mount points at or under `dir`, deepest first. */
export function mountsUnder(dir: string, mountinfo: string = readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  const d = dir.replace(/\/+$/, '');
  return parseMountinfo(mountinfo).filter((m) => m === d || m.startsWith(`${d}/`)).sort().reverse();
}
