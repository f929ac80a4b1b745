import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BuildState } from '../../../src/core/run/buildState';
import { statusView } from '../../../src/extension/terminal/statusText';
import type { EngineState } from '../../../src/extension/tree/engineWatcher';

const VERSION = { version: '20.10.24', apiVersion: '1.41', os: 'linux', arch: 'amd64' };
const REACHABLE: EngineState = { kind: 'reachable', endpoint: { host: 'unix:///var/run/docker.sock', source: 'default' }, version: VERSION, images: [] };
const STEP = { index: 3, total: 7, kind: 'slim', title: 'Slim the rootfs' } as const;
const building: BuildState = { state: 'building', step: STEP };

test('status bar: the engine when no build runs, with its version; a warning and a retry when unreachable', () => {
  assert.deepEqual(statusView([], REACHABLE, false), {
    text: '$(server) ownbase: Docker 20.10.24',
    tooltip: 'Docker engine 20.10.24 (API 1.41, linux/amd64) at unix:///var/run/docker.sock, from the default socket (click to show the Engine view)',
    warning: false, click: 'showEngine',
  });
  const remote: EngineState = { ...REACHABLE, endpoint: { host: 'tcp://builder:2376', source: 'context', context: 'builder' } };
  const r = statusView([], remote, true);
  assert.equal(r.text, '$(remote) ownbase: Docker 20.10.24');
  assert.match(r.tooltip, /at tcp:\/\/builder:2376, from docker context builder; builds make the rootfs here and import it over this connection/);
  assert.deepEqual(statusView([], { kind: 'unreachable', endpoint: { host: 'unix:///var/run/docker.sock', source: 'default' }, error: 'Docker engine not reachable at /var/run/docker.sock: start dockerd or set ownbase.docker.host' }, false), {
    text: '$(warning) ownbase: no engine',
    tooltip: 'Docker engine not reachable at /var/run/docker.sock: start dockerd or set ownbase.docker.host (unix:///var/run/docker.sock). Builds write an OCI archive instead. Click to retry.',
    warning: true, click: 'retryEngine',
  });
  assert.equal(statusView([], { kind: 'unknown' }, false).text, '$(server) ownbase: connecting…');
});

test('status bar: the running build\'s step replaces the engine, in the same item', () => {
  const v = statusView([{ recipe: 'a.ownbase.yaml', state: building }, { recipe: 'b.ownbase.yaml', state: building }], { kind: 'unreachable', error: 'x' }, false);
  assert.deepEqual(v, { text: '$(sync~spin) ownbase: [3/7] slim (+1)', tooltip: 'b.ownbase.yaml: Slim the rootfs (click to show the terminal)', warning: false, click: 'showTerminal' });
});
