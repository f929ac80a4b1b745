// `npm test`: every tier in order, then one summary line per tier and `N passed, N failed`.
// A tier that cannot run here says why; under CI=true that is a failure, never a silent skip. A tier with
// no test files yet is only a notice.
//
//   npm test                     all tiers
//   npm test -- unit vscode      the build, then only the named tiers
//
// Each tier first checks the programs and files it runs (a missing one is named with its Debian package).
// The integration tier runs one file at a time, each in a process group of its own with a deadline
// (OWNBASE_TEST_FILE_TIMEOUT_S, default 1200): a file that overruns it, or leaves processes behind, is
// reported with what was still running, which is then killed. OWNBASE_SLOW_TESTS=1 adds the slow cases.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingBuildPackages } from './lib/code-server.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CI = process.env.CI === 'true' || process.env.CI === '1';
const DOCKER_SOCKET = '/var/run/docker.sock';
const VSCODE_CANNOT_RUN = 77; // scripts/vscode-test.mjs: nothing here can run VS Code
const FILE_TIMEOUT_S = Number(process.env.OWNBASE_TEST_FILE_TIMEOUT_S || 1200);
/** Names what this run creates for the tests to share (test/integration/shared.ts), so the end can remove it. */
const RUN_ID = process.env.OWNBASE_TEST_RUN || randomBytes(4).toString('hex');
process.env.OWNBASE_TEST_RUN = RUN_ID;

/** A tier's outcome: a status, and a reason when it did not run. */
const passed = () => ({ status: 'passed' });
const failed = (why) => ({ status: 'failed', why });
const noTests = (why) => ({ status: 'skipped', why });
const cannotRun = (why) => (CI ? failed(`cannot run: ${why} (a failure under CI=true)`) : { status: 'skipped', why: `cannot run: ${why}` });

