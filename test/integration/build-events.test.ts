// `ownbase build --progress json` end to end, as root, with no bootstrap: a busybox rootfs imported
// (--from-rootfs) into an archive and into the real engine. Asserts the exact event sequence and the
// result's fields, and that the text mode is the same events rendered.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseBuildEvent, type BuildEvent, type ResultEvent } from '../../src/core/run/events';
import { renderBuildEvent } from '../../src/core/run/render';
import { busyboxRootfs, tempDir } from '../unit/engine/support';

function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
}
const CLI = join(repoRoot(), 'dist/cli.js');
const IS_ROOT = process.getuid?.() === 0;
const ENGINE = IS_ROOT && spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
const TAG = `ownbase-test-protocol/busybox:${process.pid}-${Date.now()}`;

let dir = '';
let rootfs = '';

before(() => {
  if (!IS_ROOT) return;
  dir = tempDir('protocol');
  rootfs = busyboxRootfs(join(dir, 'rootfs'));
  mkdirSync(join(dir, 'work'));
  writeFileSync(join(dir, 'busybox.ownbase.yaml'), `image: ${TAG}\ndistro: debian\nsuite: bookworm\nconfig:\n  cmd: ["/bin/sh"]\n`);
});

after(() => {
  if (ENGINE) spawnSync('docker', ['rmi', '--force', TAG], { stdio: 'ignore' });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run { readonly status: number | null; readonly stdout: string; readonly stderr: string }
// --no-checks: a busybox rootfs has no apt nor dpkg status; the check events are test/integration/checks.test.ts's.
const build = (...args: string[]): Run => {
  const r = spawnSync(process.execPath, [CLI, 'build', 'busybox.ownbase.yaml', '--from-rootfs', 'rootfs', '--workdir', 'work', '--no-checks', ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** Every stdout line is an event (the schema says so), and nothing goes to stderr. */
function events(r: Run): BuildEvent[] {
  assert.equal(r.stderr, '');
  const lines = r.stdout.split('\n');
  assert.equal(lines.pop(), '', 'the stream ends with a newline');
  return lines.map((l) => {
    const e = parseBuildEvent(l);
    assert.ok(e, `not an event: ${l}`);
    return e;
  });
}

const noTimes = (s: string): string => s.replace(/\d+\.\d s\b/g, 'N s');

test('into an archive: plan, the archive step, result with the archive path and sizes; text mode is these events rendered', { skip: IS_ROOT ? false : 'needs root' }, () => {
  const r = build('--output', 'busybox.oci.tar', '--progress', 'json');
  assert.equal(r.status, 0, r.stderr);
  const ev = events(r);
  assert.deepEqual(ev.map((e) => e.type === 'step-start' || e.type === 'step-end' ? `${e.type} ${e.id} ${e.phase}` : e.type), [
    'plan', 'step-start archive main', 'step-end archive main', 'result',
  ]);
  const [plan, start, end, result] = ev as [BuildEvent, BuildEvent, BuildEvent, ResultEvent];
  assert.equal(plan.type === 'plan' && [plan.image, plan.rootfs, plan.fromRootfs, plan.keepRootfs, plan.output, plan.steps.map((s) => s.kind)].join(' | '),
    [TAG, rootfs, true, true, join(dir, 'busybox.oci.tar'), 'archive'].join(' | '));
  assert.equal(start.type === 'step-start' && `${start.index}/${start.total} ${start.kind}`, '1/1 archive');
  assert.equal(end.type === 'step-end' && `${end.outcome} ${end.exitCode}`, 'succeeded 0');
  const archive = join(dir, 'busybox.oci.tar');
  assert.deepEqual({ ...result, seconds: 0, layerGzipSize: 0 }, { v: 1, type: 'result', tag: TAG, seconds: 0, size: statSync(archive).size, layerGzipSize: 0, archive,
    // --from-rootfs imports the folder as it is: no upgrade ran here, and the result says so.
    updates: 'updates: bookworm-updates and bookworm-security not applied (the upgrade did not run)' });
  assert.ok(result.layerGzipSize > 100_000 && result.layerGzipSize < result.size, `gzip layer ${result.layerGzipSize} of ${result.size}`);

  const text = build('--output', 'busybox.oci.tar');
  assert.equal(text.status, 0, text.stderr);
  const rendered = ev.flatMap((e) => renderBuildEvent(e));
  assert.equal(noTimes(text.stdout), noTimes(rendered.filter((c) => c.stream === 'stdout').map((c) => c.text).join('')));
  assert.equal(text.stderr, rendered.filter((c) => c.stream === 'stderr').map((c) => c.text).join(''));
});

test('into the engine under a unique tag: result with the image ID, size and layer digest the engine reports', { skip: ENGINE ? false : 'needs root and a running engine' }, () => {
  const r = build('--tag', TAG, '--progress=json');
  assert.equal(r.status, 0, r.stderr);
  const ev = events(r);
  assert.deepEqual(ev.map((e) => e.type === 'step-start' || e.type === 'step-end' ? `${e.type} ${e.id}` : e.type), ['plan', 'step-start import', 'step-end import', 'result']);
  const inspect = JSON.parse(spawnSync('docker', ['image', 'inspect', TAG], { encoding: 'utf8' }).stdout) as [{ Id: string; Size: number; RootFS: { Layers: string[] } }];
  const result = ev[3] as ResultEvent;
  assert.deepEqual({ ...result, seconds: 0, layerGzipSize: 0 }, {
    v: 1, type: 'result', tag: TAG, seconds: 0, size: inspect[0].Size, layerGzipSize: 0, id: inspect[0].Id, layerDigest: inspect[0].RootFS.Layers[0],
    updates: 'updates: bookworm-updates and bookworm-security not applied (the upgrade did not run)',
  });
  assert.match(result.id!, /^sha256:[0-9a-f]{64}$/);
  assert.ok(result.layerGzipSize > 100_000 && result.layerGzipSize < result.size);
});

test('a bad tag stops before the plan: one error event with code plan, exit 1', { skip: IS_ROOT ? false : 'needs root' }, () => {
  const r = build('--tag', 'Not A Tag', '--output', 'never.tar', '--progress', 'json');
  assert.equal(r.status, 1);
  const ev = events(r);
  assert.deepEqual(ev.map((e) => e.type === 'error' && e.code), ['plan']);
  assert.equal(existsSync(join(dir, 'never.tar')), false);
});
