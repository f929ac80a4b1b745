import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { engineEndpoint } from '../../../src/core/engine/endpoint';
import { parseImageEvent } from '../../../src/core/engine/list';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const files = (map: Record<string, string>) => (p: string): string | undefined => map[p];
const META = (host: string) => JSON.stringify({ Name: 'remote', Endpoints: { docker: { Host: host, SkipTLSVerify: false } } });

test('engine: the setting, else DOCKER_HOST, else the docker context, else the default socket', () => {
  const ctxFiles = files({
    '/home/u/.docker/config.json': JSON.stringify({ currentContext: 'remote' }),
    [`/home/u/.docker/contexts/meta/${sha('remote')}/meta.json`]: META('ssh://ops@build-host'),
    [`/home/u/.docker/contexts/meta/${sha('other')}/meta.json`]: META('tcp://10.0.0.9:2376'),
    [`/cfg/contexts/meta/${sha('remote')}/meta.json`]: META('unix:///run/user/1000/docker.sock'),
    '/cfg/config.json': '{"currentContext":"remote"}',
  });
  const base = { home: '/home/u', readFile: ctxFiles };
  assert.deepEqual(engineEndpoint({ ...base, setting: ' tcp://h:2375 ', env: { DOCKER_HOST: 'unix:///x.sock' } }), { host: 'tcp://h:2375', source: 'setting' });
  assert.deepEqual(engineEndpoint({ ...base, setting: '', env: { DOCKER_HOST: 'unix:///x.sock' } }), { host: 'unix:///x.sock', source: 'DOCKER_HOST' });
  assert.deepEqual(engineEndpoint({ ...base, env: {} }), { host: 'ssh://ops@build-host', source: 'context', context: 'remote' });
  assert.deepEqual(engineEndpoint({ ...base, env: { DOCKER_CONTEXT: 'other' } }), { host: 'tcp://10.0.0.9:2376', source: 'context', context: 'other' });
  assert.deepEqual(engineEndpoint({ ...base, env: { DOCKER_CONFIG: '/cfg' } }), { host: 'unix:///run/user/1000/docker.sock', source: 'context', context: 'remote' });
  assert.deepEqual(engineEndpoint({ ...base, env: { DOCKER_CONTEXT: 'default' } }), { host: 'unix:///var/run/docker.sock', source: 'default' });
  assert.deepEqual(engineEndpoint({ ...base, env: { DOCKER_CONTEXT: 'gone' } }), { host: 'unix:///var/run/docker.sock', source: 'default' });
  assert.deepEqual(engineEndpoint({ home: '/nowhere', readFile: files({ '/nowhere/.docker/config.json': '{not json' }), env: {} }), { host: 'unix:///var/run/docker.sock', source: 'default' });
});

test('image events: the five actions the view follows, with id and name', () => {
  const line = (Action: string, Type = 'image') => JSON.stringify({ status: Action, id: 'sha256:ab', Type, Action, Actor: { ID: 'sha256:ab', Attributes: { name: 'owned/x:1' } }, time: 1 });
  assert.deepEqual(parseImageEvent(line('tag')), { action: 'tag', id: 'sha256:ab', name: 'owned/x:1' });
  assert.deepEqual(parseImageEvent(line('delete')), { action: 'delete', id: 'sha256:ab', name: 'owned/x:1' });
  assert.equal(parseImageEvent(line('pull')), undefined);
  assert.equal(parseImageEvent(line('start', 'container')), undefined);
  assert.equal(parseImageEvent('{"Type":"image","Action":"untag"}')?.action, 'untag');
  assert.equal(parseImageEvent('not json'), undefined);
  assert.equal(parseImageEvent('null'), undefined);
});
