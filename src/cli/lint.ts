import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { severityRank, type Diagnostic, type Severity } from '../core/kernel/diagnostic';
import { kindByContent, kindByName, type FileKind } from '../core/kernel/fileKind';
import { lintWith, type RecipeLinter } from '../core/lint/lintWith';
import type { RuleSetting } from '../core/kernel/policy';
import { nodeHostProbe } from '../core/build/hostProbe';
import type { OwnedImage } from '../core/dockerfile/rule';
import { formatJson, formatSarif, formatText, isShown, type FileResult } from './format';
import { formatSize, MAX_ANY_FILE_BYTES, MAX_FILE_BYTES, parseFileSize, readInput, reasonOf, type InputFile } from './readInput';
import type { CliIO, Subcommand } from './subcommand';
import { UsageError } from './usageError';

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out', '.vscode-test']);
const FAIL_ON: readonly string[] = ['error', 'warning', 'information'];

interface Target { readonly path: string; readonly kind: FileKind; file?: InputFile }

/** Files by name under a folder; a folder or entry that cannot be read is reported by its own path and skipped. */
function findFiles(dir: string, into: Target[], problem: (path: string, reason: string) => void): void {
  let entries;
  try { entries = readdirSync(dir, { withFileTypes: true }); } catch (err) { problem(dir, `cannot read folder: ${reasonOf(err)}`); return; }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) { if (!SKIP_DIRS.has(e.name)) findFiles(p, into, problem); continue; }
    const kind = kindByName(p);
    if (!kind) continue;
    // A dangling symbolic link is no file to lint; a link loop or anything else odd is said once, by its path.
    if (e.isSymbolicLink()) {
      try { if (statSync(p).isDirectory()) continue; } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problem(p, reasonOf(err));
        continue;
      }
    }
    into.push({ path: p, kind });
  }
}

interface LintArgs {
  paths: string[]; format: 'text' | 'json' | 'sarif'; failOn: Severity; rules: Record<string, RuleSetting>; owned: string[];
  maxFileSize?: number; requireReason: boolean;
}

function parseArgs(args: readonly string[]): LintArgs {
  const out: LintArgs = { paths: [], format: 'text', failOn: 'error', rules: {}, owned: [], requireReason: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--format': {
        const v = value();
        if (v !== 'text' && v !== 'json' && v !== 'sarif') throw new UsageError(`--format must be text, json or sarif, not '${v}'`);
        out.format = v; break;
      }
      case '--fail-on': {
        const v = value();
        if (!FAIL_ON.includes(v)) throw new UsageError(`--fail-on must be error, warning or information, not '${v}'`);
        out.failOn = v as Severity; break;
      }
      case '--rule': {
        const m = /^(OB\d{3})=(off|hint|information|warning|error)$/i.exec(value());
        if (!m) throw new UsageError('--rule takes CODE=off|hint|information|warning|error, e.g. --rule OB103=off');
        out.rules[m[1]!.toUpperCase()] = m[2]!.toLowerCase() as RuleSetting; break;
      }
      case '--owned': out.owned.push(value()); break;
      case '--require-reason': out.requireReason = true; break;
      case '--max-file-size': out.maxFileSize = parseFileSize(value()); break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}'`);
        out.paths.push(a);
    }
  }
  if (out.paths.length === 0) out.paths.push('.');
  return out;
}

/** Every code named by --rule must be a rule's: a typo would silently switch nothing off. */
async function checkRuleCodes(rules: Readonly<Record<string, RuleSetting>>): Promise<void> {
  if (Object.keys(rules).length === 0) return; // the rule table loads the recipe rules (and the YAML parser): only when needed
  const { RULES, unknownRuleCodes } = await import('../core/lint/rules');
  const unknown = unknownRuleCodes(rules);
  if (unknown.length > 0) {
    throw new UsageError(`unknown rule ${unknown.join(', ')} in --rule; the rules are ${RULES.map((r) => r.code).join(', ')}`);
  }
}

