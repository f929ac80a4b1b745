import { clip, listSome } from '../kernel/text';
import { parseVerifySize, verifyRegex } from '../recipe/verify';
import type { VerifyCommand, VerifyFile } from '../recipe/types';
import type { BuiltinName, Check } from './model';
import { reportOf, resultOf, type CheckReport, type CheckResult } from './result';
import { BATCH_SCRIPT, ID_SCRIPT, LOADER_SCRIPT, parseBatch, SCANNERS_SCRIPT, SETUID_SCRIPT, STAT_SCRIPT } from './scripts';
import type { CheckTarget, ExecResult, ImageFacts } from './target';
import { NO_DPKG_STATUS, type ImageTree } from './tree';
import { LABEL_NEEDS_PACKAGES } from '../engine/labels';

/** Built-in and file checks look at the image as root; their scripts take this long at most. */
const SCRIPT_TIMEOUT_MS = 120_000;
const SHOWN_CHARS = 2000;
const MAX_CONTENTS_BYTES = 1 << 20;

export interface RunChecksOptions {
  readonly recipe?: string;
  /** Each result as it comes (the build's events, a test item's state). */
  readonly onResult?: (result: CheckResult) => void;
  readonly signal?: AbortSignal;
}

/** Runs checks against one target and reports each. Never throws for a failing image: a check fails instead. */
export async function runChecks(checks: readonly Check[], target: CheckTarget, options: RunChecksOptions = {}): Promise<CheckReport> {
  const started = Date.now();
  const results: CheckResult[] = [];
  const ctx = new Context(target, checks.flatMap((c) => (c.kind === 'builtin' ? [c.builtin] : [])));
  for (const check of checks) {
    const t = Date.now();
    let r: CheckResult;
    if (options.signal?.aborted) r = resultOf(check, 'skipped', 'cancelled', 0);
    else {
      try { r = await runOne(check, ctx, t); } catch (err) {
        r = resultOf(check, 'failed', `the check could not run: ${err instanceof Error ? err.message : String(err)}`, Date.now() - t);
      }
    }
    results.push(r);
    options.onResult?.(r);
  }
  return reportOf(target.name, target.driver, results, Date.now() - started, options.recipe);
}

/**
 * The scripts of each built-in check, by part name; all of a run's built-in checks go into the image in one exec
 * (a process start into a container is what they cost most), the loader's last, as its output is the longest.
 */
const BUILTIN_PARTS: Readonly<Record<BuiltinName, readonly (readonly [string, string])[]>> = {
  apt: [['apt-version', 'apt-get --version'], ['apt-audit', 'dpkg --audit']],
  scanners: [['scanners', SCANNERS_SCRIPT]],
  setuid: [['setuid', SETUID_SCRIPT]],
  loader: [['loader', LOADER_SCRIPT]],
};
const BATCH_ORDER: readonly BuiltinName[] = ['apt', 'scanners', 'setuid', 'loader'];

