import { execCapture, gzipSizeOf } from './exec';
import { RUNTIME_LABEL, runtimeTarget } from './runtime';
import type { CheckTarget, ExecOptions, ExecResult, ImageFacts } from './target';

/**
 * The engine driver: the image runs in one container started for the checks (`docker run -d --rm --network none`,
 * as root, its entrypoint a shell waiting on stdin) and every check is a `docker exec` into it — as the image's USER
 * unless a check says otherwise, in its WORKDIR, with its ENV. The container is removed by `close()`. It uses the
 * docker CLI (the engine the user's `docker` talks to), so no engine client is loaded. An image labelled as a
 * runtime image has no shell to wait in: it gets runtime.ts's driver instead.
 */
export async function engineTarget(image: string, docker = 'docker'): Promise<CheckTarget> {
  const inspect = await execCapture([docker, 'image', 'inspect', '--format', '{{json .}}', image], 60_000);
  if (inspect.exitCode !== 0) throw new Error(`no image ${image} in the engine: ${(inspect.error ?? inspect.stderr).trim()}`);
  const raw = JSON.parse(inspect.stdout) as { Size?: number; Config?: Record<string, unknown> };
  const facts = imageFacts(raw.Config ?? {});
  // A runtime image has no shell to wait in or to run the scripts: its own driver.
  if (facts.labels[RUNTIME_LABEL] !== undefined) return runtimeTarget(image, { size: raw.Size ?? 0, facts }, docker);
  const started = await execCapture([docker, 'run', '-d', '-i', '--rm', '--network', 'none', '--user', '0:0',
    '--entrypoint', '/bin/sh', '--label', 'ownbase.checks=1', image], 60_000);
  if (started.exitCode !== 0) throw new Error(`cannot start ${image} for its checks (it needs /bin/sh): ${(started.error ?? started.stderr).trim()}`);
  const id = started.stdout.trim();
  return {
    name: image,
    driver: 'engine',
    exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
      const user = options.user ?? facts.user;
      const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
      return execCapture([docker, 'exec', ...(user !== '' ? ['--user', user] : []), ...env, id, ...argv], options.timeoutMs);
    },
    config: () => Promise.resolve(facts),
    size: () => Promise.resolve(raw.Size ?? 0),
    compressedSize: () => gzipSizeOf([docker, 'save', image]),
    async close(): Promise<void> { await execCapture([docker, 'rm', '-f', id], 60_000); },
  };
}

/** The engine's image Config, normalised. */
export function imageFacts(config: Record<string, unknown>): ImageFacts {
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
  const env: Record<string, string> = {};
  for (const e of list(config['Env'])) {
    const at = e.indexOf('=');
    if (at > 0) env[e.slice(0, at)] = e.slice(at + 1);
  }
  const labels = typeof config['Labels'] === 'object' && config['Labels'] !== null ? config['Labels'] as Record<string, string> : {};
  const ports = typeof config['ExposedPorts'] === 'object' && config['ExposedPorts'] !== null ? Object.keys(config['ExposedPorts']) : [];
  return {
    env, labels: { ...labels }, exposedPorts: ports.sort(),
    cmd: list(config['Cmd']), entrypoint: list(config['Entrypoint']),
    workdir: typeof config['WorkingDir'] === 'string' ? config['WorkingDir'] : '',
    user: typeof config['User'] === 'string' ? config['User'] : '',
  };
}
