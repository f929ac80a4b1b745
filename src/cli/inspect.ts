import type { ParseArgsConfig } from 'node:util';
import type Dockerode from 'dockerode';
import { resolveEngineEndpoint } from '../core/engine/endpoint';
import { compareReports, type Comparison } from '../core/inspect/compare';
import { comparisonCsv, comparisonJson, formatBytes, reportCsv, reportJson } from '../core/inspect/formats';
import { buildReport, type Report } from '../core/inspect/report';
import { toCycloneDx, toSpdx } from '../core/inspect/sbom';
import { describeSource, parseSource, readSource, SourceError } from '../core/inspect/sources';
import { overLimits, type Limits } from '../core/inspect/thresholds';
import type { CliIO, Subcommand } from './subcommand';
import { readOptions } from './options';
import { UsageError } from './usageError';

const FORMATS = ['table', 'json', 'csv', 'spdx-json', 'cyclonedx-json'] as const;
type Format = (typeof FORMATS)[number];

export interface InspectArgs {
  readonly source: string;
  readonly compare?: string;
  readonly format: Format;
  readonly limits: Limits;
  /** Compress every byte with `gzip -6` instead of estimating the compressed sizes from samples. */
  readonly exact: boolean;
  /** Read an image as `docker save` sends it even where the engine's storage can be read. */
  readonly viaSave: boolean;
}

const MB = 1_000_000;

function megabytes(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} takes a size in MB (a number ≥ 0), not '${v}'`);
  return Math.round(n * MB);
}

const OPTIONS = {
  'compare': { type: 'string' }, 'exact': { type: 'boolean' }, 'via-save': { type: 'boolean' }, 'format': { type: 'string' }, 'max-size': { type: 'string' },
  'max-compressed': { type: 'string' }, 'max-removable': { type: 'string' }, 'max-package': { type: 'string', multiple: true },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** `inspect` options (node:util parseArgs; `--flag value` and `--flag=value`). */
export function parseInspectArgs(args: readonly string[]): InspectArgs {
  let source: string | undefined;
  let compare: string | undefined;
  let format: Format = 'table';
  let exact = false;
  let viaSave = false;
  let size: number | undefined;
  let compressed: number | undefined;
  let removable: number | undefined;
  const packages = new Map<string, number>();
  for (const o of readOptions(args, OPTIONS)) {
    if (o.kind === 'positional') {
      if (source !== undefined) throw new UsageError(`one source at a time ('${source}', then '${o.value}'); compare with --compare`);
      source = o.value;
      continue;
    }
    if (o.kind === 'flag') { if (o.name === 'via-save') viaSave = true; else exact = true; continue; }
    const { flag, value: v } = o;
    switch (o.name) {
      case 'compare': compare = v; break;
      case 'format':
        if (!(FORMATS as readonly string[]).includes(v)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not '${v}'`);
        format = v as Format;
        break;
      case 'max-size': size = megabytes(flag, v); break;
      case 'max-compressed': compressed = megabytes(flag, v); break;
      case 'max-removable': removable = megabytes(flag, v); break;
      case 'max-package': {
        const k = v.lastIndexOf('=');
        if (k <= 0) throw new UsageError(`--max-package takes NAME=MB, not '${v}'`);
        packages.set(v.slice(0, k), megabytes(flag, v.slice(k + 1)));
        break;
      }
    }
  }
  if (source === undefined) throw new UsageError('what to inspect? an image (debian:bookworm), a folder, an archive (.tar) or container:ID');
  if (compare !== undefined && (format === 'spdx-json' || format === 'cyclonedx-json')) throw new UsageError('an SBOM describes one source: drop --compare');
  return {
    source, format, exact, viaSave, ...(compare !== undefined ? { compare } : {}),
    limits: { ...(size !== undefined ? { size } : {}), ...(compressed !== undefined ? { compressed } : {}), ...(removable !== undefined ? { removable } : {}), ...(packages.size > 0 ? { packages } : {}) },
  };
}

const USAGE = `usage: ownbase inspect SOURCE [--compare SOURCE] [--format table|json|csv|spdx-json|cyclonedx-json]
                       [--exact] [--via-save] [--max-size MB] [--max-compressed MB] [--max-removable MB] [--max-package NAME=MB]

What an image is made of, per package, in real bytes; what a container does not need; its SBOM.
SOURCE: an image in the engine (owned/bookworm:12), a folder (a rootfs), a docker or OCI archive
(docker save -o x.tar), or container:ID (docker export). Prefixes image:, folder:, archive: force the kind.
  --compare SOURCE    what changed from SOURCE to this one (packages added, removed, grown)
  --format F          table (default), json, csv, spdx-json (SPDX 2.3), cyclonedx-json (CycloneDX 1.5)
  --exact             compress every byte with gzip -6 (slow) rather than estimate the compressed
                      sizes from samples (the total within about 2%)
  --via-save          read an image as docker save sends it, even where the engine's storage is
                      this machine's and readable (then its layers are read there, checked
                      against their digests: the same bytes, without the engine's copy)
  --max-size MB       exit 1 when the total is over MB (1 MB = 1,000,000 bytes)
  --max-compressed MB exit 1 when the gzip-6 total is over MB
  --max-removable MB  exit 1 when what a container does not need is over MB
  --max-package N=MB  exit 1 when package N is over MB (repeatable)
Exit 0 fine, 1 over a limit, 2 usage or a source that cannot be read (the reason is printed).`;

export const command: Subcommand = {
  summary: 'what an image is made of, per package; what it could lose; its SBOM',
  usage: USAGE,
  run: (args, io) => inspect(args, io),
};

