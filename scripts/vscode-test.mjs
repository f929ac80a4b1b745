// Runs the test/vscode suite (compiled to out/test/vscode) inside a real VS Code extension host, once with
// the workspace trusted and once in Restricted Mode. Desktop VS Code through @vscode/test-electron when one
// can be used; otherwise code-server's VS Code driven by headless Chromium through the smoke-test payload.
//
//   node scripts/vscode-test.mjs                     both trust modes
//   OWNBASE_TEST_TRUST=untrusted node scripts/…      one mode
//   OWNBASE_VSCODE=code-server|desktop               force a backend
//   OWNBASE_VSCODE_EXECUTABLE=/path/to/electron       the desktop VS Code binary to use
//   OWNBASE_TEST_*=…                                  passed on to the extension host
//   OWNBASE_VSCODE_TEST_VERBOSE=1                   also print the workbench's own console
//   OWNBASE_TEST_ARTIFACTS=DIR                       where screenshots go (default out/test-artifacts)
//   OWNBASE_VSCODE_VSIX=dist/ownbase.vsix            test the packaged extension (code-server --install-extension),
//                                                    not the working tree (npm run package makes it)
//
// Exit code: 0 all passed, 1 a test failed or the run broke, 77 nothing here can run VS Code.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, chromiumPath, desktopCodeOnPath, ensureCodeServer, installVsix, startCodeServer } from './lib/code-server.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// A benchmark runs its own run() module on its own workspace through the same harness.
const TESTS_INDEX = resolve(process.env.OWNBASE_VSCODE_TESTS_INDEX || join(ROOT, 'out', 'test', 'vscode', 'index.js'));
const WORKSPACE_SOURCE = resolve(process.env.OWNBASE_VSCODE_WORKSPACE || join(ROOT, 'examples'));
const TIMEOUT_MS = Number(process.env.OWNBASE_VSCODE_TEST_TIMEOUT_MS || 5 * 60_000);
const MODES = process.env.OWNBASE_TEST_TRUST ? [process.env.OWNBASE_TEST_TRUST] : ['trusted', 'untrusted'];
const CANNOT_RUN = 77;
const ARTIFACTS = resolve(process.env.OWNBASE_TEST_ARTIFACTS || join(ROOT, 'out', 'test-artifacts'));
const VSIX = process.env.OWNBASE_VSCODE_VSIX ? resolve(process.env.OWNBASE_VSCODE_VSIX) : undefined;

class CannotRun extends Error {}

/** A fresh copy of examples/ (or OWNBASE_VSCODE_WORKSPACE): tests may write files and the repo must stay clean. */
function workspaceCopy(scratch) {
  const ws = join(scratch, 'examples');
  if (existsSync(WORKSPACE_SOURCE)) cpSync(WORKSPACE_SOURCE, ws, { recursive: true });
  else mkdirSync(ws, { recursive: true });
  return ws;
}

/**
 * The extension host's extra environment: the harness's own OWNBASE_TEST_* variables, the trust mode, the
 * workspace copy and the extension's root, so tests can assert on paths.
 */
function testEnv(mode, workspace, extensionRoot = ROOT) {
  const forwarded = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('OWNBASE_TEST_')));
  return { ...forwarded, OWNBASE_TEST_TRUST: mode, OWNBASE_TEST_WORKSPACE: workspace, OWNBASE_TEST_EXTENSION_ROOT: extensionRoot };
}

/** The Electron binary behind a `code` launcher on PATH (Linux and macOS install layouts), or OWNBASE_VSCODE_EXECUTABLE. */
function desktopExecutable() {
  if (process.env.OWNBASE_VSCODE_EXECUTABLE) return process.env.OWNBASE_VSCODE_EXECUTABLE;
  const launcher = desktopCodeOnPath();
  if (!launcher) return undefined;
  const appRoot = dirname(dirname(realpathSync(launcher))); // <app>/bin/code
  const electron = [join(appRoot, 'code'), join(appRoot, '..', '..', 'MacOS', 'Electron')].find((p) => existsSync(p));
  if (!electron) console.error(`ownbase: ${launcher} found but not its Electron binary; set OWNBASE_VSCODE_EXECUTABLE to use it`);
  return electron;
}

