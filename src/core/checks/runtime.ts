import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { execCapture, gzipSizeOf } from './exec';
import type { CheckTarget, ExecOptions, ExecResult, ImageFacts } from './target';
import { ImageTree } from './tree';

/** How much of each file the tree keeps (the file checks' `contents` read as much). */
const KEEP_BYTES = 1 << 20;

/** The label every runtime image carries (`needs --image`, `profile: runtime`): it tells an image with no shell. */
export { LABEL_NEEDS_BINARIES as RUNTIME_LABEL } from '../engine/labels';

/**
 * The driver of an image with no shell (a `profile: runtime` image, told by its label; engine.ts picks it): nothing can be `exec`ed into it, so every
 * program a check runs is its own container (`docker run --rm --network none --entrypoint ARGV0 IMAGE ARGS…`), and
 * what the scripts of the built-in and file checks find with a shell is read from the image's files (one
 * `docker export`, tree.ts). The loader check runs the image's own loader in trace mode on each ELF file.
 */
export function runtimeTarget(image: string, inspected: { readonly size: number; readonly facts: ImageFacts }, docker = 'docker'): CheckTarget {
  const { facts } = inspected;
  let tree: Promise<ImageTree> | undefined;
  return {
    name: image,
    driver: 'engine',
    async exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
      const name = `ownbase-check-${randomBytes(6).toString('hex')}`;
      const user = options.user ?? facts.user;
      const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
      const r = await execCapture([docker, 'run', '--rm', '--network', 'none', '--name', name, '--label', 'ownbase.checks=1',
        ...(user !== '' ? ['--user', user] : []), ...env, '--entrypoint', argv[0]!, image, ...argv.slice(1)], options.timeoutMs);
      // Killing the client leaves the container running: a timed-out one is removed by its name.
      if (r.timedOut) await execCapture([docker, 'rm', '-f', name], 60_000);
      // The engine's own failure to start the program (no such file in the image) exits 125-127 with its message.
      if (r.exitCode !== null && r.exitCode >= 125 && /docker: Error response from daemon|OCI runtime/.test(r.stderr)) {
        return { ...r, error: r.stderr.trim() };
      }
      return r;
    },
    config: () => Promise.resolve(facts),
    size: () => Promise.resolve(inspected.size),
    compressedSize: () => gzipSizeOf([docker, 'save', image]),
    tree: () => (tree ??= exportTree(docker, image)),
    close: () => Promise.resolve(),
  };
}

/** The image's files, read from `docker export` of a container created (never started) for it. */
async function exportTree(docker: string, image: string): Promise<ImageTree> {
  const created = await execCapture([docker, 'create', '--network', 'none', '--label', 'ownbase.checks=1', image], 60_000);
  if (created.exitCode !== 0) throw new Error(`docker create ${image}: ${(created.error ?? created.stderr).trim()}`);
  const id = created.stdout.trim();
  try {
    const child = spawn(docker, ['export', id], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    const exited = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    const read = ImageTree.read(child.stdout, KEEP_BYTES).catch((e: unknown) => { child.kill('SIGKILL'); throw e; });
    const [tree, code] = await Promise.all([read, exited]);
    if (code !== 0) throw new Error(`docker export of ${image}: exit ${code}: ${err.trim()}`);
    return tree;
  } finally {
    await execCapture([docker, 'rm', '-f', id], 60_000);
  }
}
