import type Dockerode from 'dockerode';
import { recordedLayerGzipSize } from '../core/build/inputs';
import type { UpToDateImage } from '../core/engine/import';
import type { BuildEventInit } from '../core/run/events';

/**
 * The build's "nothing to do": when an image a build named (never a -failed or pending one, checks/tags.ts) already
 * carries `inputs`, says so (a note naming what the inputs cover, and the result event) and returns it; else
 * undefined. Base and runtime builds (build.ts, buildRuntime.ts) both end here when their inputs are unchanged.
 */
export async function reportUpToDate(
  docker: Dockerode, inputs: string, target: string,
  /** `checks`: this build runs checks, so an image built with --no-checks is not up to date for it. */
  opts: { readonly cacheRoot: string; readonly covers: string; readonly startedAt: number; readonly checks: boolean },
  emit: (e: BuildEventInit) => void,
): Promise<UpToDateImage | undefined> {
  const [{ upToDateImage }, { isFinalTag }] = await Promise.all([import('../core/engine/import'), import('../core/checks/tags')]);
  const same = await upToDateImage(docker, inputs, target, isFinalTag, opts.checks).catch(() => undefined);
  if (!same) return undefined;
  emit({ type: 'note', level: 'info', text: `up to date: ${same.retagged ? `${same.id} has the same inputs; named it ${same.tag}` : `${same.tag} has the same inputs`} (${opts.covers}); --force rebuilds` });
  emit({
    type: 'result', tag: same.tag, seconds: (Date.now() - opts.startedAt) / 1000, size: same.size, layerGzipSize: recordedLayerGzipSize(opts.cacheRoot, same.id),
    id: same.id, ...(same.layerDigest !== undefined && { layerDigest: same.layerDigest }), upToDate: true, inputsSha256: inputs,
  });
  return same;
}
