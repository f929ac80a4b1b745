// `ownbase build --sbom FILE [--sbom-format spdx-json|cyclonedx-json]`: the SBOM of what the build made,
// written by the inspector (src/core/inspect) once the image (or archive) exists. Kept apart from build.ts,
// which only takes the two options out and calls writeBuildSbom after a successful build.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type Dockerode from 'dockerode';
import { buildReport } from '../core/inspect/report';
import { toCycloneDx, toSpdx } from '../core/inspect/sbom';
import type { EngineEndpoint } from '../core/engine/endpoint';
import { describeSource, readSource, type InspectSource } from '../core/inspect/sources';
import { UsageError } from './usageError';

export const SBOM_FORMATS = ['spdx-json', 'cyclonedx-json'] as const;
export type SbomFormat = (typeof SBOM_FORMATS)[number];

export interface SbomRequest {
  /** Where the SBOM goes, as given (resolved against the working folder when written). */
  readonly file: string;
  readonly format: SbomFormat;
}

/** The format a file name implies: `*.cdx.json`, `*cyclonedx*.json` → CycloneDX, `*.spdx.json`, `*spdx*` → SPDX. */
export function sbomFormatOf(file: string): SbomFormat | undefined {
  const f = file.toLowerCase();
  if (/(?:\.cdx|cyclonedx[^/]*)\.json$/.test(f) || f.endsWith('.bom.json')) return 'cyclonedx-json';
  if (/spdx[^/]*\.json$/.test(f)) return 'spdx-json';
  return undefined;
}

/**
 * Takes `--sbom FILE` and `--sbom-format F` (also `--flag=value`) out of build's arguments; the rest go to
 * parseBuildArgs unchanged. Without --sbom-format the file's name decides, and a name that does not is
 * a usage error.
 */
export function takeSbomArgs(args: readonly string[]): { rest: string[]; sbom?: SbomRequest } {
  const rest: string[] = [];
  let file: string | undefined;
  let format: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') { rest.push(...args.slice(i)); break; }
    const m = /^(--sbom|--sbom-format)(?:=(.*))?$/s.exec(a);
    if (!m) { rest.push(a); continue; }
    const v = m[2] ?? args[++i];
    if (v === undefined || v === '') throw new UsageError(`${m[1]} needs a value`);
    if (m[1] === '--sbom') file = v; else format = v;
  }
  if (format !== undefined && !(SBOM_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--sbom-format must be ${SBOM_FORMATS.join(' or ')}, not '${format}'`);
  }
  if (file === undefined) {
    if (format !== undefined) throw new UsageError('--sbom-format needs --sbom FILE');
    return { rest };
  }
  const f = (format as SbomFormat | undefined) ?? sbomFormatOf(file);
  if (f === undefined) throw new UsageError(`--sbom ${file}: name it *.spdx.json or *.cdx.json, or give --sbom-format spdx-json|cyclonedx-json`);
  return { rest, sbom: { file, format: f } };
}

/**
 * Inspects what the build made (the image in the engine, or the archive it wrote) and writes its SBOM.
 * Resolves to the absolute path written; rejects with the reason when the source cannot be read or the
 * file cannot be written.
 */
export async function writeBuildSbom(req: SbomRequest, built: { image: string; docker: Dockerode; endpoint?: EngineEndpoint } | { archive: string }, cwd: string, signal?: AbortSignal): Promise<string> {
  const source: InspectSource = 'archive' in built ? { kind: 'archive', path: built.archive } : { kind: 'image', ref: built.image };
  const scanned = await readSource(source, {
    compressed: 'estimate', ...('docker' in built ? { docker: () => built.docker, ...(built.endpoint && { endpoint: built.endpoint }) } : {}), ...(signal ? { signal } : {}),
  });
  const report = buildReport(scanned, describeSource(source));
  const doc = req.format === 'spdx-json'
    ? toSpdx(report, { tool: `ownbase-${process.env['OWNBASE_VERSION'] ?? 'dev'}` })
    : toCycloneDx(report, { tool: 'ownbase' });
  const path = resolve(cwd, req.file);
  writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`);
  return path;
}
