import { mkdir, readdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { explainEngineError } from './connect';
import { extractTar, type ExtractResult } from './extract';

export interface ExportResult extends ExtractResult {
  readonly path: string;
}

/**
 * `docker export` of a container, extracted into `destDir` (created; must be empty if it exists)
 * to edit and re-import. Owners, devices and fifos are kept when running as root; what could not be
 * recreated is listed in `skipped`. On failure or abort the folder is emptied again (and removed
 * if this call created it).
 */
export async function exportContainer(docker: Dockerode, containerId: string, destDir: string, signal?: AbortSignal): Promise<ExportResult> {
  signal?.throwIfAborted();
  const path = resolve(destDir);
  const existing = await readdir(path).catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return undefined; throw e; });
  if (existing !== undefined && existing.length > 0) throw new Error(`${path} is not empty: export a container into a new or empty folder`);
  let stream: Readable;
  try {
    stream = await docker.getContainer(containerId).export() as unknown as Readable;
  } catch (err) {
    throw explainEngineError(docker, err, `docker export of ${containerId}`);
  }
  if (existing === undefined) await mkdir(path, { recursive: true });
  try {
    const result = await extractTar(stream, path, { signal });
    return { path, ...result };
  } catch (err) {
    stream.destroy();
    if (existing === undefined) await rm(path, { recursive: true, force: true });
    else await Promise.all((await readdir(path)).map((n) => rm(resolve(path, n), { recursive: true, force: true })));
    throw explainEngineError(docker, err, `docker export of ${containerId}`);
  }
}
