// Images that several integration tests use, built once per run by the first test that needs one and
// reused by tag by the others. scripts/test.mjs names the run (OWNBASE_TEST_RUN) and removes every
// `ownbase-test-shared/*:<run>` image at its end; a file run on its own removes them in its `after`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runCli } from '../../src/cli/run';

const HARNESS_RUN = process.env['OWNBASE_TEST_RUN'];
const RUN = HARNESS_RUN ?? `solo-${process.pid}`;
/** The package cache of shared builds: kept between runs on a machine, so only its first build downloads. */
const SHARED_CACHE = '/var/cache/ownbase-it/shared';

function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
}
const BOOKWORM_RECIPE = join(repoRoot(), 'examples/bookworm-slim.ownbase.yaml');

export const sharedTag = (name: string): string => `ownbase-test-shared/${name}:${RUN}`;
const imageExists = (ref: string): boolean => spawnSync('docker', ['image', 'inspect', ref], { stdio: 'ignore' }).status === 0;

/** Makes `ref` (an image a test built anyway) the run's shared image `name`. */
export function publishShared(name: string, ref: string): void {
  const r = spawnSync('docker', ['tag', ref, sharedTag(name)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker tag ${ref} ${sharedTag(name)}: ${r.stderr}`);
}

/**
 * The run's image of examples/bookworm-slim.ownbase.yaml (Debian 12 minbase, slimmed, ca-certificates),
 * built now unless a test built or published it earlier in this run.
 */
export async function sharedBookworm(): Promise<string> {
  const tag = sharedTag('bookworm-slim');
  if (imageExists(tag)) return tag;
  mkdirSync(SHARED_CACHE, { recursive: true });
  const work = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : '/var/tmp', 'ownbase-test-shared-'));
  let log = '';
  const io = { write: (s: string) => { log += s; } };
  try {
    const code = await runCli(['build', BOOKWORM_RECIPE, '--tag', tag, '--workdir', work, '--cache-dir', SHARED_CACHE], { cwd: work, stdout: io, stderr: io });
    if (code !== 0) throw new Error(`building the shared bookworm image failed (exit ${code}):\n${log.slice(-3000)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return tag;
}

/** For a file run on its own (no harness): removes the shared images it made. Under the harness, the harness does. */
export function releaseShared(): void {
  if (HARNESS_RUN) return;
  const ls = spawnSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=ownbase-test-shared/*:${RUN}`], { encoding: 'utf8' });
  const refs = (ls.stdout ?? '').split('\n').filter(Boolean);
  if (refs.length) spawnSync('docker', ['rmi', '-f', ...refs], { stdio: 'ignore' });
}
