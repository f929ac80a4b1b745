// Which engine, with what TLS: the one resolver the view, the extension's builds and the CLI share, on a real
// docker CLI config folder (a context's meta.json and TLS files as `docker context create` writes them).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connectEngine } from '../../../src/core/engine/connect';
import { endpointEnv, engineEndpoint, isRemoteEndpoint, type EngineEndpoint } from '../../../src/core/engine/endpoint';
import { tempDir } from './support';
import { makeTlsFiles, writeDockerContext, type TlsFiles } from './tls';

const root = tempDir('endpoint');
const home = join(root, 'home');
const config = join(home, '.docker');
const readFile = (p: string): string | undefined => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } };
let tls: TlsFiles;
let other: TlsFiles;
let server: Server;
let port: number;

before(async () => {
  tls = makeTlsFiles(join(root, 'pki'));
  other = makeTlsFiles(join(root, 'other-pki'));
  // A TLS peer that, like dockerd --tlsverify, only answers clients with a certificate its CA signed.
  server = createServer({ key: readFileSync(tls.serverKey), cert: readFileSync(tls.serverCert), ca: readFileSync(tls.ca), requestCert: true, rejectUnauthorized: true },
    (req, res) => { res.writeHead(req.url?.endsWith('/_ping') ? 200 : 404, { 'Content-Type': 'text/plain' }); res.end(req.url?.endsWith('/_ping') ? 'OK' : ''); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  await new Promise((resolve) => server?.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

const resolveIn = (env: Record<string, string>, setting?: string): EngineEndpoint =>
  engineEndpoint({ env, home, readFile, ...(setting !== undefined && { setting }) });

test("a docker context's TLS material (contexts/tls/<sha256>/docker) and its SkipTLSVerify", () => {
  const tlsDir = writeDockerContext(config, 'secure', `tcp://127.0.0.1:${port}`, { tls, current: true });
  writeDockerContext(config, 'skip', 'tcp://10.1.2.3:2376', { skipTlsVerify: true });
  writeDockerContext(config, 'plain', 'tcp://10.1.2.3:2375');
  writeDockerContext(config, 'over-ssh', 'ssh://ops@builder', { tls });
  assert.deepEqual(resolveIn({}), { host: `tcp://127.0.0.1:${port}`, source: 'context', context: 'secure', tls: { certDir: tlsDir, verify: true } });
  assert.deepEqual(resolveIn({ DOCKER_CONTEXT: 'skip' }), { host: 'tcp://10.1.2.3:2376', source: 'context', context: 'skip', tls: { verify: false } });
  assert.deepEqual(resolveIn({ DOCKER_CONTEXT: 'plain' }), { host: 'tcp://10.1.2.3:2375', source: 'context', context: 'plain' });
  assert.deepEqual(resolveIn({ DOCKER_CONTEXT: 'over-ssh' }), { host: 'ssh://ops@builder', source: 'context', context: 'over-ssh' });
  assert.deepEqual(resolveIn({ DOCKER_CONFIG: join(root, 'nothing-here') }), { host: 'unix:///var/run/docker.sock', source: 'default' });
});

test('DOCKER_TLS_VERIFY, DOCKER_TLS and DOCKER_CERT_PATH give TLS to DOCKER_HOST and to the setting, only for TCP', () => {
  assert.deepEqual(resolveIn({ DOCKER_HOST: 'tcp://b:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }), { host: 'tcp://b:2376', source: 'DOCKER_HOST', tls: { certDir: '/certs', verify: true } });
  assert.deepEqual(resolveIn({ DOCKER_HOST: 'tcp://b:2376', DOCKER_TLS_VERIFY: 'yes' }), { host: 'tcp://b:2376', source: 'DOCKER_HOST', tls: { certDir: config, verify: true } });
  assert.deepEqual(resolveIn({ DOCKER_HOST: 'b:2376', DOCKER_TLS: '1' }), { host: 'b:2376', source: 'DOCKER_HOST', tls: { certDir: config, verify: false } });
  assert.deepEqual(resolveIn({ DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, 'tcp://s:2376'), { host: 'tcp://s:2376', source: 'setting', tls: { certDir: '/certs', verify: true } });
  assert.deepEqual(resolveIn({ DOCKER_HOST: 'unix:///x.sock', DOCKER_TLS_VERIFY: '1' }), { host: 'unix:///x.sock', source: 'DOCKER_HOST' });
  assert.deepEqual(resolveIn({ DOCKER_HOST: 'ssh://u@h', DOCKER_TLS_VERIFY: '1' }), { host: 'ssh://u@h', source: 'DOCKER_HOST' });
  assert.deepEqual(resolveIn({ DOCKER_HOST: 'tcp://b:2375', DOCKER_TLS_VERIFY: '' }), { host: 'tcp://b:2375', source: 'DOCKER_HOST' });
});

test('the variables a build is started with make the CLI resolve the same engine, whatever it inherited', () => {
  for (const context of ['secure', 'skip', 'plain', 'over-ssh']) {
    const e = resolveIn({ DOCKER_CONTEXT: context });
    const passed = Object.fromEntries(Object.entries(endpointEnv(e)).filter((kv): kv is [string, string] => kv[1] !== undefined));
    // As root under sudo: another home, no docker config, no context.
    const there = engineEndpoint({ env: passed, home: join(root, 'root-home'), readFile });
    assert.equal(there.host, e.host, context);
    assert.equal(there.tls?.verify, e.tls?.verify, context);
    if (e.tls?.certDir !== undefined) assert.equal(there.tls?.certDir, e.tls.certDir, context);
  }
  assert.deepEqual(endpointEnv(resolveIn({ DOCKER_CONTEXT: 'skip' })), { DOCKER_HOST: 'tcp://10.1.2.3:2376', DOCKER_CERT_PATH: undefined, DOCKER_TLS_VERIFY: undefined, DOCKER_TLS: '1', DOCKER_CONTEXT: undefined });
});

test("the client presents the context's certificate and checks the engine's against the context's CA", async () => {
  const secure = connectEngine(resolveIn({ DOCKER_CONTEXT: 'secure' }));
  assert.equal(String(await secure.ping()), 'OK');
  // The same engine from DOCKER_HOST + DOCKER_CERT_PATH + DOCKER_TLS_VERIFY, as a build started in VS Code gets it.
  assert.equal(String(await connectEngine(resolveIn({ DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: resolveIn({}).tls!.certDir! })).ping()), 'OK');
  // Another CA: the engine's certificate is refused, unless the context skips the check.
  const wrongCa = writeDockerContext(config, 'wrong-ca', `tcp://127.0.0.1:${port}`, { tls: { ...tls, ca: other.ca } });
  await assert.rejects(connectEngine(resolveIn({ DOCKER_CONTEXT: 'wrong-ca' })).ping(), /self[- ]signed|unable to verify|certificate/i);
  writeDockerContext(config, 'wrong-ca-skip', `tcp://127.0.0.1:${port}`, { tls: { ...tls, ca: other.ca }, skipTlsVerify: true });
  assert.equal(String(await connectEngine(resolveIn({ DOCKER_CONTEXT: 'wrong-ca-skip' })).ping()), 'OK');
  // No client certificate: the engine hangs up.
  await assert.rejects(connectEngine({ host: `tcp://127.0.0.1:${port}`, source: 'setting', tls: { verify: false } }).ping(), /certificate|socket hang up|ECONNRESET/i);
  // A certificate without its key is a clear error before anything is contacted.
  unlinkSync(join(wrongCa, 'key.pem'));
  assert.throws(() => connectEngine(resolveIn({ DOCKER_CONTEXT: 'wrong-ca' })), { message: `The engine's TLS folder ${wrongCa} has cert.pem but no key.pem` });
  writeFileSync(join(wrongCa, 'key.pem'), readFileSync(tls.clientKey));
});

test('remote engines: TCP to another host and SSH; sockets and loopback are local', () => {
  const table: [string, boolean][] = [
    ['unix:///var/run/docker.sock', false], ['/run/docker.sock', false], ['npipe:////./pipe/docker_engine', false],
    ['tcp://127.0.0.1:2375', false], ['tcp://localhost:2376', false], ['tcp://[::1]:2375', false], ['http://127.0.0.2:2375', false],
    ['tcp://10.0.0.5:2376', true], ['builder:2375', true], ['ssh://ops@builder', true], ['ssh://127.0.0.1', true], ['tcp://', false],
  ];
  for (const [host, remote] of table) assert.equal(isRemoteEndpoint(host), remote, host);
});
