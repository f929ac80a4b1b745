// `npm test`: every tier in order, then one summary line per tier and `N passed, N failed`.
// A tier that cannot run here says why; under CI=true that is a failure, never a silent skip. A tier with
// no test files yet is only a notice.
//
//   npm test                     all tiers
//   npm test -- unit vscode      the build, then only the named tiers
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CI = process.env.CI === 'true' || process.env.CI === '1';
const DOCKER_SOCKET = '/var/run/docker.sock';
const VSCODE_CANNOT_RUN = 77; // scripts/vscode-test.mjs: nothing here can run VS Code

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
    async run() {
      const files = testFiles('out/test/unit');
      if (files.length === 0) return noTests('no test files in test/unit yet');
      return exitToResult(await run('node', ['--test', '--test-reporter=spec', ...files]));
    },
  },
  {
    name: 'vscode',
    needsBuild: true,
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
    async run() {
      const files = testFiles('out/test/integration');
      if (files.length === 0) return noTests('no test files in test/integration yet');
      if (process.getuid?.() !== 0) return cannotRun('integration tests need root (debootstrap, chroot, mounts)');
      const problem = await engineProblem();
      if (problem) return cannotRun(problem);
      return exitToResult(await run('node', ['--test', '--test-reporter=spec', '--test-concurrency=1', ...files]));
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
  const result = tier.needsBuild && buildFailed ? failed('not run: the build failed') : await tier.run();
  if (result.why) console.log(`${tier.name}: ${result.why}`);
  return { name: tier.name, ...result, seconds: (Date.now() - started) / 1000 };
}

function printSummary(results) {
  const label = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' };
  console.log('\n===== summary');
  for (const r of results) {
    console.log(`${label[r.status]}  ${r.name.padEnd(12)} ${r.seconds.toFixed(1).padStart(6)} s${r.why ? `  ${r.why}` : ''}`);
  }
  const count = (s) => results.filter((r) => r.status === s).length;
  const skipped = count('skipped');
  console.log(`${count('passed')} passed, ${count('failed')} failed${skipped ? `, ${skipped} skipped` : ''}`);
}

async function main() {
  const tiers = selectedTiers(process.argv.slice(2));
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
