import { existsSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { kindByContent, kindByName } from '../core/kernel/fileKind';
import { checkRanges, checksOf, engineTarget, formatJunit, rootfsTarget, runChecks, type CheckReport, type CheckResult, type CheckTarget } from '../core/checks';
import { readRecipe, type LoadedRecipe } from './build';
import { readInput } from './readInput';
import type { CliIO, Subcommand } from './subcommand';
import { UsageError } from './usageError';

const USAGE = `usage: ownbase test RECIPE|IMAGE [--tag NAME] [--rootfs DIR] [--format text|json|junit] [--output FILE]

Runs the checks of a recipe's verify: section, and the built-in checks every owned base gets (apt works,
every ELF file under /usr/bin and /usr/lib resolves its libraries, no setuid file beyond the packages',
/etc/os-release and the dpkg status present), against the image the recipe builds (or --tag). Given an
IMAGE instead of a recipe, runs the built-in checks on it.
  --tag NAME      the image to check (default: the recipe's image)
  --rootfs DIR    check a root filesystem folder with no engine (unshare + chroot, as root); metadata and
                  the engine's size are skipped
  --format        text (default), json (the report, "v":1) or junit (XML for CI test reports)
  --output FILE   write the report there instead of stdout
A runtime image (no shell) runs each program as its own container and has its files read from docker export;
its apt check is skipped. Images run with no network (docker run --network none). Exit 0 when every check passes, 1 when one fails
or the image cannot be run, 2 on usage errors.`;

const FORMATS = ['text', 'json', 'junit'] as const;
type Format = (typeof FORMATS)[number];

/** The check report in words, one line per check and the failures' messages. */
export function formatReportText(report: CheckReport, lines: ReadonlyMap<string, number> = new Map()): string {
  const out: string[] = [`checks of ${report.target} (${report.driver})${report.recipe !== undefined ? ` from ${report.recipe}` : ''}`];
  const mark = (r: CheckResult): string => (r.status === 'passed' ? 'ok  ' : r.status === 'failed' ? 'FAIL' : 'skip');
  for (const r of report.results) {
    const line = lines.get(r.id);
    out.push(`  ${mark(r)} ${r.title}${line !== undefined ? ` (line ${line})` : ''}`);
    if (r.status !== 'passed') out.push(r.message.replace(/^/gm, '       '));
  }
  out.push(`${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped in ${(report.durationMs / 1000).toFixed(1)} s`);
  return `${out.join('\n')}\n`;
}

function isRecipeFile(path: string): boolean {
  if (!existsSync(path) || !statSync(path).isFile()) return false;
  if (kindByName(path) === 'recipe') return true;
  const read = readInput(path, 1 << 20);
  return read.ok && kindByContent(read.file.text) === 'recipe';
}

export const command: Subcommand = {
  summary: 'run the checks of a recipe (verify:) against its image',
  usage: USAGE,
  async run(args: readonly string[], io: CliIO): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...args], allowPositionals: true, strict: true,
        options: { tag: { type: 'string' }, rootfs: { type: 'string' }, format: { type: 'string' }, output: { type: 'string' } },
      });
    } catch (err) { throw new UsageError((err as Error).message); }
    const { values, positionals } = parsed;
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'which recipe or image?' : 'one recipe or image at a time');
    const format = (values.format ?? 'text') as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be text, json or junit, not '${values.format}'`);
    const subject = positionals[0]!;
    let loaded: LoadedRecipe | undefined;
    let text: string | undefined;
    if (isRecipeFile(resolve(io.cwd, subject))) {
      const r = readRecipe(subject, io);
      if (typeof r === 'number') return r;
      loaded = r;
      const read = readInput(r.path, 1 << 20);
      text = read.ok ? read.file.text : undefined;
    }
    const checks = checksOf(loaded?.recipe ?? {});
    let target: CheckTarget;
    try {
      target = values.rootfs !== undefined
        ? rootfsTarget(resolve(io.cwd, values.rootfs), {
          ...(loaded?.recipe.config?.user !== undefined && { user: loaded.recipe.config.user }),
          ...(loaded?.recipe.config?.env !== undefined && { env: loaded.recipe.config.env }),
        })
        : await engineTarget(values.tag ?? loaded?.recipe.image ?? subject);
    } catch (err) {
      io.stderr.write(`ownbase test: ${(err as Error).message}\n`);
      return 1;
    }
    let report: CheckReport;
    try {
      report = await runChecks(checks, target, { ...(loaded && { recipe: loaded.display }), ...(io.signal && { signal: io.signal }) });
    } finally {
      await target.close();
    }
    const lines = new Map(text !== undefined ? [...checkRanges(text, checks)].map(([id, r]) => [id, r.start.line + 1]) : []);
    const output = format === 'junit' ? formatJunit([report], lines)
      : format === 'json' ? `${JSON.stringify({ ...report, results: report.results.map((r) => ({ ...r, ...(lines.has(r.id) && { line: lines.get(r.id) }) })) }, null, 2)}\n`
        : formatReportText(report, lines);
    if (values.output !== undefined) {
      writeFileSync(resolve(io.cwd, values.output), output);
      if (format !== 'text') io.stdout.write(formatReportText(report, lines));
    } else io.stdout.write(output);
    return report.failed > 0 ? 1 : 0;
  },
};
