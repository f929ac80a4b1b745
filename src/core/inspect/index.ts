/** The package-size inspector: sources → one streaming pass → files → packages → Report. */
export * from './apk';
export * from './classes';
export * from './compare';
export * from './deps';
export * from './dpkg';
export * from './formats';
export * from './imageArchive';
export * from './layerScan';
export * from './osRelease';
export * from './recipeEdit';
export * from './report';
export * from './sbom';
export * from './sources';
export * from './thresholds';
export * from './tree';

import { buildReport, type Report, type ReportOptions } from './report';
import { describeSource, readSource, type InspectSource, type ReadSourceOptions } from './sources';

/** Reads a source and builds its report. Throws a SourceError when the source cannot be read. */
export async function inspectSource(source: InspectSource, opts: ReportOptions & ReadSourceOptions = {}): Promise<Report> {
  const scanned = await readSource(source, opts);
  return buildReport(scanned, describeSource(source), opts);
}
