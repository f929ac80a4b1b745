import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PlanError, sourceDateEpoch } from './plan';
import { packagesRecordFile, releaseRecordFile } from './scripts';
import type { Plan } from './types';

/**
 * `NAME.ownbase.lock`: what went into an image, to install exactly that again. JSON rather than YAML: the
 * CLI reads it without the YAML parser and every reader has a parser for it; one package per line in name
 * order keeps it diff-friendly (a version bump is a one-line diff). README "Lock, verify, outdated" documents it.
 */
export const LOCK_VERSION = 1;

export interface LockedPackage {
  readonly name: string;
  readonly version: string;
  readonly arch: string;
  /** The source package (the binary's own name when the archive names none). */
  readonly source: string;
  /** The .deb's path in the archive (`pool/main/…`), or in the package cache when the archive's is not known. */
  readonly filename: string;
  readonly size: number;
  readonly sha256: string;
}

export interface LockFile {
  readonly version: 1;
  readonly archive: {
    readonly distro: string;
    /** The mirror the build used (absent: the bootstrap tool's default). */
    readonly mirror?: string;
    readonly suite: string;
    /** The recipe's `snapshot:` (`20261101T000000Z`): `mirror` is then that time's URL of a snapshot-style archive. */
    readonly snapshot?: string;
    readonly components: readonly string[];
    /** The release's Release file: its `Date:` and the SHA-256 of the file apt verified. */
    readonly release?: { readonly date: string; readonly sha256: string };
    /** SOURCE_DATE_EPOCH of builds from this lock: the image's created time, the layer's latest mtime. */
    readonly sourceDateEpoch?: number;
    /** What the upgrade applied when the lock was written: builds from the lock (no upgrade) label their image with it. */
    readonly updatesApplied?: number;
  };
  readonly packages: readonly LockedPackage[];
}

/** A lock that cannot be read or used; the build stops before anything runs. */
export class LockError extends PlanError {}

/** A lock read from beside its recipe: the parsed file, its bytes' SHA-256 (part of the inputs hash) and its path. */
export interface LoadedLock { readonly lock: LockFile; readonly sha256: string; readonly path: string }

/** The lock beside a recipe, or undefined when there is none; a LockError when it cannot be read. */
export function readLockBeside(recipePath: string): LoadedLock | undefined {
  const path = lockPathFor(recipePath);
  if (!existsSync(path)) return undefined;
  let bytes: Buffer;
  try { bytes = readFileSync(path); } catch (e) { throw new LockError(`cannot read ${path}: ${(e as Error).message}`); }
  return { lock: parseLock(bytes.toString('utf8'), path), sha256: createHash('sha256').update(bytes).digest('hex'), path };
}

/** The folder of a lock's repository in the cache (writeLockedRepository). */
export const lockedRepoDir = (cacheDir: string, lockSha256: string): string => join(cacheDir, 'locked', lockSha256.slice(0, 16));

/** `x.ownbase.yaml` → `x.ownbase.lock`, beside the recipe. */
export function lockPathFor(recipePath: string): string {
  const name = basename(recipePath).replace(/\.ownbase\.ya?ml$/u, '').replace(/\.ya?ml$/u, '');
  return join(dirname(recipePath), `${name}.ownbase.lock`);
}

const byPackage = (a: LockedPackage, b: LockedPackage): number =>
  (a.name < b.name ? -1 : a.name > b.name ? 1 : a.arch < b.arch ? -1 : a.arch > b.arch ? 1 : 0);

