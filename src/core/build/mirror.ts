import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolDefaults } from '../recipe/host';
import { findSuite } from '../recipe/suites';

export type { ToolDefaults } from '../recipe/host';

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

/**
 * The security archive of `distro` the host's apt already uses, or undefined. Like mirrorFromSources,
 * only a host of the same distribution knows one: the source that serves its codename's security
 * suite (`CODENAME-security`, or `CODENAME/updates` up to Debian 10).
 */
export function securityMirrorFromSources(sources: readonly AptSource[], host: HostRelease, distro: string): string | undefined {
  if (host.id !== distro || !host.codename) return undefined;
  const wanted = [`${host.codename}-security`, `${host.codename}/updates`];
  const hit = sources.find((s) => s.suites.some((x) => wanted.includes(x)) && /^(https?|file|ftp):\/\//.test(s.uri));
  return hit?.uri;
}

/** The host's apt sources: /etc/apt/sources.list, sources.list.d/*.list and *.sources; and /etc/os-release. */
export function readHostSources(etc = '/etc'): { sources: AptSource[]; release: HostRelease } {
  const read = (p: string): string => { try { return readFileSync(p, 'utf8'); } catch { return ''; } };
  const sources = parseOneLineSources(read(join(etc, 'apt/sources.list')));
  let names: string[] = [];
  try { names = readdirSync(join(etc, 'apt/sources.list.d')).sort(); } catch { /* none */ }
  for (const n of names) {
    const text = read(join(etc, 'apt/sources.list.d', n));
    if (n.endsWith('.list')) sources.push(...parseOneLineSources(text));
    else if (n.endsWith('.sources')) sources.push(...parseDeb822Sources(text));
  }
  return { sources, release: parseOsRelease(read(join(etc, 'os-release'))) };
}

/** Reads /etc/apt/sources.list, /etc/apt/sources.list.d/*.list and *.sources, and /etc/os-release. */
export function hostMirror(distro: string, etc = '/etc'): string | undefined {
  const { sources, release } = readHostSources(etc);
  return mirrorFromSources(sources, release, distro);
}

/** The security archive the host's apt uses for `distro` (see securityMirrorFromSources). */
export function hostSecurityMirror(distro: string, etc = '/etc'): string | undefined {
  const { sources, release } = readHostSources(etc);
  return securityMirrorFromSources(sources, release, distro);
}

/**
 * The URL of a snapshot-style archive at one time: such an archive serves every point in time as a complete
 * archive (`dists/`, `pool/`) under `BASE/<YYYYMMDDTHHMMSSZ>/`, so the snapshot is appended to the base the
 * recipe (or this machine) names as its mirror. See ARCHITECTURE.md on the recipe's `snapshot:`.
 */
export function snapshotUrl(base: string, snapshot: string): string {
  return `${base.replace(/\/+$/u, '')}/${snapshot}/`;
}

/**
 * A URL only this machine can reach: a loopback or unspecified address (a local caching proxy).
 * Such a mirror may serve the build, but never goes into an image's apt sources.
 */
export function isLocalOnlyUrl(url: string): boolean {
  let host: string;
  try { host = new URL(url).hostname.toLowerCase(); } catch { return false; }
  host = host.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host === '0.0.0.0' || host === '::';
}

/** The archive and security archive a bootstrap tool falls back to; each undefined when it knows none. */

const URL_OK = /^(https?|ftp):\/\/[^\s'"\\]+$/;
const X86 = ['amd64', 'i386'];

/**
 * The default mirrors the bootstrap tools carry, read from their own code (so ownbase names no
 * archive itself): mmdebstrap's `$mirror`/`$secmirror` assignments, picked by the archive's path
 * (…/debian, …/debian-security; …/ubuntu on amd64 and i386, …/ubuntu-ports elsewhere), and
 * debootstrap's DEF_MIRROR for Debian's archive.
 */
export function parseToolDefaults(mmdebstrapSource: string, debootstrapSource: string, distro: string, arch: string): ToolDefaults {
  const all = (re: RegExp, text: string): string[] => [...text.matchAll(re)].map((m) => m[1]!).filter((u) => URL_OK.test(u));
  const mirrors = all(/\$mirror\s*=\s*'([^']+)'/g, mmdebstrapSource);
  const secs = all(/\$secmirror\s*=\s*'([^']+)'/g, mmdebstrapSource);
  const endsWith = (tail: string) => (u: string): boolean => u.replace(/\/+$/, '').endsWith(tail);
  let mirror: string | undefined;
  let security: string | undefined;
  if (distro === 'debian') {
    mirror = mirrors.find(endsWith('/debian')) ?? all(/^DEF_MIRROR="([^"]+)"/gm, debootstrapSource).find(endsWith('/debian'));
    security = secs.find(endsWith('/debian-security'));
  } else if (distro === 'ubuntu') {
    const tail = X86.includes(arch) ? '/ubuntu' : '/ubuntu-ports';
    mirror = mirrors.find(endsWith(tail));
    security = secs.find(endsWith(tail));
  }
  return { ...(mirror !== undefined && { mirror }), ...(security !== undefined && { security }) };
}