async function inspect(args: readonly string[], io: CliIO): Promise<number> {
  const a = parseInspectArgs(args);
  let docker: Dockerode | undefined;
  // Required on first use: `ownbase inspect DIR` never loads the engine client (dist/engine.js).
  const connect = (): typeof import('../core/engine/connect') => require('../core/engine/connect') as typeof import('../core/engine/connect');
  const engine = (): Dockerode => (docker ??= connect().connectEngine());
  const explain = (d: Dockerode, e: unknown): unknown => connect().explainEngineError(d, e);
  // The engine connectEngine() picks; an image on its local socket is read without loading the client.
  const endpoint = resolveEngineEndpoint();
  const load = async (spec: string): Promise<Report> => {
    const source = parseSource(spec, io.cwd);
    const scanned = await readSource(source, { docker: engine, explain, endpoint, compressed: a.exact ? 'exact' : 'estimate', imageRead: a.viaSave ? 'save' : 'auto', ...(io.signal ? { signal: io.signal } : {}) });
    // Rare, and worth knowing: the engine's storage was there to read and did not match the image (the report is right).
    if (scanned.storageError !== undefined) io.stderr.write(`ownbase inspect: read ${spec} through docker save: its layers in the engine's storage did not read as the image's (${scanned.storageError})\n`);
    return buildReport(scanned, describeSource(source));
  };
  let report: Report;
  let comparison: Comparison | undefined;
  try {
    report = await load(a.source);
    if (a.compare !== undefined) comparison = compareReports(await load(a.compare), report);
  } catch (e) {
    if (e instanceof SourceError) { io.stderr.write(`ownbase inspect: ${e.message}\n`); return 2; }
    throw e;
  }
  io.stdout.write(render(report, comparison, a.format));
  const over = overLimits(report, a.limits);
  for (const o of over) io.stderr.write(`ownbase inspect: ${o}\n`);
  return over.length > 0 ? 1 : 0;
}

function render(r: Report, c: Comparison | undefined, format: Format): string {
  switch (format) {
    case 'json': return `${JSON.stringify(c ? comparisonJson(c) : reportJson(r), null, 2)}\n`;
    case 'csv': return c ? comparisonCsv(c) : reportCsv(r);
    case 'spdx-json': return `${JSON.stringify(toSpdx(r, { tool: `ownbase-${process.env['OWNBASE_VERSION'] ?? 'dev'}` }), null, 2)}\n`;
    case 'cyclonedx-json': return `${JSON.stringify(toCycloneDx(r, { tool: 'ownbase' }), null, 2)}\n`;
    case 'table': return c ? comparisonTable(c) : reportTable(r);
  }
}

function columns(rows: string[][], right: ReadonlySet<number>): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

function reportTable(r: Report): string {
  const t = r.totals;
  const head = [
    `${r.source}${r.os?.prettyName ? ` (${r.os.prettyName})` : ''}: ${r.layers} layer${r.layers === 1 ? '' : 's'}, ${t.files} files, ${r.packages.length} packages`,
    `total ${formatBytes(t.bytes)}, compressed (${r.compressedBy}) ${formatBytes(t.compressedBytes)}, not needed in a container ${formatBytes(t.removableBytes)}`,
    '',
  ];
  const rows = [['PACKAGE', 'VERSION', 'BYTES', 'DECLARED', 'COMPRESSED', 'FREES', 'CLASS', 'WHY'],
    ...r.packages.map((p) => [p.name, p.version, formatBytes(p.bytes), formatBytes(p.declaredBytes), formatBytes(p.compressedBytes), formatBytes(p.freesBytes), p.class ?? '', p.why])];
  const unowned = r.unowned.slice(0, 15);
  const tail: string[] = [];
  if (unowned.length > 0) {
    tail.push('', `owned by no package (${formatBytes(r.unowned.reduce((s, u) => s + u.bytes, 0))}, largest folders):`);
    tail.push(columns(unowned.map((u) => [`  ${u.path}`, formatBytes(u.bytes), `${u.files} files`]), new Set([1, 2])));
  }
  if (r.classes.length > 0) {
    tail.push('', 'not needed in a container (recipe remove: entries):');
    for (const c of r.classes) tail.push(`  ${c.id} ${formatBytes(c.bytes)}: ${c.reason}\n    remove: [${c.remove.slice(0, 6).join(', ')}${c.remove.length > 6 ? ', …' : ''}]`);
  }
  return `${head.join('\n')}${columns(rows, new Set([2, 3, 4, 5]))}\n${tail.join('\n')}${tail.length > 0 ? '\n' : ''}`;
}

function comparisonTable(c: Comparison): string {
  const sign = (n: number): string => `${n > 0 ? '+' : ''}${formatBytes(n)}`;
  const lines = [
    `from ${c.before} to ${c.after}: ${sign(c.totals.bytes)} (compressed ${sign(c.totals.compressedBytes)}, ${c.totals.files >= 0 ? '+' : ''}${c.totals.files} files)`,
    `added: ${c.added.length > 0 ? c.added.join(', ') : 'none'}`,
    `removed: ${c.removed.length > 0 ? c.removed.join(', ') : 'none'}`,
    '',
  ];
  const rows = [['PACKAGE', 'BEFORE', 'AFTER', 'DELTA'],
    ...c.packages.map((p) => [p.name, p.before !== undefined ? formatBytes(p.before) : '-', p.after !== undefined ? formatBytes(p.after) : '-', sign(p.delta)])];
  return `${lines.join('\n')}${columns(rows, new Set([1, 2, 3]))}\n`;
}
