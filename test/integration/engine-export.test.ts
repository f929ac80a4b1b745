// exportContainer, commitContainer and the re-import of an exported folder, on the real engine.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { commitContainer } from '../../src/core/engine/commit';
import { connectEngine, engineReachable } from '../../src/core/engine/connect';
import { exportContainer } from '../../src/core/engine/export';
import { configChanges } from '../../src/core/engine/imageConfig';
import { importRootfs } from '../../src/core/engine/import';
import { busyboxRootfs, tempDir } from '../unit/engine/support';

const docker = connectEngine();
const PREFIX = `ownbase-test/export-${randomBytes(4).toString('hex')}`;
const BASE = `${PREFIX}/base:1`;
const images: string[] = [];
const containers: string[] = [];
const dirs: string[] = [];
let containerId = '';

before(async () => {
  assert.ok(await engineReachable(docker), 'these tests need the Docker engine at /var/run/docker.sock (start dockerd)');
  const root = busyboxRootfs(tempDir('export-base'));
  dirs.push(root);
  images.push(BASE);
  await importRootfs(docker, { rootfs: root, tag: BASE, arch: 'amd64', config: { cmd: ['/bin/sh'] }, labels: {} });
  const c = await docker.createContainer({
    Image: BASE,
    Cmd: ['/bin/busybox', 'sh', '-c', 'echo exported > /data.txt && mkdir -p /var/x && ln -s /data.txt /var/x/link && chmod 4750 /data.txt && chown 65534:65534 /var/x'],
  });
  containerId = c.id;
  containers.push(c.id);
  await c.start();
  assert.equal((await c.wait()).StatusCode, 0);
});

after(async () => {
  for (const id of containers) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
  for (const ref of images) await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('exportContainer extracts the container filesystem with modes, owners and links', async () => {
  const dest = join(tempDir('export'), 'rootfs');
  dirs.push(dest, join(dest, '..'));
  const res = await exportContainer(docker, containerId, dest);
  assert.equal(res.path, dest);
  assert.deepEqual(res.skipped, []);
  assert.equal(readFileSync(join(dest, 'data.txt'), 'utf8'), 'exported\n');
  assert.equal(statSync(join(dest, 'data.txt')).mode & 0o7777, 0o4750);
  assert.equal(readlinkSync(join(dest, 'var/x/link')), '/data.txt');
  assert.equal(statSync(join(dest, 'var/x')).uid, 65534);
  assert.equal(statSync(join(dest, 'var/x')).gid, 65534);
  assert.equal(statSync(join(dest, 'bin/busybox')).mode & 0o7777, 0o755);
  assert.equal(statSync(join(dest, 'bin/busybox')).size, statSync('/bin/busybox').size);
  assert.ok(lstatSync(join(dest, 'bin/sh')).isSymbolicLink());
  // What the engine adds to every container filesystem comes along, as `docker export` gives it.
  assert.ok(existsSync(join(dest, '.dockerenv')));
  assert.equal(readlinkSync(join(dest, 'etc/mtab')), '/proc/mounts');
  assert.deepEqual(readdirSync(join(dest, 'proc')), []);

  const tag = `${PREFIX}/reimported:1`;
  images.push(tag);
  await importRootfs(docker, { rootfs: dest, tag, arch: 'amd64', config: { cmd: ['/bin/busybox', 'cat', '/data.txt'] }, labels: {} });
  assert.equal((await execa('docker', ['run', '--rm', tag])).stdout, 'exported');
  assert.equal((await execa('docker', ['run', '--rm', tag, '/bin/busybox', 'stat', '-c', '%a %u', '/data.txt'])).stdout, '4750 0');
});

test('exportContainer refuses a non-empty folder and leaves nothing behind on abort', async () => {
  const parent = tempDir('export-bad');
  dirs.push(parent);
  mkdirSync(join(parent, 'full'));
  writeFileSync(join(parent, 'full', 'keep.txt'), 'mine');
  await assert.rejects(exportContainer(docker, containerId, join(parent, 'full')), { message: `${join(parent, 'full')} is not empty: export a container into a new or empty folder` });
  assert.deepEqual(readdirSync(join(parent, 'full')), ['keep.txt']);

  const ac = new AbortController();
  setTimeout(() => ac.abort(), 5);
  await assert.rejects(exportContainer(docker, containerId, join(parent, 'aborted'), ac.signal), { name: 'AbortError' });
  assert.equal(existsSync(join(parent, 'aborted')), false);

  await assert.rejects(exportContainer(docker, 'no-such-container', join(parent, 'none')),
    { name: 'EngineError', statusCode: 404, message: 'docker export of no-such-container failed: No such container: no-such-container' });
  assert.equal(existsSync(join(parent, 'none')), false);
});

test('commitContainer applies --change instructions from configChanges, literally', async () => {
  const tag = `${PREFIX}/committed:1`;
  images.push(tag);
  const changes = configChanges({
    cmd: ['/bin/busybox', 'sh', '-c', 'echo "$A|$B|$(pwd)|$(id -u)"; cat /data.txt'],
    env: { A: 'x y', B: 'a"b$c' },
    workdir: '/var/x',
    user: 'nobody',
    expose: [8080],
    labels: { 'a.b': 'v w' },
  });
  const res = await commitContainer(docker, containerId, { tag, changes, comment: 'committed by a test' });
  assert.equal(res.tag, tag);
  const info = await docker.getImage(tag).inspect();
  assert.equal(info.Id, res.id);
  assert.deepEqual(info.Config.Cmd, ['/bin/busybox', 'sh', '-c', 'echo "$A|$B|$(pwd)|$(id -u)"; cat /data.txt']);
  assert.deepEqual(info.Config.Env, ['A=x y', 'B=a"b$c']);
  assert.equal(info.Config.WorkingDir, '/var/x');
  assert.equal(info.Config.User, 'nobody');
  assert.deepEqual(info.Config.ExposedPorts, { '8080/tcp': {} });
  assert.deepEqual(info.Config.Labels, { 'a.b': 'v w' });
  assert.equal(info.Comment, 'committed by a test');
  // /data.txt is 4750 root: nobody cannot read it, which shows USER took effect.
  const run = await execa('docker', ['run', '--rm', tag], { reject: false });
  assert.equal(run.stdout, 'x y|a"b$c|/var/x|65534');
  assert.match(run.stderr, /cat: can't open '\/data.txt': Permission denied/);

  await assert.rejects(commitContainer(docker, containerId, { tag: `${PREFIX}/bad:1`, changes: ['RUN rm -rf /'] }),
    { name: 'EngineError', statusCode: 400, message: `docker commit of ${containerId} failed: run is not a valid change command` });
});
