// The engine dies in the middle of an import: a private dockerd (own socket, data and exec roots,
// network namespace) is killed with SIGKILL while the archive is being uploaded. The shared engine
// and the host's network are never touched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type Dockerode from 'dockerode';
import { execa, type ResultPromise } from 'execa';
import { connectEngine, engineReachable, EngineUnreachableError } from '../../src/core/engine/connect';
import { importRootfs } from '../../src/core/engine/import';
import { busyboxRootfs, tempDir } from '../unit/engine/support';
import { descendants, endProcesses } from './processes';

const base = tempDir('dockerd');
const sock = join(base, 'docker.sock');
let daemon: ResultPromise | undefined;
let containerdPid: number | undefined;
let rootfs: string | undefined;

/**
 * The running containerd, shared under a namespace of our own: a containerd started by the private
 * dockerd would outlive its SIGKILL as an orphan nobody reaps.
 */
const SHARED_CONTAINERD = ['/run/containerd/containerd.sock', '/var/run/docker/containerd/containerd.sock'].find((p) => existsSync(p));
const NS = `ownbase-test-${randomBytes(4).toString('hex')}`;

before(async () => {
  // A network namespace of its own: with --bridge none a dockerd deletes the host's docker0.
  daemon = execa('unshare', [
    '--net', '--', 'dockerd',
    '--host', `unix://${sock}`, '--data-root', join(base, 'data'), '--exec-root', join(base, 'exec'),
    '--pidfile', join(base, 'docker.pid'), '--bridge', 'none', '--iptables=false', '--ip-masq=false',
    ...(SHARED_CONTAINERD ? ['--containerd', SHARED_CONTAINERD, '--containerd-namespace', NS, '--containerd-plugins-namespace', `${NS}-plugins`] : []),
  ], { reject: false, stdout: 'ignore', stderr: 'ignore' });
  const docker = connectEngine(`unix://${sock}`);
  for (let i = 0; i < 120 && !(await engineReachable(docker)); i++) await sleep(250);
  assert.ok(await engineReachable(docker), 'the private dockerd did not start in 30 s');
  if (!SHARED_CONTAINERD) containerdPid = descendants(daemon.pid!)[0];
  rootfs = busyboxRootfs(tempDir('stopped-rootfs'));
  mkdirSync(join(rootfs, 'data'));
  for (let i = 0; i < 4; i++) writeFileSync(join(rootfs, 'data', `blob${i}`), randomBytes(8 << 20));
});

after(async () => {
  // Whatever happened in `before` or the test: dockerd (running or not), the containerd it may have forked
  // (an orphan once dockerd is SIGKILLed, so its pid was noted while dockerd lived) and the rest of its tree.
  const tree = daemon?.pid !== undefined ? descendants(daemon.pid) : [];
  if (containerdPid !== undefined && !tree.includes(containerdPid)) tree.push(containerdPid);
  if (daemon && daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
  await daemon;
  await endProcesses(tree);
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(base));
  for (const m of mounts.reverse()) await execa('umount', [m], { reject: false });
  rmSync(base, { recursive: true, force: true });
  if (rootfs) rmSync(rootfs, { recursive: true, force: true });
});

/** The private engine; SIGKILLs its dockerd once 8 MiB of the archive went up. */
function killedMidUpload(docker: Dockerode, pid: number): Dockerode {
  return new Proxy(docker, {
    get(target, prop, receiver) {
      if (prop !== 'loadImage') return Reflect.get(target, prop, receiver) as unknown;
      return (body: Readable, opts: object) => {
        let sent = 0;
        const counter = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            sent += chunk.length;
            if (sent > 8 << 20 && sent - chunk.length <= 8 << 20) process.kill(pid, 'SIGKILL');
            cb(null, chunk);
          },
        });
        body.on('error', (e) => counter.destroy(e));
        return target.loadImage(body.pipe(counter), opts);
      };
    },
  });
}

test('the engine killed during the upload: a clear error, the rootfs kept, no temp files', async () => {
  const docker = connectEngine(`unix://${sock}`);
  const before = readdirSync(join(rootfs!, 'data')).map((n) => statSync(join(rootfs!, 'data', n)).size);
  const importDirs = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('ownbase-import-')).sort();
  const dirsBefore = importDirs();
  const tag = `ownbase-test/stopped-${randomBytes(4).toString('hex')}:1`;
  await assert.rejects(
    importRootfs(killedMidUpload(docker, daemon!.pid!), { rootfs: rootfs!, tag, arch: 'amd64', config: {}, labels: {} }),
    (e: unknown) => e instanceof EngineUnreachableError && e.message === `Docker engine not reachable at ${sock}: start dockerd or set ownbase.docker.host`,
  );
  assert.equal(await engineReachable(docker), false);
  assert.deepEqual(readdirSync(join(rootfs!, 'data')).map((n) => statSync(join(rootfs!, 'data', n)).size), before, 'the rootfs is intact for a retry');
  assert.ok(existsSync(join(rootfs!, 'bin/busybox')));
  assert.deepEqual(importDirs().filter((d) => !dirsBefore.includes(d)), [], 'no temporary folder left');
});