/** What several checks of one run share: the image config, fetched once; the built-in checks' scripts, run at once. */
class Context {
  private facts?: Promise<ImageFacts | undefined>;
  private batch?: Promise<{ whole: ExecResult; parts: ReturnType<typeof parseBatch> }>;
  private loaderTrace?: Promise<ExecResult>;
  constructor(readonly target: CheckTarget, private readonly builtins: readonly BuiltinName[]) {}
  /** No shell in the image: the scripts' findings are read from its files (tree.ts), their programs run one by one. */
  get shellless(): boolean { return this.target.tree !== undefined; }
  config(): Promise<ImageFacts | undefined> { return this.facts ??= this.target.config(); }
  /** One part of the built-in checks' batch, run on the first call; the whole batch's result when it never ran. */
  async part(name: string): Promise<ExecResult> {
    if (this.target.tree) return this.treePart(name, this.target.tree());
    this.batch ??= (async () => {
      const args = BATCH_ORDER.filter((b) => this.builtins.includes(b)).flatMap((b) => BUILTIN_PARTS[b].flat());
      const whole = await this.asRoot(BATCH_SCRIPT, args);
      return { whole, parts: parseBatch(whole.stdout, whole.stderr) };
    })();
    const { whole, parts } = await this.batch;
    const p = parts.get(name);
    if (p) return { ...p, timedOut: false };
    return { ...whole, ...(whole.error === undefined && !whole.timedOut && { error: `the built-in checks' script stopped before ${name} (exit ${String(whole.exitCode)}): ${clip((whole.stderr || whole.stdout).trim(), SHOWN_CHARS)}` }) };
  }
  asRoot(script: string, args: readonly string[] = []): Promise<ExecResult> {
    return this.target.exec(['/bin/sh', '-c', script, 'sh', ...args], { user: '0', timeoutMs: SCRIPT_TIMEOUT_MS });
  }
  /** STAT_SCRIPT's output for `patterns`. */
  async stat(patterns: readonly string[]): Promise<ExecResult> {
    if (!this.target.tree) return this.asRoot(STAT_SCRIPT, patterns);
    return found(await this.tree(), (t) => t.stat(patterns));
  }
  /** ID_SCRIPT's output for `user` (exit 1: no such user). */
  async id(user: string): Promise<ExecResult> {
    if (!this.target.tree) return this.asRoot(ID_SCRIPT, [user]);
    return found(await this.tree(), (t) => t.id(user) ?? '', (t) => (t.id(user) === undefined ? 1 : 0));
  }
  /** The first MAX_CONTENTS_BYTES of a file. */
  async read(path: string): Promise<ExecResult> {
    if (!this.target.tree) return this.target.exec(['head', '-c', String(MAX_CONTENTS_BYTES), '--', path], { user: '0', timeoutMs: SCRIPT_TIMEOUT_MS });
    return found(await this.tree(), (t) => t.text(path) ?? '', (t) => (t.text(path) === undefined ? 1 : 0), `${path}: not a regular file`);
  }
  private async tree(): Promise<ImageTree | Error> {
    try { return await this.target.tree!(); } catch (err) { return err instanceof Error ? err : new Error(String(err)); }
  }
  private async treePart(name: string, tree: Promise<ImageTree>): Promise<ExecResult> {
    const t = await tree.catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    if (name === 'loader') return this.loaderTrace ??= traceLoader(this.target, t);
    return found(t, (x) => (name === 'setuid' ? x.setuid() : x.scanners()));
  }
}

/** A finding read from the image's files as a script's result; the export's failure as the driver's. */
function found(tree: ImageTree | Error, out: (t: ImageTree) => string, code: (t: ImageTree) => number = () => 0, stderr = ''): ExecResult {
  if (tree instanceof Error) return { exitCode: null, stdout: '', stderr: '', timedOut: false, error: `the image's files could not be read: ${tree.message}` };
  const exitCode = code(tree);
  return { exitCode, stdout: out(tree), stderr: exitCode === 0 ? '' : stderr, timedOut: false };
}

/**
 * LOADER_SCRIPT's output without a shell: the image's loader, in trace mode, run on each of its ELF files (each its
 * own container), two at a time.
 */
async function traceLoader(target: CheckTarget, tree: ImageTree | Error): Promise<ExecResult> {
  if (tree instanceof Error) return found(tree, () => '');
  const ld = tree.loader();
  if (ld === undefined) return { exitCode: 0, stdout: 'NOLOADER\n', stderr: '', timedOut: false };
  const files = tree.elfFiles().filter((f) => f !== ld);
  const out: string[] = [`L ${ld}`];
  let error: ExecResult | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length && error === undefined) {
      const f = files[next++]!;
      const r = await target.exec([ld, f], { user: '0', timeoutMs: SCRIPT_TIMEOUT_MS, env: { LD_TRACE_LOADED_OBJECTS: '1' } });
      if (r.error !== undefined || r.timedOut) { error = r; return; }
      for (const line of `${r.stdout}\n${r.stderr}`.split('\n')) if (line.includes('not found')) out.push(`M ${f}\t${line}`);
    }
  };
  await Promise.all([worker(), worker()]);
  if (error) return error;
  return { exitCode: 0, stdout: `${out.join('\n')}\n`, stderr: '', timedOut: false };
}

const shown = (s: string): string => (s === '' ? '(empty)' : clip(s, SHOWN_CHARS));
const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

/** A script that could not run is the check's failure, said with what the driver reported. */
function scriptFailure(what: string, r: ExecResult): string | undefined {
  if (r.error !== undefined) return `${what} could not run: ${r.error}`;
  if (r.timedOut) return `${what} did not end within ${SCRIPT_TIMEOUT_MS / 1000} s`;
  if (r.exitCode !== 0) return `${what} failed (exit ${String(r.exitCode)}): ${shown(r.stderr.trim() || r.stdout.trim())}`;
  return undefined;
}

