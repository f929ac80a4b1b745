import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { Step } from '../../../src/core/build/types';
import { mountsUnder, parseMountinfo } from '../../../src/core/run/mounts';
import { exitStatus, interruptThenTerminate, runProcess, startProcess } from '../../../src/core/run/process';
import { runPlan, type RunEvent } from '../../../src/core/run/runner';

const sh = (id: string, script: string, extra: Partial<Step> = {}): Step =>
  ({ id, kind: 'chroot', title: id, why: `why ${id}`, argv: ['sh', '-c', script], needsRoot: false, ...extra });

/** Running, not a zombie waiting for its reaper. */
function alive(pid: number): boolean {
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}

test('runs steps in order, streams output, reports exit codes, runs armed cleanups most recent first', async () => {
  const events: RunEvent[] = [];
  const cleanA = sh('clean-a', 'echo clean-a');
  const cleanB = sh('clean-b', 'echo clean-b');
  const r = await runPlan({
    steps: [
      sh('one', 'echo one; echo err >&2', { cleanup: [cleanA] }),
      sh('two', 'printf "two\\n"', { cleanup: [cleanB, cleanA] }),
    ],
  }, { onEvent: (e) => events.push(e) });
  assert.equal(r.outcome, 'succeeded');
  assert.deepEqual(r.cleanupFailures, []);
  const lines = events.map((e) => e.type === 'step-started' ? `start ${e.phase} ${e.step.id} ${e.index}/${e.total} $ ${e.commandLine}`
    : e.type === 'output' ? `${e.stream} ${e.step.id} ${JSON.stringify(e.text)}`
      : e.type === 'step-ended' ? `end ${e.step.id} ${e.outcome} ${e.exitCode}` : `run ${e.result.outcome}`);
  assert.deepEqual(lines, [
    "start main one 1/2 $ sh -c 'echo one; echo err >&2'",
    ...(lines[1]!.startsWith('stdout') ? ['stdout one "one\\n"', 'stderr one "err\\n"'] : ['stderr one "err\\n"', 'stdout one "one\\n"']),
    'end one succeeded 0',
    `start main two 2/2 $ sh -c 'printf "two\\n"'`,
    'stdout two "two\\n"',
    'end two succeeded 0',
    "start cleanup clean-b 1/2 $ sh -c 'echo clean-b'",
    'stdout clean-b "clean-b\\n"',
    'end clean-b succeeded 0',
    "start cleanup clean-a 2/2 $ sh -c 'echo clean-a'",
    'stdout clean-a "clean-a\\n"',
    'end clean-a succeeded 0',
    'run succeeded',
  ]);
});

test('a failing step stops the run with its exit code; cleanups still run; unless-kept ones skipped only after a keepWorkOnFailure step', async () => {
  const rm = sh('rm-work', 'true', { when: 'unless-kept' });
  const unmount = sh('unmount', 'true');
  const events: RunEvent[] = [];
  const failed = await runPlan({ steps: [sh('a', 'true', { cleanup: [rm] }), sh('b', 'exit 7', { cleanup: [unmount] }), sh('never', 'true')] }, { onEvent: (e) => events.push(e) });
  assert.equal(failed.outcome, 'failed');
  assert.equal(failed.failedStep?.id, 'b');
  assert.equal(failed.error, 'exit code 7');
  assert.equal(failed.workKept, false);
  assert.deepEqual(events.filter((e) => e.type === 'step-ended').map((e) => e.type === 'step-ended' && `${e.step.id}:${e.exitCode}`), ['a:0', 'b:7', 'unmount:0', 'rm-work:0']);

  const kept = await runPlan({ steps: [sh('a', 'true', { cleanup: [rm] }), sh('import', 'exit 1', { cleanup: [unmount], keepWorkOnFailure: true })] }, { onEvent: (e) => events.push(e) });
  assert.equal(kept.outcome, 'failed');
  assert.equal(kept.workKept, true);
});

