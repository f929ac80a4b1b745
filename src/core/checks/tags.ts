import { randomBytes } from 'node:crypto';
import { splitImageRef } from '../kernel/imageRef';
import { execCapture } from './exec';

// A build whose checks run imports its image under a pending tag; only the checks' outcome decides the name it
// ends with (ARCHITECTURE.md, "checks"): NAME when they pass, NAME-failed when one fails, none when cancelled.

const FAILED = '-failed';
const PENDING = '-ownbase-pending-';
const PENDING_RANDOM_CHARS = 16;
const PENDING_AT_END = new RegExp(`${PENDING}[0-9a-f]{${PENDING_RANDOM_CHARS}}$`);

/** `name:tag` of a reference, the tag cut so that `tag + suffix` stays within a tag's 128 characters. */
function suffixed(ref: string, suffix: string): string {
  const r = splitImageRef(ref);
  const name = `${r.registry !== undefined ? `${r.registry}/` : ''}${r.path}`;
  return `${name}:${(r.tag ?? 'latest').slice(0, 128 - suffix.length)}${suffix}`;
}

/** The tag a build whose checks failed keeps its image under: `owned/base:12` -> `owned/base:12-failed`. */
export function failedTag(ref: string): string {
  return suffixed(ref, FAILED);
}

/**
 * A new tag, unique to one build, for its image while the checks run: `owned/base:12` ->
 * `owned/base:12-ownbase-pending-<16 hex>`. Nothing but that build ever gives or takes it.
 */
export function pendingTag(ref: string): string {
  return suffixed(ref, `${PENDING}${randomBytes(PENDING_RANDOM_CHARS / 2).toString('hex')}`);
}

/**
 * Whether `ref` is a name a build gives only to an image whose checks passed (or were skipped with --no-checks):
 * not a `-failed` tag, not a pending one, not `<none>`. An image is up to date only under such a name.
 */
export function isFinalTag(ref: string): boolean {
  const tag = splitImageRef(ref).tag ?? 'latest';
  if (ref === '<none>:<none>' || tag === '<none>') return false;
  return !tag.endsWith(FAILED) && !PENDING_AT_END.test(tag);
}

async function docker(argv: readonly string[], cli: string): Promise<void> {
  const r = await execCapture([cli, ...argv], 60_000);
  if (r.exitCode !== 0) throw new Error(`${['docker', ...argv].join(' ')}: ${(r.error ?? r.stderr).trim()}`);
}

/** The image ID `ref` names now, or undefined. */
async function idOf(ref: string, cli: string): Promise<string | undefined> {
  const r = await execCapture([cli, 'image', 'inspect', '--format', '{{.Id}}', ref], 60_000);
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

/** Moves the image under `pending` to `to` (taking `to` from whatever image had it) and drops `pending`. */
async function moveTag(pending: string, to: string, cli: string): Promise<void> {
  await docker(['tag', pending, to], cli);
  await docker(['image', 'rm', '--no-prune', pending], cli);
}

/** The checks passed: the image under `pending` becomes `tag`, and the pending tag goes. */
export async function promote(pending: string, tag: string, cli = 'docker'): Promise<void> {
  await moveTag(pending, tag, cli);
}

/**
 * The checks failed: the image under `pending` is kept as `failedTag(tag)`, so the user can look inside, while `tag`
 * stays on the image it had (the last one whose checks passed). The image an earlier failure kept there is removed
 * unless something else still names or uses it. Returns the tag it is kept under.
 */
export async function keepAsFailed(pending: string, tag: string, cli = 'docker'): Promise<string> {
  const failed = failedTag(tag);
  const before = await idOf(failed, cli);
  await moveTag(pending, failed, cli);
  if (before !== undefined && before !== await idOf(failed, cli)) {
    // Refused (and left alone) when another tag or a container still uses it.
    await execCapture([cli, 'image', 'rm', before], 60_000);
  }
  return failed;
}

/** Cancelled or broken before a verdict: the pending tag goes, and with it the image unless another name has it. Never throws. */
export async function discardPending(pending: string, cli = 'docker'): Promise<void> {
  await execCapture([cli, 'image', 'rm', pending], 60_000);
}