function run(command, args) {
  console.log(`$ ${[command, ...args].join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit' });
    child.once('error', (err) => { console.error(err.message); resolve(1); });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

const exitToResult = (code) => (code === 0 ? passed() : failed(`exit code ${code}`));

function testFiles(dir) {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => join(dir, f));
}

/** Where the engine listens, as dockerode reads it: DOCKER_HOST (unix:// or tcp://), else the default socket. */
function engineAddress() {
  const host = process.env.DOCKER_HOST;
  if (!host || host.startsWith('unix://')) return { socketPath: host ? host.slice('unix://'.length) : DOCKER_SOCKET };
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: url.port || 2375 };
}

/** Why the Docker engine cannot be used, or undefined when it answers /_ping. */
function engineProblem() {
  const address = engineAddress();
  const where = address.socketPath ?? `${address.host}:${address.port}`;
  if (address.socketPath && !existsSync(address.socketPath)) return Promise.resolve(`no Docker engine socket at ${where} (start dockerd)`);
  return new Promise((resolve) => {
    const req = request({ ...address, path: '/_ping', timeout: 5_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? undefined : `the Docker engine at ${where} answered ${res.statusCode}`);
    });
    req.once('timeout', () => req.destroy(new Error('no answer in 5 s')));
    req.once('error', (err) => resolve(`the Docker engine at ${where} does not answer: ${err.message}`));
    req.end();
  });
}

/** Where a program is: PATH, then the sbin folders, where debootstrap and chroot live for non-root users too. */
function findProgram(name) {
  const dirs = [...(process.env.PATH || '').split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  return dirs.some((d) => d && existsSync(join(d, name)));
}

/** [program or absolute path, Debian package] */
const UNIT_TOOLS = [['sh', 'dash'], ['bash', 'bash'], ['tar', 'tar'], ['mknod', 'coreutils'], ['runuser', 'util-linux'], ['mount', 'mount']];
const ENGINE_TOOLS = [['docker', 'docker.io'], ['dockerd', 'docker.io']];
const BUILD_TOOLS = [
  ['debootstrap', 'debootstrap'], ['mmdebstrap', 'mmdebstrap'], ['unshare', 'util-linux'], ['chroot', 'coreutils'],
  ['/usr/share/keyrings/debian-archive-keyring.gpg', 'debian-archive-keyring'],
];
const INTEGRATION_TOOLS = [
  ...UNIT_TOOLS, ...ENGINE_TOOLS, ...BUILD_TOOLS, ['umount', 'mount'], ['ps', 'procps'],
  ['/bin/busybox', 'busybox-static'], ['qemu-aarch64-static', 'qemu-user-static'], ['update-binfmts', 'binfmt-support'],
];
const VSCODE_TOOLS = [...ENGINE_TOOLS, ...BUILD_TOOLS];

/** What of `tools` is missing here, as "what (package)", and the apt-get line that installs it. */
function missingTools(tools) {
  const missing = tools.filter(([what]) => (what.startsWith('/') ? !existsSync(what) : !findProgram(what)));
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.map(([, pkg]) => pkg))];
  return `missing ${missing.map(([what, pkg]) => `${what} (${pkg})`).join(', ')}: apt-get install -y ${packages.join(' ')}`;
}

/** The processes of a session, and every descendant of its leader: what a test file started, even if it moved group. */
function processTree(leader) {
  const procs = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const [, ppid, pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') continue; // exited, waiting to be reaped
      procs.push({ pid: Number(p), ppid, pgrp, session });
    } catch { /* gone */ }
  }
  const tree = new Set(procs.filter((q) => q.session === leader || q.pid === leader).map((q) => q.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const q of procs) if (!tree.has(q.pid) && tree.has(q.ppid)) { tree.add(q.pid); grew = true; }
  }
  return [...tree].filter((pid) => pid !== process.pid);
}

function printProcesses(pids) {
  const ps = spawnSync('ps', ['-o', 'pid,ppid,pgid,etimes,stat,args', '-p', pids.join(',')], { encoding: 'utf8' });
  console.log(ps.stdout || ps.stderr || pids.join(' '));
}

async function killAll(pids) {
  const signal = (pid, sig) => { try { process.kill(pid, sig); } catch { /* gone */ } };
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && pids.some((pid) => existsSync(`/proc/${pid}`))) await new Promise((r) => setTimeout(r, 200));
  for (const pid of pids) signal(pid, 'SIGKILL');
}

/**
 * One test file under `node --test`, in a session of its own. At the deadline: what was still running is
 * printed and killed. After a normal end, anything left in the session is a leak: printed, killed, a failure.
 */
function runTestFile(file, timeoutS) {
  const args = ['--test', '--test-reporter=spec', '--test-concurrency=1', file];
  console.log(`$ node ${args.join(' ')}   (deadline ${timeoutS} s)`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit', detached: true });
    let timedOut = false;
    const timer = setTimeout(async () => {
      timedOut = true;
      const pids = processTree(child.pid);
      console.log(`\n${file}: still running after ${timeoutS} s; these processes were running and are killed now:`);
      printProcesses(pids);
      await killAll(pids);
    }, timeoutS * 1000);
    child.once('error', (err) => { clearTimeout(timer); console.error(err.message); resolve({ code: 1 }); });
    child.once('exit', async (code, signal) => {
      clearTimeout(timer);
      if (timedOut) { resolve({ code: 1, why: `deadline of ${timeoutS} s` }); return; }
      // What is still shutting down gets a moment; what is left after it, the file left running.
      let left = processTree(child.pid);
      for (let i = 0; i < 50 && left.length > 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        left = processTree(child.pid);
      }
      if (left.length > 0) {
        console.log(`\n${file}: these processes outlived the test file and are killed now:`);
        printProcesses(left);
        await killAll(left);
        resolve({ code: 1, why: 'left processes running' });
        return;
      }
      resolve({ code: code ?? (signal ? 128 : 1) });
    });
  });
}

/** Images the run shared between test files (test/integration/shared.ts) go at the end, whatever happened. */
function removeSharedImages() {
  const ls = spawnSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=ownbase-test-shared/*:${RUN_ID}`], { encoding: 'utf8' });
  const refs = (ls.stdout || '').split('\n').filter(Boolean);
  if (refs.length) spawnSync('docker', ['rmi', '-f', ...refs], { stdio: 'ignore' });
}