function hasDisplay() {
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

/** Desktop VS Code: a `code` on PATH, or test-electron's download (which fails fast where it cannot reach). */
async function desktopBackend() {
  if (!hasDisplay()) {
    console.error('ownbase: no display for a desktop VS Code; using code-server');
    return undefined;
  }
  if (VSIX) {
    console.error('ownbase: OWNBASE_VSCODE_VSIX is tested in code-server (it installs the .vsix); using code-server');
    return undefined;
  }
  const { downloadAndUnzipVSCode, runTests } = await import('@vscode/test-electron');
  let executable = desktopExecutable();
  if (!executable) {
    try {
      executable = await downloadAndUnzipVSCode({ timeout: 15_000 });
    } catch (err) {
      console.error(`ownbase: no desktop VS Code (download failed: ${err.message.split('\n')[0]}); using code-server`);
      return undefined;
    }
  }
  return {
    name: `desktop VS Code (${executable})`,
    async run(mode, scratch) {
      const workspace = workspaceCopy(scratch);
      const userData = join(scratch, 'user-data');
      writeSettings(userData, mode);
      try {
        await runTests({
          vscodeExecutablePath: executable,
          extensionDevelopmentPath: ROOT,
          extensionTestsPath: TESTS_INDEX,
          extensionTestsEnv: testEnv(mode, workspace),
          launchArgs: [workspace, '--disable-extensions', '--user-data-dir', userData,
            ...(mode === 'trusted' ? ['--disable-workspace-trust'] : [])],
        });
        return 0;
      } catch (err) {
        console.error(`ownbase: ${err.message}`);
        return 1;
      }
    },
    async close() {},
  };
}

function writeSettings(userData, mode) {
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(trustSettings(mode), null, 2));
}

function trustSettings(mode) {
  return {
    'security.workspace.trust.enabled': mode === 'untrusted',
    'security.workspace.trust.startupPrompt': 'never',
  };
}

// test/vscode/index.ts prefixes what the tests write with this tag: code-server mixes it into the page
// console with the workbench's own log lines.
const CONSOLE_TAG = '<<ownbase-test>>';
// test/vscode/screenshot.ts asks for a screenshot of the page with this tag and a name; it waits for the file.
const SCREENSHOT_TAG = '<<ownbase-screenshot>>';

/** The screenshot a page console message asks for (`<tag>name`), or undefined. */
function screenshotName(msg) {
  const text = msg.text();
  const at = text.indexOf(SCREENSHOT_TAG);
  if (at < 0) return undefined;
  const name = /^[A-Za-z0-9._-]+/.exec(text.slice(at + SCREENSHOT_TAG.length))?.[0];
  return name && !name.startsWith('.') ? name : undefined;
}