async function runOne(check: Check, ctx: Context, t: number): Promise<CheckResult> {
  const took = (): number => Date.now() - t;
  const pass = (message: string): CheckResult => resultOf(check, 'passed', message, took());
  const fail = (message: string, detail: { expected?: string; actual?: string } = {}): CheckResult =>
    resultOf(check, 'failed', message, took(), detail);
  switch (check.kind) {
    case 'builtin':
      if (check.builtin === 'apt' && ctx.shellless) {
        return resultOf(check, 'skipped', 'The image has no shell, no apt and no dpkg tools (a runtime image holds only its programs and what they load): '
          + 'nothing can patch it in place; it is rebuilt instead. Its packages\' metadata is checked by the scanners check.', took());
      }
      return builtin(check.builtin, ctx, pass, fail, (message) => resultOf(check, 'skipped', message, took()));
    case 'command': return command(check.command, ctx, pass, fail);
    case 'file': return file(check.file, ctx, pass, fail);
    case 'metadata': {
      const facts = await ctx.config();
      if (!facts) return resultOf(check, 'skipped', 'a rootfs has no image configuration: run the checks against the image', took());
      return metadata(check.field, check.expected, facts, pass, fail);
    }
    case 'size': {
      const limit = parseVerifySize(check.limit)!;
      const bytes = check.field === 'max' ? await ctx.target.size() : await ctx.target.compressedSize();
      const what = check.field === 'max' ? 'The image' : 'The image, gzip-compressed,';
      const m = `${what} is ${formatBytes(bytes)} (${bytes} bytes); the limit is ${formatBytes(limit)} (${String(check.limit)})`;
      return bytes <= limit ? pass(`${m}.`) : fail(`${m}: ${formatBytes(bytes - limit)} too large.`, { expected: `≤ ${limit} bytes`, actual: `${bytes} bytes` });
    }
  }
}

type Pass = (message: string) => CheckResult;
type Fail = (message: string, detail?: { expected?: string; actual?: string }) => CheckResult;

async function builtin(name: string, ctx: Context, pass: Pass, fail: Fail, skip: Pass): Promise<CheckResult> {
  switch (name) {
    case 'apt': {
      const version = await ctx.part('apt-version');
      if (version.error !== undefined || version.exitCode !== 0) {
        return fail(`apt-get --version failed (${version.error ?? `exit ${String(version.exitCode)}`}): ${shown((version.stderr + version.stdout).trim())}`,
          { expected: 'apt-get --version: exit 0', actual: `exit ${String(version.exitCode)}\n${shown((version.stderr + version.stdout).trim())}` });
      }
      const audit = await ctx.part('apt-audit');
      if (audit.error !== undefined || audit.exitCode !== 0 || audit.stdout.trim() !== '') {
        const out = (audit.stdout + audit.stderr).trim();
        return fail(`dpkg --audit is not clean (${audit.error ?? `exit ${String(audit.exitCode)}`}): ${shown(out)}`,
          { expected: 'dpkg --audit: exit 0, nothing reported', actual: shown(out) });
      }
      return pass(`${lines(version.stdout)[0] ?? 'apt-get'}; dpkg --audit reports nothing.`);
    }
    case 'loader': {
      const r = await ctx.part('loader');
      const bad = scriptFailure('the loader check', r);
      if (bad) return fail(bad);
      const out = lines(r.stdout);
      if (out[0] === 'NOLOADER') return pass('The image has no dynamic loader: nothing to resolve.');
      const missing = [...new Set(out.filter((l) => l.startsWith('M ')).map((l) => {
        const tab = l.indexOf('\t');
        return `${l.slice(2, tab < 0 ? undefined : tab)}: ${tab < 0 ? '' : l.slice(tab + 1).trim()}`;
      }))].sort();
      const loader = out[0]?.slice(2) ?? '?';
      if (missing.length === 0) return pass(`${loader} resolves every ELF file under /usr/bin and /usr/lib.`);
      return fail(`${missing.length} unresolved dependenc${missing.length === 1 ? "y" : "ies"} (by ${loader} in trace mode):\n${clip(missing.join('\n'), SHOWN_CHARS)}`,
        { expected: 'no library "not found"', actual: clip(missing.join('\n'), SHOWN_CHARS) });
    }
    case 'setuid': {
      const r = await ctx.part('setuid');
      const bad = scriptFailure('the setuid check', r);
      if (bad) return fail(bad);
      const extra = lines(r.stdout);
      return extra.length === 0 ? pass('Every setuid and setgid file is an installed package\'s.')
        : fail(`Setuid or setgid file${extra.length === 1 ? '' : 's'} that no installed package ships: ${extra.join(', ')}.`,
          { expected: 'none', actual: extra.join('\n') });
    }
    default: { // scanners
      const r = await ctx.part('scanners');
      const bad = scriptFailure('the scanners check', r);
      if (bad) return fail(bad);
      const missing = lines(r.stdout);
      // A runtime image that says it took no package (its label is there and empty) and holds no dpkg metadata: a
      // static program's FROM-scratch image. One that names packages but lacks their metadata still fails.
      if (ctx.shellless && missing.some((l) => l.startsWith(NO_DPKG_STATUS)) && (await ctx.config())?.labels[LABEL_NEEDS_PACKAGES]?.trim() === '') {
        return skip('The image holds no distribution package (its programs are statically linked: the image is they and their '
          + 'accounts): there is no package for a scanner to identify and no distribution for /etc/os-release to name.');
      }
      return missing.length === 0 ? pass('/etc/os-release and /var/lib/dpkg/status are present.')
        : fail(`Scanners cannot identify this image: ${missing.join('; ')}.`, { expected: 'both present', actual: missing.join('\n') });
    }
  }
}