export const command: Subcommand = {
  summary: 'lint Dockerfiles, recipes and shell scripts',
  usage: `usage: ownbase lint [paths…] [--format text|json|sarif] [--fail-on error|warning|information]
                    [--rule OB103=off …] [--owned 'registry.example/base/*' …] [--max-file-size 20M]
                    [--require-reason]

Finds Dockerfiles (Dockerfile, *.Dockerfile, Dockerfile.*), recipes (*.ownbase.yaml) and shell scripts
(*.sh) under the paths; a file named directly whose name says nothing is linted by its content. Only regular
files are read, up to 10 MB for a Dockerfile or script and 1 MB for a recipe (--max-file-size sets one limit for
all). A line waived by '# ownbase-ignore OB101: reason' is left out of text output and the exit code, and shown
as suppressed, with its reason, in json and sarif; --require-reason reports an ignore without a reason (OB002).
Exit 1 when a diagnostic is at or above --fail-on (default error), 2 on usage errors or unreadable paths
(the readable ones are still linted).`,
  async run(args: readonly string[], io: CliIO): Promise<number> {
    const opts = parseArgs(args);
    await checkRuleCodes(opts.rules);
    const limit = (kind: FileKind) => opts.maxFileSize ?? MAX_FILE_BYTES[kind];
    let problems = 0;
    const problem = (shown: string, reason: string) => {
      problems++;
      io.stderr.write(`ownbase lint: ${shown}: ${reason}\n`);
    };
    const found = (abs: string, reason: string) => problem(relative(io.cwd, abs) || abs, reason);
    const targets: Target[] = [];
    for (const p of opts.paths) {
      const abs = resolve(io.cwd, p);
      let isDir: boolean;
      try { isDir = statSync(abs).isDirectory(); } catch (err) { problem(p, reasonOf(err)); continue; }
      if (isDir) { findFiles(abs, targets, found); continue; }
      const byName = kindByName(abs);
      if (byName) { targets.push({ path: abs, kind: byName }); continue; }
      const read = readInput(abs, opts.maxFileSize ?? MAX_ANY_FILE_BYTES);
      if (!read.ok) { problem(p, read.reason); continue; }
      const kind = kindByContent(read.file.text);
      if (!kind) { problem(p, 'not a Dockerfile, recipe or shell script'); continue; }
      if (read.file.bytes.length > limit(kind)) {
        problem(p, `${formatSize(read.file.bytes.length)}, larger than the limit of ${formatSize(limit(kind))} for a ${kind} (raise it with --max-file-size)`);
        continue;
      }
      targets.push({ path: abs, kind, file: read.file });
    }
    const unique = [...new Map(targets.map((t) => [t.path, t])).values()]; // `lint . Dockerfile` lints it once
    const readable: (Target & { file: InputFile })[] = [];
    for (const t of unique) {
      if (!t.file) {
        const read = readInput(t.path, limit(t.kind));
        if (!read.ok) { found(t.path, read.reason); continue; }
        t.file = read.file;
      }
      readable.push(t as Target & { file: InputFile });
    }
    // The YAML parser is loaded only when there is a recipe to read.
    const recipes = readable.filter((t) => t.kind === 'recipe');
    let recipeLinter: RecipeLinter | undefined;
    let ownedImages: OwnedImage[] = [];
    if (recipes.length > 0) {
      const [{ lintRecipe }, { ownedImageOf }] = await Promise.all([import('../core/recipe/lint'), import('../core/lint/workspace')]);
      recipeLinter = lintRecipe;
      ownedImages = recipes.map((t) => ownedImageOf(t.file.text, t.path)).filter((o): o is OwnedImage => o !== undefined);
    }
    const host = nodeHostProbe();
    const results: FileResult[] = readable.map((t) => ({
      path: relative(io.cwd, t.path) || t.path,
      kind: t.kind,
      text: t.file.text,
      diagnostics: lintWith(recipeLinter, t.kind, t.file.text, {
        fixes: false, keepSuppressed: true, requireIgnoreReason: opts.requireReason, rules: opts.rules, ownedImages, ownedPatterns: opts.owned, path: t.path, host,
        ...(t.file.invalidUtf8 && { invalidUtf8: t.file.invalidUtf8 }),
      }),
    }));
    const format = opts.format === 'sarif' ? formatSarif((await import('../core/lint/rules')).RULES)
      : { text: formatText, json: formatJson }[opts.format];
    io.stdout.write(format(results));
    if (problems > 0) return 2;
    const threshold = severityRank(opts.failOn);
    const failing = results.some((r) => r.diagnostics.some((d: Diagnostic) => isShown(d) && severityRank(d.severity) <= threshold));
    return failing ? 1 : 0;
  },
};
