import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planBuild, type PlanOptions } from '../../../src/core/build/plan';
import { planToScript, stepCommandLine } from '../../../src/core/build/script';
import { IMPORT, REMOVE_WORKDIR, SLIM, UNMOUNT } from '../../../src/core/build/scripts';
import type { Plan } from '../../../src/core/build/types';
import type { Recipe } from '../../../src/core/recipe/types';
import { runPlan } from '../../../src/core/run/runner';

const BOOKWORM: Recipe = {
  image: 'owned/bookworm-slim:12', distro: 'debian', suite: 'bookworm', arch: 'amd64', variant: 'minbase', builder: 'mmdebstrap',
  components: ['main'], packages: ['ca-certificates'], config: { cmd: ['/bin/bash'], env: { LANG: 'C.UTF-8' } },
};
const NASTY: Recipe = {
  ...BOOKWORM, image: 'owned/nasty:1', builder: 'debootstrap', arch: 'arm64',
  remove: ["/opt/it's/$(touch /tmp/ownbase-pwned)", '/srv/a b/*', '/var/log/`id`;rm -rf /'],
  config: { cmd: ['/bin/sh', '-c', 'echo "$HOME"; exit 0'], env: { 'A_B': "x'y\"z $(id)" }, workdir: '/srv/a b' },
};
const OPTS: PlanOptions = { hostArch: 'amd64', workdir: '/var/tmp/ownbase-script-test', hostMirror: 'http://mirror.invalid/debian', cache: { dir: '/var/cache/ownbase-test/debian/bookworm/amd64', warm: false } };

const SHIMMED = ['mkdir', 'unshare', 'mmdebstrap', 'debootstrap', 'chroot', 'sh', 'cp'];

/** A PATH folder whose programs only record their argv (NUL-separated, one record per call). */
function shims(): { dir: string; env: (log: string, fail?: string) => Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'ownbase-shim-'));
  for (const name of SHIMMED) {
    writeFileSync(join(dir, name), `#!/bin/bash
{ printf '%s\\0' "\${0##*/}" "$@"; printf '\\036'; } >> "$OWNBASE_SHIM_LOG"
if [ -n "\${OWNBASE_SHIM_FAIL:-}" ] && [[ "\${0##*/} $*" == *"$OWNBASE_SHIM_FAIL"* ]]; then exit 3; fi
exit 0
`);
    chmodSync(join(dir, name), 0o755);
  }
  return {
    dir,
    env: (log, fail) => ({ PATH: `${dir}:/usr/bin:/bin`, OWNBASE_SHIM_LOG: log, ...(fail !== undefined && { OWNBASE_SHIM_FAIL: fail }) }),
  };
}

function calls(log: string): string[][] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').split('\x1e').filter(Boolean).map((r) => r.split('\0').slice(0, -1));
}

async function both(plan: Plan, fail?: string): Promise<{ runner: string[][]; script: string[][]; runnerOutcome: string; scriptStatus: number | null; scriptErr: string }> {
  const s = shims();
  const runnerLog = join(s.dir, 'runner.log');
  const scriptLog = join(s.dir, 'script.log');
  const r = await runPlan(plan, { env: s.env(runnerLog, fail) });
  const file = join(s.dir, 'build.sh');
  writeFileSync(file, planToScript(plan));
  const sr = spawnSync('/bin/bash', [file], { env: s.env(scriptLog, fail), encoding: 'utf8' });
  const out = { runner: calls(runnerLog), script: calls(scriptLog), runnerOutcome: r.outcome, scriptStatus: sr.status, scriptErr: sr.stderr };
  rmSync(s.dir, { recursive: true, force: true });
  return out;
}

test('the exported script runs exactly the argv sequence the runner runs (bookworm, mmdebstrap, cold cache)', async () => {
  const plan = planBuild(BOOKWORM, OPTS);
  const { runner, script, runnerOutcome, scriptStatus } = await both(plan);
  assert.equal(runnerOutcome, 'succeeded');
  assert.equal(scriptStatus, 0);
  const expected = [...plan.steps.map((s) => [...s.argv]),
    ['sh', '-c', UNMOUNT, 'sh', plan.rootfs], ['sh', '-c', REMOVE_WORKDIR, 'sh', plan.workdir]];
  assert.deepEqual(runner, expected);
  assert.deepEqual(script, expected);
});

