import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectEngine, engineAddressOf, EngineUnreachableError, formatEngineAddress, isConnectionError, parseEngineHost } from '../../../src/core/engine/connect';
import { importRootfs } from '../../../src/core/engine/import';
import { formatTagName as formatImageRef, parseTagName as parseImageRef } from '../../../src/core/kernel/imageRef';

test('Docker hosts parse like the docker CLI', () => {
  assert.deepEqual(parseEngineHost('', {}), { kind: 'socket', socketPath: '/var/run/docker.sock' });
  assert.deepEqual(parseEngineHost('unix:///run/user/1000/docker.sock', {}), { kind: 'socket', socketPath: '/run/user/1000/docker.sock' });
  assert.deepEqual(parseEngineHost('/tmp/d.sock', {}), { kind: 'socket', socketPath: '/tmp/d.sock' });
  assert.deepEqual(parseEngineHost('tcp://10.0.0.5:2375', {}), { kind: 'tcp', protocol: 'http', host: '10.0.0.5', port: 2375 });
  assert.deepEqual(parseEngineHost('tcp://10.0.0.5:2376', {}), { kind: 'tcp', protocol: 'https', host: '10.0.0.5', port: 2376 });
  assert.deepEqual(parseEngineHost('tcp://builder:2375', { DOCKER_TLS_VERIFY: '1' }), { kind: 'tcp', protocol: 'https', host: 'builder', port: 2375 });
  assert.deepEqual(parseEngineHost('builder:4243', {}), { kind: 'tcp', protocol: 'http', host: 'builder', port: 4243 });
  assert.deepEqual(parseEngineHost('ssh://ops@builder', {}), { kind: 'ssh', host: 'builder', port: 22, username: 'ops' });
  assert.throws(() => parseEngineHost('ftp://x', {}), /unsupported scheme ftp:/);
  assert.equal(formatEngineAddress(parseEngineHost('tcp://10.0.0.5:2375', {})), 'tcp://10.0.0.5:2375');
});

test('connectEngine connects where it is told, else DOCKER_HOST, else /var/run/docker.sock', () => {
  assert.equal(engineAddressOf(connectEngine('unix:///nonexistent.sock')), '/nonexistent.sock');
  assert.equal(engineAddressOf(connectEngine('tcp://127.0.0.1:2399')), 'tcp://127.0.0.1:2399');
  const saved = process.env['DOCKER_HOST'];
  try {
    process.env['DOCKER_HOST'] = 'tcp://127.0.0.1:2398';
    assert.equal(engineAddressOf(connectEngine()), 'tcp://127.0.0.1:2398');
    assert.equal(engineAddressOf(connectEngine('unix:///x.sock')), '/x.sock', 'the setting wins over DOCKER_HOST');
    delete process.env['DOCKER_HOST'];
    assert.equal(engineAddressOf(connectEngine()), '/var/run/docker.sock');
  } finally {
    if (saved === undefined) delete process.env['DOCKER_HOST'];
    else process.env['DOCKER_HOST'] = saved;
  }
});

test('the unreachable message says what to do', () => {
  assert.equal(new EngineUnreachableError('/var/run/docker.sock').message,
    'Docker engine not reachable at /var/run/docker.sock: start dockerd or set ownbase.docker.host');
  assert.equal(new EngineUnreachableError('/var/run/docker.sock', Object.assign(new Error('x'), { code: 'EACCES' })).message,
    'Docker engine not reachable at /var/run/docker.sock: start dockerd or set ownbase.docker.host (permission denied on the socket: run as root or join the docker group)');
});

test('image names split into repo and tag; bad names are explained', () => {
  assert.deepEqual(parseImageRef('owned/focal:20.04'), { repo: 'owned/focal', tag: '20.04' });
  assert.deepEqual(parseImageRef('owned/focal'), { repo: 'owned/focal', tag: 'latest' });
  assert.deepEqual(parseImageRef('localhost:5000/team/base'), { repo: 'localhost:5000/team/base', tag: 'latest' });
  assert.deepEqual(parseImageRef('localhost:5000/team/base:v1'), { repo: 'localhost:5000/team/base', tag: 'v1' });
  assert.equal(formatImageRef(parseImageRef('bookworm-slim')), 'bookworm-slim:latest');
  assert.throws(() => parseImageRef('Owned/Focal'), /Image name "Owned\/Focal" is not valid/);
  assert.throws(() => parseImageRef('x:-bad'), /Image name "x:-bad" is not valid: invalid tag '-bad'/);
  assert.throws(() => parseImageRef(`x@sha256:${'a'.repeat(64)}`), /has a digest/);
  assert.throws(() => parseImageRef('a; rm -rf /'), /is not valid/);
});

test('a missing socket is a connection error; a missing file is not', () => {
  const e = (code: string, syscall?: string, statusCode?: number): Error => Object.assign(new Error(code), { code, ...(syscall ? { syscall } : {}), ...(statusCode ? { statusCode } : {}) });
  assert.equal(isConnectionError(e('ENOENT', 'connect')), true);
  assert.equal(isConnectionError(e('EACCES', 'connect')), true);
  assert.equal(isConnectionError(e('ECONNREFUSED', 'connect')), true);
  assert.equal(isConnectionError(e('ECONNRESET')), true);
  assert.equal(isConnectionError(e('ENOENT', 'scandir')), false);
  assert.equal(isConnectionError(e('EACCES', 'open')), false);
  assert.equal(isConnectionError(new Error('x')), false);
});

test('importRootfs checks its input before it contacts the engine', async () => {
  const none = connectEngine('unix:///nonexistent.sock');
  const req = { rootfs: '/nonexistent-rootfs', tag: 'ok:1', arch: 'amd64', config: {}, labels: {} };
  await assert.rejects(importRootfs(none, req), { message: 'The root filesystem /nonexistent-rootfs is not a directory' });
  await assert.rejects(importRootfs(none, { ...req, rootfs: '/', tag: 'UPPER' }), /Image name "UPPER" is not valid/);
  await assert.rejects(importRootfs(none, { ...req, rootfs: '/', arch: 'x86_64' }), /Unknown Debian architecture "x86_64"/);
  await assert.rejects(importRootfs(none, { ...req, rootfs: '/' }), { name: 'EngineUnreachableError', message: 'Docker engine not reachable at /nonexistent.sock: start dockerd or set ownbase.docker.host' });
});