async function command(c: VerifyCommand, ctx: Context, pass: Pass, fail: Fail): Promise<CheckResult> {
  const timeoutS = c.timeout ?? 30;
  const r = await ctx.target.exec(c.argv, { ...(c.user !== undefined && { user: c.user }), timeoutMs: timeoutS * 1000 });
  const outputs = `stdout:\n${shown(r.stdout)}\nstderr:\n${shown(r.stderr)}`;
  if (r.error !== undefined) return fail(`${c.argv.join(' ')} could not run: ${r.error}`);
  if (r.timedOut) return fail(`${c.argv.join(' ')} did not end within ${timeoutS} s and was killed.\n${outputs}`, { expected: `ends within ${timeoutS} s`, actual: outputs });
  const problems: string[] = [];
  let expected = '';
  let actual = '';
  const want = c.exitCode ?? 0;
  if (r.exitCode !== want) {
    problems.push(`exit status ${String(r.exitCode)}, expected ${want}`);
    expected += `exit status ${want}\n`;
    actual += `exit status ${String(r.exitCode)}\n`;
  }
  for (const [stream, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
    const must = c[stream] ?? [];
    const mustNot = c[`${stream}Excludes`] ?? [];
    const missed = must.filter((s) => !(verifyRegex(s) as RegExp).test(text));
    const matched = mustNot.filter((s) => (verifyRegex(s) as RegExp).test(text));
    for (const s of missed) problems.push(`${stream} does not match /${s}/`);
    for (const s of matched) problems.push(`${stream} matches /${s}/, which it must not`);
    if (missed.length + matched.length > 0) {
      expected += `${stream} ${[...must.map((s) => `matching /${s}/`), ...mustNot.map((s) => `not matching /${s}/`)].join(', ')}\n`;
      actual += `${stream}:\n${shown(text)}\n`;
    }
  }
  if (problems.length === 0) return pass(`exit status ${String(r.exitCode)}${(c.stdout ?? []).length + (c.stderr ?? []).length > 0 ? '; output as expected' : ''}.`);
  return fail(`${c.argv.join(' ')}: ${problems.join('; ')}.\n${outputs}`, { expected: expected.trimEnd(), actual: actual.trimEnd() });
}

interface Stat { readonly mode: number; readonly uid: number; readonly gid: number; readonly user: string; readonly group: string; readonly path: string }

function parseStats(out: string): Stat[] {
  const found: Stat[] = [];
  for (const l of lines(out)) {
    const m = /^F ([0-7]+) (\d+) (\d+) (\S+) (\S+) (.*)$/.exec(l);
    if (m) found.push({ mode: parseInt(m[1]!, 8), uid: Number(m[2]), gid: Number(m[3]), user: m[4]!, group: m[5]!, path: m[6]! });
  }
  return found;
}

const ownerMatches = (want: string, s: Stat): boolean => {
  const [u, g] = want.split(':');
  const is = (w: string, id: number, name: string): boolean => w === name || w === String(id);
  return is(u!, s.uid, s.user) && (g === undefined || is(g, s.gid, s.group));
};

async function file(f: VerifyFile, ctx: Context, pass: Pass, fail: Fail): Promise<CheckResult> {
  const r = await ctx.stat([f.path]);
  const bad = scriptFailure('stat', r);
  if (bad) return fail(bad);
  const found = parseStats(r.stdout);
  if (f.exists === false) {
    return found.length === 0 ? pass(`Nothing matches ${f.path}.`)
      : fail(`${f.path} must be absent; found ${found.length}: ${listSome(found.map((s) => s.path), 10)}.`,
        { expected: 'absent', actual: found.map((s) => s.path).join('\n') });
  }
  if (found.length === 0) return fail(`${f.path}: no such file in the image.`, { expected: 'present', actual: 'absent' });
  const problems: string[] = [];
  if (f.mode !== undefined) {
    const want = parseInt(f.mode, 8);
    for (const s of found) if ((s.mode & 0o7777) !== want) problems.push(`${s.path} has mode ${(s.mode & 0o7777).toString(8).padStart(4, '0')}, expected ${want.toString(8).padStart(4, '0')}`);
  }
  if (f.owner !== undefined) {
    for (const s of found) if (!ownerMatches(f.owner, s)) problems.push(`${s.path} is owned by ${s.user}:${s.group} (${s.uid}:${s.gid}), expected ${f.owner}`);
  }
  if (f.executableBy !== undefined) {
    const id = await ctx.id(f.executableBy);
    const [uidLine, groupsLine] = lines(id.stdout);
    if (id.exitCode !== 0 || uidLine === undefined) problems.push(`no user ${f.executableBy} in the image`);
    else {
      const uid = Number(uidLine);
      const groups = new Set((groupsLine ?? '').split(/\s+/).filter(Boolean).map(Number));
      for (const s of found) {
        const can = uid === 0 ? (s.mode & 0o111) !== 0
          : uid === s.uid ? (s.mode & 0o100) !== 0 : groups.has(s.gid) ? (s.mode & 0o010) !== 0 : (s.mode & 0o001) !== 0;
        if (!can) problems.push(`${s.path} (mode ${(s.mode & 0o7777).toString(8).padStart(4, '0')}, ${s.user}:${s.group}) is not executable by ${f.executableBy}`);
      }
    }
  }
  let actual = '';
  for (const source of f.contents ?? []) {
    const re = verifyRegex(source) as RegExp;
    for (const s of found) {
      const c = await ctx.read(s.path);
      if (c.exitCode !== 0) { problems.push(`${s.path} cannot be read: ${c.error ?? c.stderr.trim()}`); continue; }
      if (!re.test(c.stdout)) { problems.push(`${s.path} does not match /${source}/`); actual += `${s.path}:\n${shown(c.stdout)}\n`; }
    }
  }
  const names = found.length === 1 ? found[0]!.path : `${found.length} matches`;
  if (problems.length === 0) return pass(`${names}: as expected.`);
  return fail(`${problems.join('; ')}.`, { expected: describeFile(f), actual: actual.trimEnd() || problems.join('\n') });
}

function describeFile(f: VerifyFile): string {
  return [f.path, f.mode && `mode ${f.mode}`, f.owner && `owner ${f.owner}`, f.executableBy && `executable by ${f.executableBy}`,
    ...(f.contents ?? []).map((c) => `contents matching /${c}/`)].filter(Boolean).join(', ');
}

/** `2222` means `2222/tcp`, as the engine writes it. */
const port = (p: string): string => (p.includes('/') ? p : `${p}/tcp`);

function metadata(field: string, expected: unknown, facts: ImageFacts, pass: Pass, fail: Fail): CheckResult {
  const show = (v: unknown): string => JSON.stringify(v);
  switch (field) {
    case 'env': case 'labels': {
      const have = field === 'env' ? facts.env : facts.labels;
      const want = expected as Record<string, string>;
      const wrong = Object.entries(want).filter(([k, v]) => have[k] !== v);
      if (wrong.length === 0) return pass(`${Object.keys(want).join(', ')} as expected.`);
      const part = (o: Record<string, string | undefined>) => Object.fromEntries(wrong.map(([k]) => [k, o[k] ?? null]));
      return fail(`${field}: ${wrong.map(([k, v]) => `${k} is ${have[k] === undefined ? 'not set' : show(have[k])}, expected ${show(v)}`).join('; ')}.`,
        { expected: show(part(want)), actual: show(part(have)) });
    }
    case 'exposedPorts': {
      const missing = (expected as string[]).map(port).filter((p) => !facts.exposedPorts.includes(p));
      return missing.length === 0 ? pass(`exposes ${(expected as string[]).map(port).join(', ')}.`)
        : fail(`exposedPorts: ${missing.join(', ')} not exposed; the image exposes ${facts.exposedPorts.join(', ') || 'nothing'}.`,
          { expected: show((expected as string[]).map(port)), actual: show(facts.exposedPorts) });
    }
    default: {
      const have = facts[field as 'cmd' | 'entrypoint' | 'workdir' | 'user'];
      return show(have) === show(expected) ? pass(`${field} is ${show(have)}.`)
        : fail(`${field} is ${show(have)}, expected ${show(expected)}.`, { expected: show(expected), actual: show(have) });
    }
  }
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${v.toFixed(1)} ${units[i]}`;
}
