import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointEnv } from '../../../src/core/engine/endpoint';
import { cliLaunch } from '../../../src/extension/terminal/cliLaunch';

const runtime = { execPath: '/usr/bin/node', electron: false };
const inherited = { PATH: '/usr/bin', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/home/u/old-certs', DOCKER_CONTEXT: 'other' };
const engine = endpointEnv({ host: 'tcp://10.0.0.2:2376', source: 'context', context: 'builder', tls: { certDir: '/home/u/.docker/contexts/tls/abc/docker', verify: true } });

test('a build gets the engine the extension resolved, in place of the DOCKER_* variables it inherited', () => {
  const plain = cliLaunch({ runtime, cliPath: '/ext/dist/cli.js', args: ['build', 'a.ownbase.yaml'], env: inherited, engineEnv: engine });
  assert.deepEqual(plain.env, { PATH: '/usr/bin', DOCKER_HOST: 'tcp://10.0.0.2:2376', DOCKER_CERT_PATH: '/home/u/.docker/contexts/tls/abc/docker', DOCKER_TLS_VERIFY: '1' });
  const local = cliLaunch({ runtime, cliPath: '/ext/dist/cli.js', args: ['build', 'a.ownbase.yaml'], env: inherited, engineEnv: endpointEnv({ host: 'unix:///var/run/docker.sock', source: 'default' }) });
  assert.deepEqual(local.env, { PATH: '/usr/bin', DOCKER_HOST: 'unix:///var/run/docker.sock' });
});

test('through sudo (which resets the environment) the engine goes as env(1) arguments, and shows in the command line', () => {
  const l = cliLaunch({ runtime, cliPath: '/ext/dist/cli.js', args: ['build', 'a.ownbase.yaml'], env: inherited, engineEnv: engine, elevation: ['sudo', '-S'] });
  assert.deepEqual(l.argv, ['sudo', '-S', 'env', 'DOCKER_HOST=tcp://10.0.0.2:2376', 'DOCKER_CERT_PATH=/home/u/.docker/contexts/tls/abc/docker', 'DOCKER_TLS_VERIFY=1',
    '/usr/bin/node', '/ext/dist/cli.js', 'build', 'a.ownbase.yaml']);
  assert.equal(l.display, 'sudo -S env DOCKER_HOST=tcp://10.0.0.2:2376 DOCKER_CERT_PATH=/home/u/.docker/contexts/tls/abc/docker DOCKER_TLS_VERIFY=1 ownbase build a.ownbase.yaml');
});
