import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildEventDecoder, formatBuildEvent, parseBuildEvent, type BuildEvent, type BuildEventInit } from '../../../src/core/run/events';
import { renderBuildEvent } from '../../../src/core/run/render';
import { BUILD_STARTED, endBuildState, nextBuildState } from '../../../src/core/run/buildState';

const PLAN: BuildEventInit = {
  type: 'plan', recipe: 'examples/bookworm-slim.ownbase.yaml', image: 'owned/bookworm-slim:12', bootstrapTool: 'mmdebstrap', rootfs: '/var/tmp/w/rootfs',
  keepRootfs: false, fromRootfs: false, mirror: 'http://mirror.invalid/debian', mirrorSource: 'host',
  cache: { dir: '/var/cache/ownbase/debian/bookworm/amd64', warm: false, reason: 'nothing cached yet' },
  steps: [{ id: 'bootstrap', kind: 'bootstrap', title: 'bootstrap debian bookworm amd64 (mmdebstrap)', why: 'a minimal Debian', argv: ['mmdebstrap', '--variant=minbase'], needsRoot: true }],
};
/** One of each type, every optional field used somewhere. */
const ALL: BuildEventInit[] = [
  PLAN,
  { type: 'step-start', id: 'bootstrap', phase: 'main', index: 2, total: 6, kind: 'bootstrap', title: 'bootstrap debian bookworm amd64 (mmdebstrap)', why: 'a minimal Debian', commandLine: "mmdebstrap --variant=minbase 'a b'" },
  { type: 'output', id: 'bootstrap', phase: 'main', stream: 'stderr', text: 'I: 日本🐳 "quoted" \\ back\r\n\u0000\u001b[1m' },
  { type: 'step-end', id: 'bootstrap', phase: 'main', outcome: 'failed', exitCode: null, signal: 'SIGKILL', error: 'killed by SIGKILL', seconds: 12.345 },
  { type: 'note', level: 'warning', text: 'cleanup failed: unmount' },
  { type: 'result', tag: 'owned/x:1', seconds: 20.5, size: 81_500_000, layerGzipSize: 29_100_000, id: 'sha256:aa', layerDigest: 'sha256:bb', keptRootfs: '/var/tmp/k', updatesApplied: 15, updates: 'updates: 15 packages upgraded from bookworm-updates and bookworm-security' },
  { type: 'error', code: 'step-failed', message: 'import failed: engine gone', step: 'import', hint: 'the rootfs is kept at /w; retry only the import with:\n  ownbase build r --from-rootfs /w' },
];

test('every event type round-trips: formatted as one line with "v":1, parsed back equal', () => {
  for (const e of ALL) {
    const line = formatBuildEvent(e);
    assert.equal(line.endsWith('\n'), true);
    assert.equal(line.indexOf('\n'), line.length - 1, 'one line');
    assert.equal(JSON.parse(line).v, 1);
    assert.deepEqual(parseBuildEvent(line), { v: 1, ...e });
  }
});

test('malformed or foreign lines are not events', () => {
  const good = JSON.parse(formatBuildEvent(ALL[1]!)) as Record<string, unknown>;
  const bad = (patch: Record<string, unknown>): string => JSON.stringify({ ...good, ...patch });
  for (const line of [
    '', 'plain text', '[sudo] password for root: ', '{', '{"v":1,"type":"output"', 'null', '[1,2]', '"{}"',
    bad({ v: 2 }), bad({ v: '1' }), bad({ v: undefined }), bad({ type: 'progress' }), bad({ type: undefined }), bad({ type: 'constructor' }), bad({ type: '__proto__' }),
    bad({ index: -1 }), bad({ index: 1.5 }), bad({ index: '2' }), bad({ total: undefined }), bad({ phase: 'setup' }), bad({ kind: 'compile' }),
    bad({ commandLine: ['a'] }), bad({ id: null }),
    JSON.stringify({ v: 1, type: 'step-end', id: 'x', phase: 'main', outcome: 'failed', exitCode: 'one', seconds: 1 }),
    JSON.stringify({ v: 1, type: 'step-end', id: 'x', phase: 'main', outcome: 'ok', exitCode: 0, seconds: 1 }),
    JSON.stringify({ v: 1, type: 'step-end', id: 'x', phase: 'main', outcome: 'failed', exitCode: 0, seconds: Number.NaN }),
    JSON.stringify({ v: 1, type: 'error', code: 'oops', message: 'x' }),
    JSON.stringify({ v: 1, type: 'result', tag: 'x', seconds: 1, size: 1 }),
    JSON.stringify({ ...JSON.parse(formatBuildEvent(PLAN)), steps: [{ id: 'a' }] }),
    JSON.stringify({ ...JSON.parse(formatBuildEvent(PLAN)), steps: [{ ...(PLAN as unknown as { steps: object[] }).steps[0], argv: ['ok', 1] }] }),
    JSON.stringify({ ...JSON.parse(formatBuildEvent(PLAN)), cache: { dir: '/c' } }),
    `${formatBuildEvent(ALL[2]!).trim()} trailing`,
  ]) assert.equal(parseBuildEvent(line), undefined, line);
  // Unknown fields are tolerated (a newer producer may add some); known ones are still checked.
  assert.deepEqual(parseBuildEvent(JSON.stringify({ ...good, extra: [1] })), { ...good, extra: [1] });
  assert.notEqual(parseBuildEvent(JSON.stringify({ v: 1, type: 'step-end', id: 'x', phase: 'main', outcome: 'failed', exitCode: -1, seconds: 0 })), undefined, 'a negative exit code is allowed');
});

