import type Dockerode from 'dockerode';
import { explainEngineError } from './connect';
import { formatTagName, parseTagName } from '../kernel/imageRef';

export interface CommitOptions {
  /** `name[:tag]` of the new image. */
  readonly tag: string;
  /** Dockerfile instructions applied while committing, like `docker commit --change` (CMD, ENV, …). */
  readonly changes?: readonly string[];
  readonly comment?: string;
  readonly author?: string;
  /** Pause the container during the commit (default true, like the CLI). */
  readonly pause?: boolean;
}

/** `docker commit`: a container's filesystem and config as a new image. */
export async function commitContainer(docker: Dockerode, id: string, opts: CommitOptions): Promise<{ id: string; tag: string }> {
  const ref = parseTagName(opts.tag);
  try {
    const res = await docker.getContainer(id).commit({
      repo: ref.repo,
      tag: ref.tag,
      pause: opts.pause ?? true,
      ...(opts.changes && opts.changes.length > 0 ? { changes: [...opts.changes] } : {}),
      ...(opts.comment !== undefined ? { comment: opts.comment } : {}),
      ...(opts.author !== undefined ? { author: opts.author } : {}),
    }) as { Id?: string; id?: string };
    return { id: res.Id ?? res.id ?? '', tag: formatTagName(ref) };
  } catch (err) {
    throw explainEngineError(docker, err, `docker commit of ${id}`);
  }
}