test('cancel kills the whole process tree (even a child ignoring SIGTERM) and still runs the cleanups', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ownbase-runner-'));
  const pids = join(dir, 'pids');
  const controller = new AbortController();
  const events: RunEvent[] = [];
  const started = Date.now();
  const r = await runPlan({
    steps: [sh('tree', `sleep 300 & echo $! >> ${pids}; sh -c 'trap "" TERM; sleep 300' & echo $! >> ${pids}; echo $$ >> ${pids}; echo ready; wait`, { cleanup: [sh('unmount', `echo cleaned > ${dir}/cleaned`)] }),
      sh('never', `touch ${dir}/never`)],
  }, {
    signal: controller.signal, killGraceMs: 300,
    onEvent: (e) => { events.push(e); if (e.type === 'output' && e.text.includes('ready')) controller.abort(); },
  });
  assert.equal(r.outcome, 'cancelled');
  assert.equal(r.failedStep?.id, 'tree');
  const list = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
  assert.equal(list.length, 3);
  for (const pid of list) assert.equal(alive(pid), false, `pid ${pid} survived the cancel`);
  assert.equal(readFileSync(join(dir, 'cleaned'), 'utf8'), 'cleaned\n');
  assert.throws(() => readFileSync(join(dir, 'never')));
  const ended = events.find((e) => e.type === 'step-ended' && e.step.id === 'tree');
  assert.equal(ended?.type === 'step-ended' && ended.outcome, 'cancelled');
  rmSync(dir, { recursive: true, force: true });
});

test('a cancel before the first step runs no step but the run still ends cleanly', async () => {
  const c = new AbortController();
  c.abort();
  const r = await runPlan({ steps: [sh('a', 'true', { cleanup: [sh('u', 'true')] })] }, { signal: c.signal });
  assert.equal(r.outcome, 'cancelled');
  assert.equal(r.failedStep, undefined);
});

test('in-process steps call their handler; without one the runner runs the shell equivalent', async () => {
  const seen: string[] = [];
  const imp = sh('import', 'echo shell-equivalent', { inProcess: 'import' });
  const events: RunEvent[] = [];
  const r = await runPlan({ steps: [imp] }, {
    handlers: { import: async (step, ctx) => { seen.push(step.id); ctx.output('imported\n'); } },
    onEvent: (e) => events.push(e),
  });
  assert.equal(r.outcome, 'succeeded');
  assert.deepEqual(seen, ['import']);
  const start = events.find((e) => e.type === 'step-started');
  assert.equal(start?.type === 'step-started' && start.commandLine, "# through the engine API; the exported script runs: sh -c 'echo shell-equivalent'");
  assert.ok(events.some((e) => e.type === 'output' && e.text === 'imported\n'));

  const out: string[] = [];
  await runPlan({ steps: [imp] }, { onEvent: (e) => { if (e.type === 'output') out.push(e.text); } });
  assert.deepEqual(out, ['shell-equivalent\n']);

  const failing = await runPlan({ steps: [imp] }, { handlers: { import: async () => { throw new Error('engine gone'); } } });
  assert.equal(failing.outcome, 'failed');
  assert.equal(failing.error, 'engine gone');
});

test('a program that does not exist fails its step with the reason', async () => {
  const r = await runPlan({ steps: [{ id: 'x', kind: 'check', title: 'x', why: '', argv: ['/nonexistent/ownbase-tool', 'a'], needsRoot: false }] });
  assert.equal(r.outcome, 'failed');
  assert.match(r.error ?? '', /ENOENT|not found|no such file/i);
});

test('runProcess keeps multi-byte characters whole across chunks', async () => {
  let text = '';
  const r = await runProcess(['sh', '-c', 'for i in $(seq 2000); do printf "日本🐳"; done'], { onOutput: (_s, t) => { text += t; } });
  assert.equal(r.exitCode, 0);
  assert.equal(text, '日本🐳'.repeat(2000));
});