/** `<dir>/<mode>-<name>.png`, written whole (a temp file renamed) so a test polling for it never reads half a file. */
async function takeScreenshot(page, mode, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${mode}-${name}.png`);
  try {
    await page.screenshot({ path: `${file}.part`, type: 'png' });
    renameSync(`${file}.part`, file);
    console.log(`screenshot: ${file}`);
  } catch (err) {
    console.error(`ownbase: screenshot ${name} failed: ${err.message}`);
  }
}

/** The test output in a page console message, or undefined for the workbench's own lines. */
function testOutput(msg) {
  const text = msg.text();
  const at = text.indexOf(CONSOLE_TAG);
  return at < 0 ? undefined : text.slice(at + CONSOLE_TAG.length);
}

async function codeServerBackend() {
  const chromium = chromiumPath();
  if (!chromium) throw new CannotRun('no desktop VS Code and no Chromium (apt-get install chromium, or set CHROMIUM_PATH)');
  ensureCodeServer(); // a first install takes minutes: outside the per-run timeout
  const { chromium: playwright } = await import('playwright-core');
  const browser = await playwright.launch({ executablePath: chromium, args: CHROMIUM_ARGS, headless: true });
  let server; // the run in progress, stopped by close() when a run times out
  return {
    name: 'code-server',
    async run(mode, scratch) {
      const workspace = workspaceCopy(scratch);
      const stateDir = join(scratch, 'code-server');
      // The packaged extension, installed as a user installs it, is the one under test; else the working tree.
      const extensionRoot = VSIX ? installVsix(VSIX, join(stateDir, 'extensions'), stateDir, packageId()) : ROOT;
      if (VSIX) console.log(`testing ${VSIX}, installed in ${extensionRoot}`);
      server = await startCodeServer({ stateDir, smokeDriver: true, workspaceTrust: mode === 'untrusted', settings: trustSettings(mode) });
      try {
        return await runInPage(browser, server, mode, workspace, extensionRoot);
      } finally {
        await server.stop();
      }
    },
    async close() {
      await server?.stop();
      await browser.close();
    },
  };
}

function packageId() {
  const { publisher, name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  return { publisher, name, version };
}

function payloadUrl(server, mode, workspace, extensionRoot) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${encodeURI(p)}`;
  const payload = [
    ['extensionDevelopmentPath', remote(extensionRoot)],
    ['extensionTestsPath', remote(TESTS_INDEX)],
    ['extensionEnvironment', JSON.stringify({
      ...testEnv(mode, workspace, extensionRoot), OWNBASE_TEST_CONSOLE_TAG: CONSOLE_TAG,
      OWNBASE_TEST_SCREENSHOT_TAG: SCREENSHOT_TAG, OWNBASE_TEST_SCREENSHOT_PREFIX: join(ARTIFACTS, `${mode}-`),
    })],
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ];
  return `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** Opens the payload URL and waits for the extension tests to settle; resolves to their exit code. */
async function runInPage(browser, server, mode, workspace, extensionRoot) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    let printed = 0;
    page.on('console', (msg) => {
      if (process.env.OWNBASE_VSCODE_TEST_VERBOSE) console.error(`[page] ${msg.text()}`);
      const shot = screenshotName(msg);
      if (shot !== undefined) { void takeScreenshot(page, mode, shot); return; }
      const line = testOutput(msg);
      if (line === undefined) return;
      console.log(line);
      printed++;
    });
    const exited = new Promise((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code, logs) => {
        if (code !== 0 && printed === 0) printWorkbenchErrors(logs);
        resolve(code);
      });
    });
    // Only the navigation's start: a loaded machine takes longer than playwright's 30 s to fire 'load', and
    // the tests' own exit (above) is what this waits for, under the run's timeout.
    await page.goto(payloadUrl(server, mode, workspace, extensionRoot), { waitUntil: 'commit', timeout: 120_000 });
    return await exited;
  } finally {
    await context.close();
  }
}

/** When the tests never ran, the workbench logs handed to codeAutomationExit say why. */
function printWorkbenchErrors(logs) {
  for (const { relativePath, contents } of logs ?? []) {
    const errors = contents.split(/\n(?=\d{4}-\d\d-\d\d )/).filter((e) => /\[(error|warning)\]/.test(e));
    if (errors.length) console.error(`--- ${relativePath}\n${errors.join('\n')}`);
  }
}

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(
      `${what} did not finish in ${TIMEOUT_MS / 1000} s; giving up (OWNBASE_VSCODE_TEST_VERBOSE=1 shows the workbench's console)`,
    )), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function pickBackend() {
  const forced = process.env.OWNBASE_VSCODE;
  if (forced !== 'code-server') {
    const desktop = await desktopBackend();
    if (desktop) return desktop;
    if (forced === 'desktop') throw new CannotRun('OWNBASE_VSCODE=desktop but no desktop VS Code can be used here');
  }
  return codeServerBackend();
}

async function runMode(backend, mode, scratch) {
  mkdirSync(scratch, { recursive: true });
  console.log(`\n== VS Code tests, ${mode} workspace, on ${backend.name}`);
  const started = Date.now();
  const code = await withTimeout(backend.run(mode, scratch), `the ${mode} run`);
  return { mode, code, seconds: (Date.now() - started) / 1000 };
}

async function main() {
  const unknown = MODES.filter((m) => m !== 'trusted' && m !== 'untrusted');
  if (unknown.length) throw new Error(`OWNBASE_TEST_TRUST must be trusted or untrusted, not ${unknown.join(', ')}`);
  if (!existsSync(TESTS_INDEX)) throw new Error(`${TESTS_INDEX} is missing: run node scripts/build.mjs --tests first`);
  const backend = await pickBackend();
  const scratch = mkdtempSync(join(tmpdir(), 'ownbase-vscode-'));
  process.once('exit', () => rmSync(scratch, { recursive: true, force: true })); // on Ctrl-C too
  const results = [];
  try {
    for (const mode of MODES) results.push(await runMode(backend, mode, join(scratch, mode)));
  } finally {
    await backend.close();
  }
  for (const r of results) console.log(`${r.code === 0 ? 'PASS' : 'FAIL'} VS Code tests, ${r.mode} workspace (${r.seconds.toFixed(1)} s)`);
  return results.every((r) => r.code === 0) ? 0 : 1;
}

// A signal would end the process without 'exit' handlers, which stop code-server's process group.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`ownbase: ${err instanceof CannotRun ? 'cannot run the VS Code tests: ' : ''}${err.message}`);
    process.exit(err instanceof CannotRun ? CANNOT_RUN : 1);
  },
);