test('the decoder splits a stream into events and text: chunks cut anywhere, prompts shown before their newline', () => {
  const lines = ALL.map((e) => formatBuildEvent(e));
  const stream = `${lines[0]}hello\n${lines[1]}${lines[2]}{not json}\n${lines[3]}`;
  for (const size of [1, 2, 3, 7, 64, stream.length]) {
    const d = new BuildEventDecoder();
    const got: (BuildEvent | string)[] = [];
    for (let i = 0; i < stream.length; i += size) got.push(...d.push(stream.slice(i, i + size)));
    got.push(...d.flush());
    const events = got.filter((g): g is BuildEvent => typeof g !== 'string');
    assert.deepEqual(events.map((e) => e.type), ['plan', 'step-start', 'output', 'step-end'], `chunks of ${size}`);
    assert.equal(got.filter((g) => typeof g === 'string').join(''), 'hello\n{not json}\n', `chunks of ${size}`);
  }
  const d = new BuildEventDecoder();
  assert.deepEqual(d.push('[sudo] password for root: '), ['[sudo] password for root: ']);
  // The rest of a line that began as text is text, even when it looks like an event.
  assert.deepEqual(d.push(lines[4]!), [lines[4]]);
  assert.deepEqual(d.push(`${lines[4]}{"v":1`), [parseBuildEvent(lines[4]!)]);
  assert.deepEqual(d.flush(), ['{"v":1']);
});

const text = (e: BuildEventInit): string => renderBuildEvent({ v: 1, ...e } as BuildEvent).map((c) => `${c.stream === 'stderr' ? '[err]' : ''}${c.text}`).join('');