test('mountinfo: mount points decoded, those under a folder listed deepest first', () => {
  const info = [
    '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw',
    '90 22 0:5 / /var/tmp/w\\040x/rootfs/dev rw - devtmpfs udev rw',
    '91 90 0:6 / /var/tmp/w\\040x/rootfs/dev/pts rw - devpts devpts rw',
    '92 22 0:7 / /var/tmp/w\\040x/rootfs rw - tmpfs t rw',
    '93 22 0:8 / /var/tmp/w\\040xy rw - tmpfs t rw',
  ].join('\n');
  assert.deepEqual(parseMountinfo(info).slice(1, 2), ['/var/tmp/w x/rootfs/dev']);
  assert.deepEqual(mountsUnder('/var/tmp/w x/', info), ['/var/tmp/w x/rootfs/dev/pts', '/var/tmp/w x/rootfs/dev', '/var/tmp/w x/rootfs']);
  assert.deepEqual(mountsUnder('/nowhere/ownbase'), []);
});

test('a process that exits mid-run (second Ctrl-C) still kills the running step and runs the cleanups, synchronously', () => {
  let root = __dirname;
  while (!existsSync(join(root, 'package.json'))) root = dirname(root);
  const dir = mkdtempSync(join(tmpdir(), 'ownbase-exit-'));
  const bundle = join(dir, 'runner.cjs');
  // esbuild from node_modules at run time: its API cannot itself be bundled into this test.
  const { buildSync } = createRequire(join(root, 'package.json'))('esbuild') as typeof import('esbuild');
  buildSync({ entryPoints: [join(root, 'src/core/run/runner.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'error',
    define: { 'import.meta.url': 'importMetaUrl' }, banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" } });
  const child = `
    const { runPlan } = require(${JSON.stringify(bundle)});
    const d = ${JSON.stringify(dir)};
    const step = (id, script, extra) => ({ id, kind: 'chroot', title: id, why: '', argv: ['sh', '-c', script], needsRoot: false, ...extra });
    runPlan({ steps: [
      step('prepare', 'true', { cleanup: [step('remove', 'echo removed >> ' + d + '/log', { when: 'unless-kept' })] }),
      step('long', 'echo $$ > ' + d + '/pid; exec sleep 300', { cleanup: [step('unmount', 'echo unmounted >> ' + d + '/log')] }),
    ] }, { onEvent: (e) => { if (e.type === 'step-started' && e.step.id === 'long') setTimeout(() => process.exit(130), 300); } });
  `;
  const r = spawnSync(process.execPath, ['-e', child], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 130, r.stderr);
  assert.equal(readFileSync(join(dir, 'log'), 'utf8'), 'unmounted\nremoved\n');
  const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  assert.equal(alive(pid), false, 'the running step survived the exit');
  rmSync(dir, { recursive: true, force: true });
});

test('startProcess: stdin for a password, cancel sends SIGINT first and the process cleans up, SIGTERM/SIGKILL only after their grace periods', async () => {
  let out = '';
  const p = startProcess(['sh', '-c', 'IFS= read -r pw; echo "got $pw"; trap \'echo "cleaned up"; exit 130\' INT; echo ready; while :; do sleep 0.05; done'], {
    stdin: 'pipe', onOutput: (_s, t) => { out += t; }, cancelSignals: interruptThenTerminate(30_000, 60_000),
  });
  p.write('open sesame\n');
  const deadline = Date.now() + 10_000;
  while (!out.includes('ready') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  p.cancel();
  p.cancel();
  const exit = await p.exited;
  assert.deepEqual(exit, { exitCode: 130, cancelled: true });
  assert.equal(out, 'got open sesame\nready\ncleaned up\n');

  const stubborn = startProcess(['sh', '-c', 'trap "" INT TERM; sleep 300 & echo $!; wait'], { cancelSignals: interruptThenTerminate(100, 200), onOutput: (_s, t) => { out = t; } });
  while (out === 'got open sesame\nready\ncleaned up\n' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  stubborn.cancel();
  const killed = await stubborn.exited;
  assert.deepEqual(killed, { exitCode: null, signal: 'SIGKILL', cancelled: true });
  assert.equal(exitStatus(killed), 137);
  assert.equal(alive(Number(out.trim())), false, 'the group\'s other member is gone when exited resolves');

  const missing = await startProcess(['/nonexistent/ownbase-elevate']).exited;
  assert.equal(exitStatus(missing), 127);
  assert.match(missing.spawnError ?? '', /ENOENT/);
});
