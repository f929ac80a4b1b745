// A private dockerd (own network namespace, socket, data and exec roots; the shared containerd under a namespace of
// its own) serving a unix socket and TCP with --tlsverify and openssl-made certificates:
// - listed through a docker context with its TLS material, from a process inside the daemon's network namespace;
// - stopped and started again: the event stream ends, the view's model says the engine is gone (the Engine view's
//   welcome), the socket reappearing is seen by a folder watch (what the view reconnects on), and the images return.
// The shared engine is never stopped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import { connectEngine, engineReachable } from '../../src/core/engine/connect';
import { engineEndpoint } from '../../src/core/engine/endpoint';
import { importRootfs } from '../../src/core/engine/import';
import { provenanceLabels } from '../../src/core/engine/labels';
import { listEngineImages, watchImageEvents } from '../../src/core/engine/list';
import { buildWorkspaceModel, recipeSha256 } from '../../src/core/workspace/model';
import { busyboxRootfs, tempDir } from '../unit/engine/support';
import { makeTlsFiles, writeDockerContext, type TlsFiles } from '../unit/engine/tls';
import { descendants, endProcesses } from './processes';

const CHILD = process.env['OWNBASE_TEST_CONTEXT_CHILD'] === '1';
const PORT = 2376;

/** Inside the daemon's network namespace: the images of the current docker context, as JSON on stdout. */
async function listThroughContext(): Promise<void> {
  const readFile = (p: string): string | undefined => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } };
  const endpoint = engineEndpoint({ env: process.env, home: '/nonexistent', readFile });
  try {
    const images = await listEngineImages(connectEngine(endpoint));
    process.stdout.write(JSON.stringify({ endpoint, tags: images.flatMap((i) => i.tags).sort() }));
  } catch (e) {
    process.stdout.write(JSON.stringify({ endpoint, error: (e as Error).message }));
  }
}

if (CHILD) void listThroughContext();
else suite();

