import { splitImageRef } from '../kernel/imageRef';
import { execCapture } from './exec';

/** The tag a build whose checks failed keeps its image under: `owned/base:12` -> `owned/base:12-failed`. */
export function failedTag(ref: string): string {
  const r = splitImageRef(ref);
  const name = `${r.registry !== undefined ? `${r.registry}/` : ''}${r.path}`;
  return `${name}:${(r.tag ?? 'latest').slice(0, 128 - '-failed'.length)}-failed`;
}

/**
 * Keeps an image whose checks failed under `failedTag(tag)` and takes the final tag off it, so a failed image is never
 * what `FROM tag` gets, while the user can still look inside. Returns the tag it is kept under.
 */
export async function keepAsFailed(tag: string, docker = 'docker'): Promise<string> {
  const failed = failedTag(tag);
  const t = await execCapture([docker, 'tag', tag, failed], 60_000);
  if (t.exitCode !== 0) throw new Error(`docker tag ${tag} ${failed}: ${(t.error ?? t.stderr).trim()}`);
  const r = await execCapture([docker, 'image', 'rm', '--no-prune', tag], 60_000);
  if (r.exitCode !== 0) throw new Error(`docker image rm ${tag}: ${(r.error ?? r.stderr).trim()}`);
  return failed;
}