test('the text renderer: what ownbase build prints and the VS Code terminal shows', () => {
  assert.equal(text(PLAN), [
    'rootfs: /var/tmp/w/rootfs', "mirror: http://mirror.invalid/debian (this machine's apt sources)",
    'package cache: /var/cache/ownbase/debian/bookworm/amd64 (nothing cached yet); this build fills it', '',
  ].join('\n'));
  assert.equal(text({ ...PLAN, mirror: undefined, mirrorSource: 'default', keepRootfs: true, cache: undefined } as BuildEventInit), "rootfs: /var/tmp/w/rootfs (kept)\nmirror: mmdebstrap's default\n");
  assert.equal(text({ ...PLAN, cache: { dir: '/c', warm: true } } as BuildEventInit), "rootfs: /var/tmp/w/rootfs\nmirror: http://mirror.invalid/debian (this machine's apt sources)\npackage cache: /c holds every package this recipe took last time; only what the archives changed since is downloaded\n");
  assert.equal(text({ ...PLAN, fromRootfs: true, cache: undefined } as BuildEventInit), '');
  const start = renderBuildEvent({ v: 1, ...ALL[1] } as BuildEvent);
  assert.deepEqual(start.filter((c) => c.header).map((c) => c.text), ['==> [2/6] bootstrap debian bookworm amd64 (mmdebstrap)']);
  assert.equal(text(ALL[1]!), "\n==> [2/6] bootstrap debian bookworm amd64 (mmdebstrap)\n    a minimal Debian\n$ mmdebstrap --variant=minbase 'a b'\n");
  assert.equal(text({ ...ALL[1], phase: 'cleanup', title: 'unmount everything under the rootfs' } as BuildEventInit), '--> cleanup: unmount everything under the rootfs\n');
  assert.equal(text(ALL[2]!), '[err]I: 日本🐳 "quoted" \\ back\r\n\u0000\u001b[1m');
  assert.equal(text(ALL[3]!), '[err]<== failed: killed by SIGKILL (12.3 s)\n');
  assert.equal(text({ type: 'step-end', id: 'a', phase: 'main', outcome: 'succeeded', exitCode: 0, seconds: 0.04 }), '<== exit 0 (0.0 s)\n');
  assert.equal(text({ type: 'step-end', id: 'a', phase: 'cleanup', outcome: 'succeeded', exitCode: 0, seconds: 1 }), '');
  assert.equal(text({ type: 'step-end', id: 'a', phase: 'main', outcome: 'failed', exitCode: 7, seconds: 1 }), '[err]<== failed: exit 7 (1.0 s)\n');
  assert.equal(text(ALL[4]!), '[err]ownbase: cleanup failed: unmount\n');
  assert.equal(text({ type: 'note', level: 'info', text: 'hello' }), 'hello\n');
  assert.equal(text(ALL[5]!), '\nbuilt owned/x:1 in 20.5 s: 81.5 MB (docker images), 29.1 MB gzip-6 layer (what a registry stores)\n  sha256:aa\n  FROM owned/x:1\n  rootfs kept at /var/tmp/k\nupdates: 15 packages upgraded from bookworm-updates and bookworm-security\n');
  assert.equal(text({ type: 'result', tag: 'owned/x:1', seconds: 3, size: 30_000_000, layerGzipSize: 10_000_000, archive: '/o/x.oci.tar' }),
    '\nwrote /o/x.oci.tar in 3.0 s: 30.0 MB, 10.0 MB gzip-6 layer\n  docker load -i /o/x.oci.tar\n');
  assert.equal(text(ALL[6]!), '[err]ownbase: import failed: engine gone\n[err]ownbase: the rootfs is kept at /w; retry only the import with:\n  ownbase build r --from-rootfs /w\n');
  assert.equal(text({ type: 'error', code: 'recipe', message: 'r is not a valid recipe', detail: 'r:1:1: error OB201 x\n' }), '[err]r:1:1: error OB201 x\n');
});

test('build state from the events: building with its step, then succeeded, failed or cancelled by the exit', () => {
  const ev = (e: BuildEventInit): BuildEvent => ({ v: 1, ...e } as BuildEvent);
  let s = nextBuildState(BUILD_STARTED, ev(PLAN));
  assert.deepEqual(s, { state: 'building' });
  s = nextBuildState(s, ev({ ...ALL[1], kind: 'slim', index: 3, total: 7, title: 'slim: no docs' } as BuildEventInit));
  assert.deepEqual(s, { state: 'building', step: { index: 3, total: 7, kind: 'slim', title: 'slim: no docs' } });
  assert.equal(nextBuildState(s, ev(ALL[2]!)), s, 'output changes nothing');
  const cleaning = nextBuildState(s, ev({ ...ALL[1], phase: 'cleanup', title: 'unmount' } as BuildEventInit));
  assert.deepEqual(cleaning, { state: 'building', step: { index: 3, total: 7, kind: 'slim', title: 'slim: no docs' }, cleanup: 'unmount' });
  const done = nextBuildState(cleaning, ev(ALL[5]!));
  assert.deepEqual(endBuildState(done, 0, false), { state: 'succeeded', image: 'owned/x:1', id: 'sha256:aa', size: 81_500_000, layerGzipSize: 29_100_000, seconds: 20.5 });
  assert.deepEqual(endBuildState(nextBuildState(s, ev(ALL[6]!)), 1, false), { state: 'failed', exitCode: 1, message: 'import failed: engine gone', code: 'step-failed', step: 'import' });
  assert.deepEqual(endBuildState(s, 1, false), { state: 'failed', exitCode: 1, message: 'exit code 1' });
  assert.deepEqual(endBuildState(s, 0, false), { state: 'failed', exitCode: 1, message: 'the build reported no result' });
  assert.deepEqual(endBuildState(s, 130, false), { state: 'cancelled', exitCode: 130 });
  assert.deepEqual(endBuildState(s, 137, true), { state: 'cancelled', exitCode: 137 });
  const ended = endBuildState(s, 130, false);
  assert.equal(nextBuildState(ended, ev(ALL[1]!)), ended, 'an ended build takes no more events');
});