function suite(): void {
  const base = tempDir('remote-dockerd');
  const sock = join(base, 'docker.sock');
  const SHARED_CONTAINERD = ['/run/containerd/containerd.sock', '/var/run/docker/containerd/containerd.sock'].find((p) => existsSync(p));
  const NS = `ownbase-test-${randomBytes(4).toString('hex')}`;
  const TAG = `ownbase-test-view-remote-${randomBytes(4).toString('hex')}:1`;
  let tls: TlsFiles;
  let daemon: ResultPromise | undefined;
  const forked: number[] = [];
  let rootfs: string | undefined;
  let socketWatch: FSWatcher | undefined;

  /** dockerd in a new network namespace whose loopback is up (the shell script is constant; values go as arguments). */
  const startDaemon = (): ResultPromise => execa('unshare', [
    '--net', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', 'dockerd',
    '--host', `unix://${sock}`, '--host', `tcp://127.0.0.1:${PORT}`,
    '--tlsverify', '--tlscacert', tls.ca, '--tlscert', tls.serverCert, '--tlskey', tls.serverKey,
    '--data-root', join(base, 'data'), '--exec-root', join(base, 'exec'), '--pidfile', join(base, 'docker.pid'),
    '--bridge', 'none', '--iptables=false', '--ip-masq=false',
    ...(SHARED_CONTAINERD ? ['--containerd', SHARED_CONTAINERD, '--containerd-namespace', NS, '--containerd-plugins-namespace', `${NS}-plugins`] : []),
  ], { reject: false, stdout: 'ignore', stderr: 'ignore' });

  const local = connectEngine(`unix://${sock}`);
  async function untilReachable(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!(await engineReachable(local, 1000))) {
      if (Date.now() > deadline) assert.fail('the private dockerd did not answer within 30 s');
      await sleep(200);
    }
    if (!SHARED_CONTAINERD && daemon?.pid !== undefined) forked.push(...descendants(daemon.pid));
  }

  async function stopDaemon(): Promise<void> {
    if (!daemon) return;
    const tree = daemon.pid !== undefined ? descendants(daemon.pid) : [];
    if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGTERM');
    const stopped = await Promise.race([daemon.then(() => true), sleep(20_000).then(() => false)]);
    if (!stopped) daemon.kill('SIGKILL');
    await daemon;
    daemon = undefined;
    await endProcesses(tree);
  }

  before(async () => {
    tls = makeTlsFiles(join(base, 'pki'));
    daemon = startDaemon();
    await untilReachable();
    rootfs = busyboxRootfs(tempDir('remote-rootfs'));
    const labels = provenanceLabels({ baseName: 'scratch', recipePath: 'remote/bb.ownbase.yaml', recipeSha256: recipeSha256(new TextEncoder().encode('x')) });
    await importRootfs(local, { rootfs, tag: TAG, arch: 'amd64', config: {}, labels });
  });

  after(async () => {
    socketWatch?.close();
    await stopDaemon().catch(() => undefined);
    await endProcesses(forked.filter((p) => existsSync(`/proc/${p}`)));
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(base));
    for (const m of mounts.reverse()) await execa('umount', [m], { reject: false });
    rmSync(base, { recursive: true, force: true });
    if (rootfs) rmSync(rootfs, { recursive: true, force: true });
  });

  /** This test file run again as a plain node process inside the daemon's network namespace. */
  async function fromInside(env: Record<string, string>): Promise<{ endpoint: { host: string; context?: string; tls?: unknown }; tags?: string[]; error?: string }> {
    const { stdout } = await execa('nsenter', [`--net=/proc/${daemon!.pid}/ns/net`, '--', process.execPath, __filename], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', OWNBASE_TEST_CONTEXT_CHILD: '1', ...env }, extendEnv: false, timeout: 30_000,
    });
    return JSON.parse(stdout) as ReturnType<typeof fromInside> extends Promise<infer T> ? T : never;
  }

  test('a docker context with TLS material lists the engine over TCP with --tlsverify; without the material it is refused', async () => {
    const config = join(base, 'docker-config');
    const tlsDir = writeDockerContext(config, 'ownbase-test-tls', `tcp://127.0.0.1:${PORT}`, { tls, current: true });
    writeDockerContext(config, 'ownbase-test-bare', `tcp://127.0.0.1:${PORT}`, { skipTlsVerify: true });
    const listed = await fromInside({ DOCKER_CONFIG: config });
    assert.deepEqual(listed.endpoint, { host: `tcp://127.0.0.1:${PORT}`, source: 'context', context: 'ownbase-test-tls', tls: { certDir: tlsDir, verify: true } });
    assert.deepEqual(listed.tags, [TAG]);
    // What a build started in VS Code gets: the same engine as DOCKER_HOST and the TLS variables.
    const asBuild = await fromInside({ DOCKER_HOST: `tcp://127.0.0.1:${PORT}`, DOCKER_CERT_PATH: tlsDir, DOCKER_TLS_VERIFY: '1' });
    assert.deepEqual(asBuild.tags, [TAG]);
    const bare = await fromInside({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'ownbase-test-bare' });
    assert.equal(bare.tags, undefined);
    assert.match(bare.error ?? '', /not reachable at tcp:\/\/127\.0\.0\.1:2376|certificate|socket hang up|ECONNRESET/i);
  });

  test('the engine stops: the event stream ends and the model has no engine; it starts again: the socket reappears and the images are back', async () => {
    const events = await watchImageEvents(local, () => undefined);
    await stopDaemon();
    const ended = await Promise.race([events.ended, sleep(20_000).then(() => 'still open')]);
    assert.ok(ended instanceof Error, `the stream ends with an error when the engine goes (${String(ended)})`);
    assert.equal(await engineReachable(local, 2000), false);
    const recipes = [{ path: '/ws/remote/bb.ownbase.yaml', relPath: 'remote/bb.ownbase.yaml', bytes: new TextEncoder().encode('x') }];
    const gone = buildWorkspaceModel({ recipes, dockerfiles: [], images: undefined, ownedPatterns: [] });
    assert.deepEqual([gone.engineReachable, gone.recipes.map((r) => [r.relPath, r.state])], [false, [['remote/bb.ownbase.yaml', 'unknown']]]);

    // What the view does to notice the engine coming back without polling: watch the socket's folder.
    let reappeared = false;
    socketWatch = watch(base, (_event, name) => { if (name === 'docker.sock' && existsSync(sock)) reappeared = true; });
    daemon = startDaemon();
    await untilReachable();
    const deadline = Date.now() + 10_000;
    while (!reappeared && Date.now() < deadline) await sleep(100);
    assert.equal(reappeared, true, 'the folder watch saw the socket come back');
    const back = buildWorkspaceModel({ recipes, dockerfiles: [], images: await listEngineImages(local), ownedPatterns: [] });
    assert.deepEqual([back.engineReachable, back.recipes.map((r) => [r.state, r.images.flatMap((i) => i.tags)])], [true, [['built', [TAG]]]]);
  });
}