/** The bootstrap tools' default mirrors on this machine (see parseToolDefaults). */
export function toolDefaults(distro: string, arch: string, files = { mmdebstrap: '/usr/bin/mmdebstrap', debootstrap: '/usr/sbin/debootstrap' }): ToolDefaults {
  const read = (p: string): string => { try { return readFileSync(p, 'utf8'); } catch { return ''; } };
  return parseToolDefaults(read(files.mmdebstrap), read(files.debootstrap), distro, arch);
}

/** An apt sources file of the image: where it goes and what it says. */
export interface AptSourcesFile { readonly path: string; readonly text: string }

/** What an image's apt sources name: the release's mirror, the suites, the security archive. */
export interface SourcesSpec {
  readonly distro: string;
  readonly suite: string;
  readonly components: readonly string[];
  readonly mirror: string;
  /** Omitted: no updates suite. */
  readonly updates?: string;
  /** Both or neither: the security suite and the archive that serves it. */
  readonly security?: { readonly suite: string; readonly mirror: string };
}

/**
 * Whether the official images of this release use deb822 sources (`sources.list.d/DISTRO.sources`):
 * Debian from 12 (and unstable, the aliases, releases not known yet), Ubuntu from 24.04.
 */
export function usesDeb822(distro: string, suite: string): boolean {
  const version = findSuite(suite)?.version;
  if (version === undefined) return true;
  return distro === 'ubuntu' ? Number.parseFloat(version) >= 24.04 : Number.parseFloat(version) >= 12;
}

const KEYRING: Readonly<Record<string, string>> = {
  debian: '/usr/share/keyrings/debian-archive-keyring.gpg',
  ubuntu: '/usr/share/keyrings/ubuntu-archive-keyring.gpg',
};

/**
 * The image's apt sources in the format its release's official images use: deb822 in
 * /etc/apt/sources.list.d/DISTRO.sources (release and updates in one stanza, security in the
 * next), or one-line /etc/apt/sources.list (Debian: release, security, updates; Ubuntu: release,
 * updates, security).
 */
export function aptSourcesFile(spec: SourcesSpec): AptSourcesFile {
  const comps = spec.components.join(' ');
  if (usesDeb822(spec.distro, spec.suite)) {
    const stanza = (uri: string, suites: string[]): string => ['Types: deb', `URIs: ${uri}`, `Suites: ${suites.join(' ')}`, `Components: ${comps}`,
      ...(KEYRING[spec.distro] ? [`Signed-By: ${KEYRING[spec.distro]}`] : [])].join('\n');
    const stanzas = [stanza(spec.mirror, [spec.suite, ...(spec.updates ? [spec.updates] : [])])];
    if (spec.security) stanzas.push(stanza(spec.security.mirror, [spec.security.suite]));
    return { path: `/etc/apt/sources.list.d/${spec.distro}.sources`, text: `${stanzas.join('\n\n')}\n` };
  }
  return { path: '/etc/apt/sources.list', text: oneLineSources(spec, spec.distro === 'debian' ? 'security-first' : 'updates-first') };
}

/** The same suites as one-line `deb` lines (what the build's apt uses while it upgrades). */
export function oneLineSources(spec: SourcesSpec, order: 'security-first' | 'updates-first' = 'updates-first'): string {
  const comps = spec.components.join(' ');
  const release = `deb ${spec.mirror} ${spec.suite} ${comps}`;
  const updates = spec.updates ? [`deb ${spec.mirror} ${spec.updates} ${comps}`] : [];
  const security = spec.security ? [`deb ${spec.security.mirror} ${spec.security.suite} ${comps}`] : [];
  const lines = order === 'security-first' ? [release, ...security, ...updates] : [release, ...updates, ...security];
  return `${lines.join('\n')}\n`;
}
