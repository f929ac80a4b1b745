import type { FsTree } from './tree';

/** The fields of `/etc/os-release` the SBOM uses. */
export interface OsRelease {
  readonly id: string;
  readonly versionId?: string;
  readonly versionCodename?: string;
  readonly prettyName?: string;
}

/** Parses os-release text (`KEY=value`, values optionally quoted). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2]!.trim();
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0]!)) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    out[m[1]!] = v;
  }
  return out;
}

/** The tree's `/etc/os-release` (else `/usr/lib/os-release`), or undefined. */
export function readOsRelease(tree: FsTree): OsRelease | undefined {
  const b = tree.read('etc/os-release') ?? tree.read('usr/lib/os-release');
  if (!b) return undefined;
  const f = parseOsRelease(b.toString('utf8'));
  if (!f['ID']) return undefined;
  return {
    id: f['ID'],
    ...(f['VERSION_ID'] ? { versionId: f['VERSION_ID'] } : {}),
    ...(f['VERSION_CODENAME'] ? { versionCodename: f['VERSION_CODENAME'] } : {}),
    ...(f['PRETTY_NAME'] ? { prettyName: f['PRETTY_NAME'] } : {}),
  };
}