test('with shell metacharacters in the recipe both run the same literal argv, and nothing they contain is executed', async () => {
  rmSync('/tmp/ownbase-pwned', { force: true });
  const plan = planBuild(NASTY, OPTS);
  const { runner, script, scriptStatus } = await both(plan);
  assert.equal(scriptStatus, 0);
  assert.deepEqual(script, runner);
  assert.equal(runner.length, plan.steps.length + 2);
  const remove = runner.find((a) => a[0] === 'chroot' && a.includes("/opt/it's/$(touch /tmp/ownbase-pwned)"));
  assert.deepEqual(remove?.slice(-3), ["/opt/it's/$(touch /tmp/ownbase-pwned)", '/srv/a b/*', '/var/log/`id`;rm -rf /']);
  const imp = runner.find((a) => a[2] === IMPORT);
  assert.ok(imp?.includes('ENV A_B="x\'y\\"z \\$(id)"'));
  assert.equal(existsSync('/tmp/ownbase-pwned'), false);
});

test('a failing bootstrap: same calls, cleanups in the same order, work folder removed', async () => {
  const plan = planBuild(BOOKWORM, OPTS);
  const { runner, script, runnerOutcome, scriptStatus } = await both(plan, 'mmdebstrap');
  assert.equal(runnerOutcome, 'failed');
  assert.equal(scriptStatus, 3);
  assert.deepEqual(runner.map((a) => a[0] === 'sh' ? a[2] === UNMOUNT ? 'unmount' : a[2] === REMOVE_WORKDIR ? 'remove-workdir' : 'sh' : a[0]),
    ['mkdir', 'unshare', 'unmount', 'remove-workdir']);
  assert.deepEqual(script, runner);
});

test('a failing import: the work folder is kept for a retry by both', async () => {
  const plan = planBuild(BOOKWORM, OPTS);
  const { runner, script, runnerOutcome, scriptStatus, scriptErr } = await both(plan, 'docker import');
  assert.equal(runnerOutcome, 'failed');
  assert.equal(scriptStatus, 3);
  assert.deepEqual(script, runner);
  assert.deepEqual(runner.at(-1), ['sh', '-c', UNMOUNT, 'sh', plan.rootfs]);
  assert.ok(!runner.some((a) => a[2] === REMOVE_WORKDIR));
  assert.match(scriptErr, /kept \/var\/tmp\/ownbase-script-test for a retry/);
});

test('script text: sh, set -eu, an EXIT trap, each fixed program once as a variable, steps commented with their reason', () => {
  const plan = planBuild(BOOKWORM, OPTS);
  const text = planToScript(plan, { recipePath: 'examples/bookworm-slim.ownbase.yaml' });
  const lines = text.split('\n');
  assert.equal(lines[0], '#!/bin/sh');
  assert.equal(lines[1], '# Builds owned/bookworm-slim:12 (debian bookworm amd64, mmdebstrap) from examples/bookworm-slim.ownbase.yaml.');
  assert.ok(lines.includes('set -eu'));
  assert.ok(lines.includes('trap ob_cleanup EXIT'));
  assert.ok(lines.includes("trap 'exit 130' INT"));
  assert.equal(text.split('OB_SLIM=').length, 2);
  assert.ok(lines.includes(`chroot ${plan.rootfs} /bin/sh -c "$OB_SLIM" sh ca-certificates`));
  assert.ok(lines.includes('# 6/8 slim: no docs, man pages, locales, apt lists or caches'));
  assert.ok(lines.includes('ob_arm unmount'));
  assert.equal(stepCommandLine(['chroot', '/r', '/bin/sh', '-c', SLIM, 'sh']), 'chroot /r /bin/sh -c "$OB_SLIM" sh');
  for (const shell of ['bash', 'dash']) {
    const r = spawnSync(shell, ['-n'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, `${shell} -n: ${r.stderr}`);
  }
});
