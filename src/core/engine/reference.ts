/** An image name split as the engine's tag API wants it. */
export interface ImageRef {
  /** `owned/focal`, `localhost:5000/team/base` */
  readonly repo: string;
  /** `20.04`; `latest` when the name had none. */
  readonly tag: string;
}

const DOMAIN = String.raw`(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?`;
const COMPONENT = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`;
const NAME_RE = new RegExp(`^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;

/**
 * Parses `name[:tag]` the way the docker CLI does (no digests: ownbase tags what it builds).
 * Throws a message that says what is wrong with the name.
 */
export function parseImageRef(ref: string): ImageRef {
  if (ref.includes('@')) throw new Error(`Image name "${ref}" has a digest; give a name with an optional :tag`);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const [repo, tag] = colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
  if (repo.length > 255 || !NAME_RE.test(repo)) {
    throw new Error(`Image name "${ref}" is not valid: use lowercase letters, digits and . _ - separated by /, e.g. owned/bookworm:12`);
  }
  if (!TAG_RE.test(tag)) throw new Error(`Image tag "${tag}" in "${ref}" is not valid: letters, digits, _ . - (up to 128, not starting with . or -)`);
  return { repo, tag };
}

/** `owned/focal` → `owned/focal:latest` */
export const formatImageRef = (r: ImageRef): string => `${r.repo}:${r.tag}`;
