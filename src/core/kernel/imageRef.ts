/** An image reference split by Docker's reference grammar (distribution/reference). */
export interface ImageRef {
  /** `host[:port]` when the first path component names a registry (has `.` or `:`, or is `localhost`). */
  readonly registry?: string;
  /** The repository path as written, without the registry: `ubuntu`, `library/ubuntu`, `owned/focal`. */
  readonly path: string;
  readonly tag?: string;
  /** `algorithm:hex`, e.g. `sha256:…`. */
  readonly digest?: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const DOMAIN_COMPONENT = /^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;
const IPV6 = /^\[[0-9A-Fa-f:.]+\]$/;
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const MAX_NAME = 255;

function checkRegistry(registry: string): string | undefined {
  const m = /^(.*?)(?::(\d+))?$/.exec(registry)!;
  const host = m[1]!;
  if (IPV6.test(host)) return undefined;
  if (host === '' || !host.split('.').every((c) => DOMAIN_COMPONENT.test(c))) {
    return `invalid registry '${registry}': a registry is host[:port], e.g. registry.example:5000`;
  }
  const port = m[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `invalid registry port ${port} (1–65535)`;
  return undefined;
}

function checkComponent(c: string): string | undefined {
  if (c === '') return 'empty path component (doubled or trailing /)';
  if (PATH_COMPONENT.test(c)) return undefined;
  if (PATH_COMPONENT.test(c.toLowerCase())) return `repository name must be lowercase ('${c}' has uppercase letters)`;
  return `invalid path component '${c}': lowercase letters and digits, separated by '.', '_', '__' or '-'`;
}

/**
 * Splits an image reference as Docker's reference grammar does (`registry/path:tag@digest`; the first path
 * component is a registry when it has `.` or `:`, is `localhost` or has upper-case letters). Never throws and
 * validates nothing: a Dockerfile's FROM is read with it whatever it holds.
 */
export function splitImageRef(s: string): ImageRef {
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) { digest = rest.slice(at + 1); rest = rest.slice(0, at); }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) { tag = rest.slice(colon + 1); rest = rest.slice(0, colon); }
  let registry: string | undefined;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase()) { registry = first; rest = rest.slice(slash + 1); }
  }
  return {
    ...(registry !== undefined && { registry }),
    path: rest,
    ...(tag !== undefined && { tag }),
    ...(digest !== undefined && { digest }),
  };
}

/** `busybox`, `library/busybox` and `docker.io/library/busybox` name one repository. */
export function canonicalRepository(ref: ImageRef): string {
  const registry = ref.registry === undefined || ref.registry === 'index.docker.io' ? 'docker.io' : ref.registry;
  const path = registry === 'docker.io' && !ref.path.includes('/') ? `library/${ref.path}` : ref.path;
  return `${registry}/${path}`;
}

/** Splits and validates an image reference; `{ error }` says what is wrong in words. */
export function parseImageRef(s: string): ImageRef | { readonly error: string } {
  if (s.length === 0) return { error: 'empty image reference' };
  if (/\s/.test(s)) return { error: 'an image reference has no spaces' };
  const ref = splitImageRef(s);
  const { registry, path, tag, digest } = ref;
  if (digest !== undefined) {
    const algorithm = digest.slice(0, Math.max(0, digest.indexOf(':')));
    const hex = digest.slice(digest.indexOf(':') + 1);
    if (!DIGEST.test(digest) || (DIGEST_HEX_LENGTH[algorithm] !== undefined && hex.length !== DIGEST_HEX_LENGTH[algorithm])) {
      return { error: `invalid digest '${digest}': expected algorithm:hex, e.g. sha256: followed by 64 hex digits` };
    }
  }
  if (tag !== undefined && !TAG.test(tag)) {
    return { error: `invalid tag '${tag}': a tag is up to 128 letters, digits, '_', '.' or '-', and does not start with '.' or '-'` };
  }
  if (path === '' && registry === undefined) return { error: 'missing repository name' };
  if (registry !== undefined) {
    const bad = checkRegistry(registry);
    if (bad) return { error: bad };
  }
  for (const c of path.split('/')) {
    const bad = checkComponent(c);
    if (bad) return { error: bad };
  }
  if ((registry ? registry.length + 1 : 0) + path.length > MAX_NAME) return { error: `repository name longer than ${MAX_NAME} characters` };
  return ref;
}

/** A name ownbase tags an image with, split as the engine's tag API wants it. */
export interface TagName {
  /** `owned/focal`, `localhost:5000/team/base` */
  readonly repo: string;
  /** `20.04`; `latest` when the name had none. */
  readonly tag: string;
}

/**
 * Reads `name[:tag]` for tagging what ownbase builds (no digest). Throws a message that says what is
 * wrong with the name.
 */
export function parseTagName(s: string): TagName {
  const ref = parseImageRef(s);
  if ('error' in ref) throw new Error(`Image name "${s}" is not valid: ${ref.error}`);
  if (ref.digest !== undefined) throw new Error(`Image name "${s}" has a digest; give a name with an optional :tag`);
  return { repo: ref.registry !== undefined ? `${ref.registry}/${ref.path}` : ref.path, tag: ref.tag ?? 'latest' };
}

/** `owned/focal` → `owned/focal:latest` */
export const formatTagName = (r: TagName): string => `${r.repo}:${r.tag}`;
