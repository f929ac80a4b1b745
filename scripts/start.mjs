// `npm start`: opens examples/ in VS Code with this extension loaded from the working tree (build first:
// the npm script does). A desktop `code` on PATH is used as it is; otherwise code-server, installed on
// first use into the cache, serves VS Code on 127.0.0.1 until Ctrl-C.
//
//   npm start                     port $PORT, else 8080 when free, else any free port
//   npm start -- --untrusted      workspace trust on: the folder opens in Restricted Mode until trusted
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, desktopCodeOnPath, freePort, startCodeServer } from './lib/code-server.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLES = join(ROOT, 'examples');
const untrusted = process.argv.includes('--untrusted');

function openDesktop(code) {
  console.log(`ownbase: opening ${EXAMPLES} in ${code} with the extension from ${ROOT}`);
  const child = spawn(code, [`--extensionDevelopmentPath=${ROOT}`, EXAMPLES], { stdio: 'inherit' });
  child.on('exit', (status) => process.exit(status ?? 1));
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function choosePort() {
  if (process.env.PORT) return Number(process.env.PORT);
  return (await portIsFree(8080)) ? 8080 : freePort();
}

/**
 * code-server ignores --extensionDevelopmentPath, but loads a folder extension symlinked into its extensions
 * dir (measured: it registers and activates it like an installed one), so a rebuild plus "Developer: Reload
 * Window" picks up changes.
 */
function linkExtension(extensionsDir) {
  const { publisher, name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  mkdirSync(extensionsDir, { recursive: true });
  const link = join(extensionsDir, `${publisher}.${name}-${version}`);
  rmSync(link, { force: true });
  symlinkSync(ROOT, link);
}

/** Settings, layout and other installed extensions persist between starts, per clone. */
function stateDir() {
  const id = createHash('sha256').update(ROOT).digest('hex').slice(0, 12);
  return join(cacheDir(), 'start', id);
}

async function serve() {
  const state = stateDir();
  const extensionsDir = join(state, 'extensions');
  linkExtension(extensionsDir);
  mkdirSync(EXAMPLES, { recursive: true });
  const server = await startCodeServer({ stateDir: state, extensionsDir, port: await choosePort(), workspaceTrust: untrusted });
  console.log(`\nownbase: VS Code (code-server) with the extension from ${ROOT}`);
  console.log(`  open  ${server.url}/?folder=${encodeURIComponent(EXAMPLES).replace(/%2F/g, '/')}`);
  console.log('  after a rebuild (npm run watch), run "Developer: Reload Window"; Ctrl-C stops the server\n');
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await server.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  server.child.once('exit', (code) => {
    if (stopping) return;
    console.error(`ownbase: code-server exited with ${code}\n${server.log()}`);
    process.exit(1);
  });
}

const code = desktopCodeOnPath();
try {
  if (code) openDesktop(code);
  else await serve();
} catch (err) {
  console.error(`ownbase: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