const TIERS = [
  {
    name: 'build',
    run: async () => exitToResult(await run('node', ['scripts/build.mjs', '--tests'])),
  },
  {
    name: 'typecheck',
    run: async () => exitToResult(await run('npm', ['run', '--silent', 'typecheck'])),
  },
  {
    name: 'unit',
    needsBuild: true,
    preflight: () => missingTools(UNIT_TOOLS),
    async run() {
      const files = testFiles('out/test/unit');
      if (files.length === 0) return noTests('no test files in test/unit yet');
      return exitToResult(await run('node', ['--test', '--test-reporter=spec', ...files]));
    },
  },
  {
    name: 'vscode',
    needsBuild: true,
    preflight() {
      const build = missingBuildPackages();
      return [missingTools(VSCODE_TOOLS), build.length ? `code-server cannot be built: apt-get install -y ${build.join(' ')}` : undefined]
        .filter(Boolean).join('; ') || undefined;
    },
    async run() {
      if (testFiles('out/test/vscode').length === 0) return noTests('no test files in test/vscode yet');
      const code = await run('node', ['scripts/vscode-test.mjs']);
      if (code === VSCODE_CANNOT_RUN) return cannotRun('no VS Code and no Chromium to drive code-server (see above)');
      return exitToResult(code);
    },
  },
  {
    name: 'integration',
    needsBuild: true,
    preflight: () => missingTools(INTEGRATION_TOOLS),
    async run() {
      const files = testFiles('out/test/integration');
      if (files.length === 0) return noTests('no test files in test/integration yet');
      if (process.getuid?.() !== 0) return cannotRun('integration tests need root (debootstrap, chroot, mounts)');
      const problem = await engineProblem();
      if (problem) return cannotRun(problem);
      const times = [];
      const failures = [];
      try {
        for (const file of files) {
          const started = Date.now();
          const r = await runTestFile(file, FILE_TIMEOUT_S);
          times.push([file, (Date.now() - started) / 1000, r.code === 0]);
          if (r.code !== 0) failures.push(`${file.replace(/^out\/test\/integration\//, '')}${r.why ? ` (${r.why})` : ''}`);
        }
      } finally {
        removeSharedImages();
      }
      console.log('\nintegration files:');
      for (const [file, seconds, ok] of times) console.log(`  ${ok ? 'pass' : 'FAIL'} ${seconds.toFixed(1).padStart(7)} s  ${file}`);
      return failures.length ? failed(`failed: ${failures.join(', ')}`) : passed();
    },
  },
];

function selectedTiers(names) {
  const unknown = names.filter((n) => !TIERS.some((t) => t.name === n));
  if (unknown.length) throw new Error(`unknown tier ${unknown.join(', ')}; tiers: ${TIERS.map((t) => t.name).join(', ')}`);
  return names.length === 0 ? TIERS : TIERS.filter((t) => t.name === 'build' || names.includes(t.name));
}

async function runTier(tier, buildFailed) {
  console.log(`\n===== ${tier.name}`);
  const started = Date.now();
  const missing = tier.preflight?.();
  const result = tier.needsBuild && buildFailed ? failed('not run: the build failed')
    : missing ? cannotRun(missing)
    : await tier.run();
  if (result.why) console.log(`${tier.name}: ${result.why}`);
  return { name: tier.name, ...result, seconds: (Date.now() - started) / 1000 };
}

function printSummary(results) {
  const label = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' };
  console.log('\n===== summary');
  for (const r of results) {
    console.log(`${label[r.status]}  ${r.name.padEnd(12)} ${r.seconds.toFixed(1).padStart(6)} s${r.why ? `  ${r.why}` : ''}`);
  }
  // .ci/run sets OWNBASE_TEST_TIMES and puts these lines in its own table of times (it runs npm test twice).
  if (process.env.OWNBASE_TEST_TIMES) {
    appendFileSync(process.env.OWNBASE_TEST_TIMES, results.map((r) => `${r.seconds.toFixed(0).padStart(6)} s    ${label[r.status]} tier ${r.name}\n`).join(''));
  }
  const count = (s) => results.filter((r) => r.status === s).length;
  const skipped = count('skipped');
  console.log(`${count('passed')} passed, ${count('failed')} failed${skipped ? `, ${skipped} skipped` : ''}`);
}

async function main() {
  const tiers = selectedTiers(process.argv.slice(2));
  if (CI) {
    // Under CI a missing tool fails the run before anything runs, naming every one of them at once.
    const missing = tiers.map((t) => [t.name, t.preflight?.()]).filter(([, m]) => m);
    if (missing.length) {
      for (const [name, m] of missing) console.log(`${name}: cannot run: ${m}`);
      console.log('nothing was run: install what is missing (bash .ci/run does), then run again');
      return 1;
    }
  }
  const results = [];
  for (const tier of tiers) {
    const buildFailed = results.some((r) => r.name === 'build' && r.status === 'failed');
    results.push(await runTier(tier, buildFailed));
  }
  printSummary(results);
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
  console.error(`ownbase: ${err.message}`);
  process.exit(1);
});
