import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { severityRank, type Diagnostic, type Severity } from '../core/kernel/diagnostic';
import { kindByContent, kindByName, type FileKind } from '../core/kernel/fileKind';
import { lintWith, type RecipeLinter } from '../core/lint/lintWith';
import type { RuleSetting } from '../core/kernel/policy';
import { nodeHostProbe } from '../core/recipe/host';
import type { OwnedImage } from '../core/dockerfile/rule';
import { formatJson, formatSarif, formatText, type FileResult } from './format';
import type { CliIO, Subcommand } from './subcommand';
import { UsageError } from './usageError';

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out', '.vscode-test']);
const FAIL_ON: readonly string[] = ['error', 'warning', 'information'];

interface Target { readonly path: string; readonly kind: FileKind }

function findFiles(dir: string, into: Target[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) { if (!SKIP_DIRS.has(e.name)) findFiles(p, into); continue; }
    const kind = e.isFile() || e.isSymbolicLink() ? kindByName(p) : undefined;
    if (kind && statSync(p, { throwIfNoEntry: false })?.isFile()) into.push({ path: p, kind });
  }
}

interface LintArgs {
  paths: string[]; format: 'text' | 'json' | 'sarif'; failOn: Severity; rules: Record<string, RuleSetting>; owned: string[];
}

function parseArgs(args: readonly string[]): LintArgs {
  const out: LintArgs = { paths: [], format: 'text', failOn: 'error', rules: {}, owned: [] };
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
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}'`);
        out.paths.push(a);
    }
  }
  if (out.paths.length === 0) out.paths.push('.');
  return out;
}

export const command: Subcommand = {
  summary: 'lint Dockerfiles, recipes and shell scripts',
  usage: `usage: ownbase lint [paths…] [--format text|json|sarif] [--fail-on error|warning|information]
                    [--rule OB103=off …] [--owned 'registry.example/base/*' …]

Finds Dockerfiles (Dockerfile, *.Dockerfile, Dockerfile.*), recipes (*.ownbase.yaml) and shell scripts
(*.sh) under the paths; a file named directly whose name says nothing is linted by its content. Exit 1 when a diagnostic is at
or above --fail-on (default error), 2 on usage errors or unreadable paths.`,
  async run(args: readonly string[], io: CliIO): Promise<number> {
    const opts = parseArgs(args);
    const targets: Target[] = [];
    for (const p of opts.paths) {
      const abs = resolve(io.cwd, p);
      if (!existsSync(abs)) { io.stderr.write(`ownbase lint: ${p}: no such file or directory\n`); return 2; }
      try {
        const st = statSync(abs);
        if (st.isDirectory()) { findFiles(abs, targets); continue; }
        const kind = kindByName(abs) ?? kindByContent(readFileSync(abs, 'utf8'));
        if (!kind) { io.stderr.write(`ownbase lint: ${p}: not a Dockerfile, recipe or shell script\n`); return 2; }
        targets.push({ path: abs, kind });
      } catch (err) {
        io.stderr.write(`ownbase lint: ${p}: ${(err as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (err as Error).message}\n`);
        return 2;
      }
    }
    const texts = new Map<string, string>();
    const unique = [...new Map(targets.map((t) => [t.path, t])).values()]; // `lint . Dockerfile` lints it once
    for (const t of unique) {
      try { texts.set(t.path, readFileSync(t.path, 'utf8')); } catch (err) {
        io.stderr.write(`ownbase lint: ${relative(io.cwd, t.path)}: cannot read: ${(err as Error).message}\n`);
        return 2;
      }
    }
    // The YAML parser is loaded only when there is a recipe to read.
    const recipes = unique.filter((t) => t.kind === 'recipe');
    let recipeLinter: RecipeLinter | undefined;
    let ownedImages: OwnedImage[] = [];
    if (recipes.length > 0) {
      const [{ lintRecipe }, { ownedImageOf }] = await Promise.all([import('../core/recipe/lint'), import('../core/lint/workspace')]);
      recipeLinter = lintRecipe;
      ownedImages = recipes.map((t) => ownedImageOf(texts.get(t.path)!, t.path)).filter((o): o is OwnedImage => o !== undefined);
    }
    const host = nodeHostProbe();
    const results: FileResult[] = unique.map((t) => ({
      path: relative(io.cwd, t.path) || t.path,
      kind: t.kind,
      text: texts.get(t.path)!,
      diagnostics: lintWith(recipeLinter, t.kind, texts.get(t.path)!, { fixes: false, rules: opts.rules, ownedImages, ownedPatterns: opts.owned, path: t.path, host }),
    }));
    const format = { text: formatText, json: formatJson, sarif: formatSarif }[opts.format];
    io.stdout.write(format(results));
    const threshold = severityRank(opts.failOn);
    const failing = results.some((r) => r.diagnostics.some((d: Diagnostic) => severityRank(d.severity) <= threshold));
    return failing ? 1 : 0;
  },
};
