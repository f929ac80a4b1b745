import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One `deb` source of the host's apt configuration. */
export interface AptSource {
  readonly uri: string;
  readonly suites: readonly string[];
  readonly components: readonly string[];
}

/** Reads the sources of a `.list` file (one-line format); `deb-src` and comments are skipped. */
export function parseOneLineSources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    out.push({ uri: m[1]!, suites: [m[2]!], components: m[3]!.split(/\s+/).filter(Boolean) });
  }
  return out;
}

/** Reads the sources of a `.sources` file (deb822): stanzas with Types, URIs, Suites, Components, Enabled. */
export function parseDeb822Sources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#')) continue;
      if (/^\s/.test(line) && last) { fields.set(last, `${fields.get(last)} ${line.trim()}`); continue; }
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (!m) continue;
      last = m[1]!.toLowerCase();
      fields.set(last, m[2]!.trim());
    }
    const words = (k: string): string[] => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
    if (!words('types').includes('deb') || /^(no|false)$/i.test(fields.get('enabled') ?? '')) continue;
    for (const uri of words('uris')) out.push({ uri, suites: words('suites'), components: words('components') });
  }
  return out;
}

/** What /etc/os-release says about the host. */
export interface HostRelease { readonly id: string; readonly codename?: string }

export function parseOsRelease(text: string): HostRelease {
  const get = (k: string): string | undefined => {
    const m = new RegExp(`^${k}=(.*)$`, 'm').exec(text);
    return m ? m[1]!.trim().replace(/^(["'])(.*)\1$/, '$2') : undefined;
  };
  const codename = get('VERSION_CODENAME');
  return { id: get('ID') ?? '', ...(codename ? { codename } : {}) };
}

/**
 * The mirror of `distro` the host's apt already uses, or undefined (then the bootstrap tool's own
 * default applies). Only a host of the same distribution knows one: its sources that serve the
 * host's own codename with the `main` component are the distribution's archive; third-party
 * repositories name other suites or components.
 */
export function mirrorFromSources(sources: readonly AptSource[], host: HostRelease, distro: string): string | undefined {
  if (host.id !== distro || !host.codename) return undefined;
  const hit = sources.find((s) => s.suites.includes(host.codename!) && s.components.includes('main') && /^(https?|file|ftp):\/\//.test(s.uri));
  return hit?.uri;
}

/** Reads /etc/apt/sources.list, /etc/apt/sources.list.d/*.list and *.sources, and /etc/os-release. */
export function hostMirror(distro: string, etc = '/etc'): string | undefined {
  const read = (p: string): string => { try { return readFileSync(p, 'utf8'); } catch { return ''; } };
  const sources = parseOneLineSources(read(join(etc, 'apt/sources.list')));
  let names: string[] = [];
  try { names = readdirSync(join(etc, 'apt/sources.list.d')).sort(); } catch { /* none */ }
  for (const n of names) {
    const text = read(join(etc, 'apt/sources.list.d', n));
    if (n.endsWith('.list')) sources.push(...parseOneLineSources(text));
    else if (n.endsWith('.sources')) sources.push(...parseDeb822Sources(text));
  }
  return mirrorFromSources(sources, parseOsRelease(read(join(etc, 'os-release'))), distro);
}