/** The lock's text: fixed key order, packages sorted by name and one a line. */
export function formatLock(lock: LockFile): string {
  const a = lock.archive;
  const archive = {
    distro: a.distro, ...(a.mirror !== undefined && { mirror: a.mirror }), suite: a.suite,
    ...(a.snapshot !== undefined && { snapshot: a.snapshot }), components: a.components,
    ...(a.release && { release: { date: a.release.date, sha256: a.release.sha256 } }),
    ...(a.sourceDateEpoch !== undefined && { sourceDateEpoch: a.sourceDateEpoch }),
    ...(a.updatesApplied !== undefined && { updatesApplied: a.updatesApplied }),
  };
  const pkgs = [...lock.packages].sort(byPackage).map((p) => `    ${JSON.stringify({
    name: p.name, version: p.version, arch: p.arch, source: p.source, filename: p.filename, size: p.size, sha256: p.sha256,
  })}`);
  return `{\n  "version": ${LOCK_VERSION},\n  "archive": ${JSON.stringify(archive)},\n  "packages": [\n${pkgs.join(',\n')}\n  ]\n}\n`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a lock's text; a LockError names what is wrong (`where` is the file, for the message). */
export function parseLock(text: string, where = 'the lock'): LockFile {
  let v: unknown;
  try { v = JSON.parse(text); } catch (e) { throw new LockError(`${where} is not JSON: ${(e as Error).message}`); }
  if (!isRecord(v)) throw new LockError(`${where}: not a lock (an object with version, archive and packages)`);
  if (v['version'] !== LOCK_VERSION) throw new LockError(`${where}: version ${JSON.stringify(v['version'])} is not ${LOCK_VERSION}; write it again with ownbase lock`);
  const a = v['archive'];
  if (!isRecord(a) || typeof a['suite'] !== 'string' || typeof a['distro'] !== 'string' || !Array.isArray(a['components'])) {
    throw new LockError(`${where}: archive needs distro, suite and components`);
  }
  const epoch = a['sourceDateEpoch'];
  if (epoch !== undefined && !(Number.isSafeInteger(epoch) && (epoch as number) > 0)) throw new LockError(`${where}: archive.sourceDateEpoch must be a positive integer`);
  const applied = a['updatesApplied'];
  if (applied !== undefined && !(Number.isSafeInteger(applied) && (applied as number) >= 0)) throw new LockError(`${where}: archive.updatesApplied must be a whole number`);
  const pkgs = v['packages'];
  if (!Array.isArray(pkgs) || pkgs.length === 0) throw new LockError(`${where}: packages must be a non-empty list`);
  const packages = pkgs.map((p, i): LockedPackage => {
    const ok = isRecord(p) && ['name', 'version', 'arch', 'source', 'filename', 'sha256'].every((k) => typeof p[k] === 'string') && Number.isSafeInteger(p['size']);
    if (!ok) throw new LockError(`${where}: packages[${i}] needs name, version, arch, source, filename, sha256 (strings) and size (an integer)`);
    if (!/^[0-9a-f]{64}$/u.test(p['sha256'] as string)) throw new LockError(`${where}: ${String(p['name'])}: sha256 is not 64 hex digits`);
    return p as unknown as LockedPackage;
  });
  const rel = a['release'];
  return {
    version: LOCK_VERSION,
    archive: {
      distro: a['distro'], suite: a['suite'], components: (a['components'] as unknown[]).map(String),
      ...(typeof a['mirror'] === 'string' && { mirror: a['mirror'] }),
      ...(typeof a['snapshot'] === 'string' && { snapshot: a['snapshot'] }),
      ...(isRecord(rel) && typeof rel['date'] === 'string' && typeof rel['sha256'] === 'string' && { release: { date: rel['date'], sha256: rel['sha256'] } }),
      ...(epoch !== undefined && { sourceDateEpoch: epoch as number }),
      ...(applied !== undefined && { updatesApplied: applied as number }),
    },
    packages,
  };
}

/** One package dpkg has installed (the record step's line: status, name, version, arch, source). */
export interface Installed { readonly name: string; readonly version: string; readonly arch: string; readonly source: string }

/** The record step's output: tab-separated `status name version arch source`, installed ones only. */
export function parseInstalled(text: string): Installed[] {
  const out: Installed[] = [];
  for (const line of text.split('\n')) {
    const [status, name, version, arch, source] = line.split('\t');
    if (status !== 'installed' || !name || !version || !arch) continue;
    out.push({ name, version, arch, source: (source ?? '').split(' ')[0] || name });
  }
  return out;
}

/** A Packages stanza's fields of a .deb: where, how big, its SHA-256 and the whole stanza's text. */
export interface Stanza { readonly filename: string; readonly archiveFilename?: string; readonly size: number; readonly sha256: string; readonly text: string }

const key = (name: string, version: string, arch: string): string => `${name} ${version} ${arch}`;

/** The stanzas of a Packages file by `name version arch`. */
export function packagesIndex(text: string): Map<string, Stanza> {
  const out = new Map<string, Stanza>();
  for (const block of text.split(/\n\s*\n/u)) {
    const f = (name: string): string | undefined => new RegExp(`^${name}: (.*)$`, 'mu').exec(block)?.[1]?.trim();
    const [name, version, arch, filename, size, sha256] = ['Package', 'Version', 'Architecture', 'Filename', 'Size', 'SHA256'].map(f);
    if (!name || !version || !arch || !filename || !sha256) continue;
    const archiveFilename = f('X-Archive-Filename');
    out.set(key(name, version, arch), { filename, ...(archiveFilename !== undefined && { archiveFilename }), size: Number(size ?? 0), sha256, text: block.trim() });
  }
  return out;
}

/** The .deb of a package in the cache's pool, as CACHE_SAVE names it (no epoch). */
export const poolName = (p: Pick<LockedPackage, 'name' | 'version' | 'arch'>): string => `${p.name}_${p.version.replace(/^\d+:/u, '')}_${p.arch}.deb`;

/** The lock of what a build installed, with each .deb's archive facts from the cache's Packages stanzas. */
export function makeLock(input: {
  readonly archive: LockFile['archive'];
  readonly installed: readonly Installed[];
  readonly stanzas: ReadonlyMap<string, Stanza>;
}): LockFile {
  const missing: string[] = [];
  const packages = input.installed.map((i): LockedPackage | undefined => {
    const s = input.stanzas.get(key(i.name, i.version, i.arch));
    if (!s) { missing.push(`${i.name} ${i.version}`); return undefined; }
    return { name: i.name, version: i.version, arch: i.arch, source: i.source, filename: s.archiveFilename ?? s.filename, size: s.size, sha256: s.sha256 };
  }).filter((p): p is LockedPackage => p !== undefined);
  if (missing.length > 0) throw new LockError(`the package cache has no archive record of ${missing.join(', ')}: a lock needs the build's package cache (not --no-cache)`);
  return { version: LOCK_VERSION, archive: input.archive, packages: [...packages].sort(byPackage) };
}

function sha256File(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/**
 * Checks every locked .deb in the cache's pool against the lock's size and SHA-256, before anything installs.
 * Returns the problems, each naming its package; empty: the cache holds exactly the locked packages.
 */
export function checkLockedDebs(lock: LockFile, cacheDir: string, missingWhy: ReadonlyMap<string, string> = new Map()): string[] {
  const problems: string[] = [];
  for (const p of lock.packages) {
    const file = join(cacheDir, 'pool', poolName(p));
    if (!existsSync(file)) { problems.push(`${p.name} ${p.version}: ${missingWhy.get(poolName(p)) ?? `not in the package cache (${file})`}`); continue; }
    const size = statSync(file).size;
    if (size !== p.size) { problems.push(`${p.name} ${p.version}: ${size} bytes, the lock says ${p.size}`); continue; }
    const sum = sha256File(file);
    if (sum !== p.sha256) problems.push(`${p.name} ${p.version}: SHA-256 ${sum}, the lock says ${p.sha256}`);
  }
  return problems;
}

/**
 * Downloads each locked .deb the cache's pool lacks from the archive: `BASE/FILENAME` (the lock's archive path), each
 * of `bases` in turn (the release's mirror, then the security archive). Each download must have the lock's size and
 * SHA-256 before it enters the pool (under a temporary name, then renamed). Returns the downloaded packages and, by
 * pool name, why each missing one could not be had (for checkLockedDebs): gone from the archive, or the error.
 */
export async function fetchLockedDebs(lock: LockFile, cacheDir: string, bases: readonly string[], signal?: AbortSignal): Promise<{ fetched: string[]; missingWhy: Map<string, string> }> {
  const fetched: string[] = [];
  const missingWhy = new Map<string, string>();
  const pool = join(cacheDir, 'pool');
  const wanted = lock.packages.filter((p) => !existsSync(join(pool, poolName(p))));
  if (wanted.length === 0) return { fetched, missingWhy };
  mkdirSync(pool, { recursive: true });
  const one = async (p: LockedPackage): Promise<void> => {
    const errors: string[] = [];
    for (const base of bases) {
      const url = `${base.replace(/\/+$/u, '')}/${p.filename.replace(/^\/+/u, '')}`;
      let bytes: Buffer;
      try {
        const res = await fetch(url, { ...(signal && { signal }) });
        if (res.status === 404 || res.status === 410) { errors.push(`404 ${url}`); continue; }
        if (!res.ok) { errors.push(`HTTP ${res.status} ${url}`); continue; }
        bytes = Buffer.from(await res.arrayBuffer());
      } catch (e) {
        errors.push(`${url}: ${(e as Error).message}`);
        continue;
      }
      const sum = createHash('sha256').update(bytes).digest('hex');
      if (bytes.length !== p.size || sum !== p.sha256) {
        missingWhy.set(poolName(p), `the archive's ${url} is ${bytes.length} bytes with SHA-256 ${sum}, the lock says ${p.size} and ${p.sha256}`);
        return;
      }
      const tmp = join(pool, `.${poolName(p)}.${process.pid}.tmp`);
      writeFileSync(tmp, bytes);
      renameSync(tmp, join(pool, poolName(p)));
      fetched.push(p.name);
      return;
    }
    missingWhy.set(poolName(p), errors.every((e) => e.startsWith('404 '))
      ? `not in the package cache, and the archive no longer has it (${errors.map((e) => e.slice(4)).join(', ')})`
      : `not in the package cache, and not downloaded: ${errors.join('; ')}`);
  };
  // A few at a time: enough to hide the round trips, few enough for a mirror's connection limits.
  for (let i = 0; i < wanted.length; i += 4) await Promise.all(wanted.slice(i, i + 4).map(one));
  return { fetched: fetched.sort(), missingWhy };
}

/** The locked packages the cache's Packages index has no stanza of (downloaded for the lock): writeLockedRepository needs the archive's. */
export function lockedWithoutStanza(lock: LockFile, cacheDir: string, arch: string): LockedPackage[] {
  const index = join(cacheDir, 'dists', lock.archive.suite, 'main', `binary-${arch}`, 'Packages');
  const cached = packagesIndex(existsSync(index) ? readFileSync(index, 'utf8') : '');
  return lock.packages.filter((p) => !cached.has(key(p.name, p.version, p.arch)));
}

/**
 * The archive's own stanza of a locked package, from its Packages indices (`archiveIndices`: their text), pointed at the
 * pool: the archive's fields (its Priority decides what the bootstrap tool's variant installs, and a .deb's own control
 * often says another) with `Filename: pool/…` and the archive's path kept as X-Archive-Filename.
 */
function archiveStanza(p: LockedPackage, archive: ReadonlyMap<string, Stanza>): string | undefined {
  const s = archive.get(key(p.name, p.version, p.arch));
  if (!s || s.sha256 !== p.sha256) return undefined;
  return s.text.split('\n').filter((l) => !l.startsWith('X-Archive-Filename: '))
    .map((l) => (l.startsWith('Filename: ') ? `Filename: pool/${poolName(p)}\nX-Archive-Filename: ${p.filename}` : l)).join('\n');
}

/**
 * Writes a repository of exactly the locked packages: CACHE/locked/SHA (its dists/SUITE named as the release, so the
 * bootstrap tool treats it as the release; its pool hard links to the cache's .debs), from the cache's own Packages
 * stanzas (the archive's, so priorities stay). Returns its folder.
 */
export function writeLockedRepository(lock: LockFile, cacheDir: string, arch: string, lockSha256: string, archiveIndices: readonly string[] = []): string {
  const repo = lockedRepoDir(cacheDir, lockSha256);
  const suite = lock.archive.suite;
  const index = join(cacheDir, 'dists', suite, 'main', `binary-${arch}`, 'Packages');
  const cached = packagesIndex(existsSync(index) ? readFileSync(index, 'utf8') : '');
  const archive = new Map(archiveIndices.flatMap((t) => [...packagesIndex(t)]));
  const stanzas = lock.packages.map((p) => {
    const s = cached.get(key(p.name, p.version, p.arch))?.text ?? archiveStanza(p, archive);
    if (s === undefined) throw new LockError(`${p.name} ${p.version}: neither the package cache nor the archive's Packages index has a record of it`);
    return s;
  });
  rmSync(repo, { recursive: true, force: true });
  const dir = join(repo, 'dists', suite, 'main', `binary-${arch}`);
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(repo, 'pool'));
  for (const p of lock.packages) {
    const from = join(cacheDir, 'pool', poolName(p));
    try { linkSync(from, join(repo, 'pool', poolName(p))); } catch { copyFileSync(from, join(repo, 'pool', poolName(p))); }
  }
  if (existsSync(join(cacheDir, 'sources.list'))) copyFileSync(join(cacheDir, 'sources.list'), join(repo, 'sources.list'));
  const packages = `${stanzas.join('\n\n')}\n`;
  writeFileSync(join(dir, 'Packages'), packages);
  const release = ['Origin: ownbase', 'Label: ownbase locked packages', `Suite: ${suite}`, `Codename: ${suite}`, `Architectures: ${arch}`, 'Components: main', 'SHA256:',
    ` ${createHash('sha256').update(packages).digest('hex')} ${Buffer.byteLength(packages)} main/binary-${arch}/Packages`, ''].join('\n');
  writeFileSync(join(repo, 'dists', suite, 'Release'), release);
  return repo;
}

/**
 * The lock of the build that just ran with `recordPackages`: what dpkg installed (the record step's file), each
 * .deb's archive facts from the cache's Packages, the release's date and hash (or the previous lock's), and the
 * build's SOURCE_DATE_EPOCH.
 */
export function lockFromBuild(plan: Plan, previous?: LockFile, updatesApplied?: number): LockFile {
  if (!plan.cache) throw new LockError('a lock needs the package cache (not --no-cache)');
  const read = (f: string): string | undefined => (existsSync(f) ? readFileSync(f, 'utf8') : undefined);
  const installed = read(packagesRecordFile(plan.rootfs));
  if (installed === undefined) throw new LockError('the build recorded no packages (the record step did not run)');
  const packagesFile = join(plan.cache.dir, 'dists', plan.recipe.suite, 'main', `binary-${plan.arch}`, 'Packages');
  const [date, sha] = (read(releaseRecordFile(plan.rootfs)) ?? '').trim().split('\t');
  const release = date && sha ? { date, sha256: sha } : previous?.archive.release;
  const epoch = sourceDateEpoch(plan);
  return makeLock({
    archive: {
      distro: plan.recipe.distro, ...(plan.mirror !== undefined && { mirror: plan.mirror }), suite: plan.recipe.suite,
      ...(plan.recipe.snapshot !== undefined && { snapshot: plan.recipe.snapshot }),
      components: plan.recipe.components ?? ['main'], ...(release && { release }), ...(epoch !== undefined && { sourceDateEpoch: epoch }),
      ...(updatesApplied !== undefined && { updatesApplied }),
    },
    installed: parseInstalled(installed),
    stanzas: packagesIndex(read(packagesFile) ?? ''),
  });
}
