// The extension as a user gets it: the .vsix size (target ≤ 1 MB) and activation in the real VS Code
// (target ≤ 50 ms), each printed with its ratio to the target. Activation is measured on the packaged .vsix (the
// minified bundles), installed in code-server, with ownbase's own share (loading its code, activate()) apart.
// OWNBASE_TEST_CPUPROFILE=FILE also writes the extension host's CPU profile of the activation (bench/vscode/activation.ts).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
execFileSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const size = statSync(join(root, 'dist', 'ownbase.vsix')).size;
console.log(`.vsix: ${(size / 1e6).toFixed(3)} MB (target ≤ 1 MB, ratio ${(size / 1e6).toFixed(2)}×)`);

// The test build empties dist/: the .vsix waits outside it.
const kept = mkdtempSync(join(tmpdir(), 'ownbase-bench-vsix-'));
const vsix = join(kept, 'ownbase.vsix');
copyFileSync(join(root, 'dist', 'ownbase.vsix'), vsix);
execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--tests'], { cwd: root, stdio: 'inherit' });
const empty = mkdtempSync(join(tmpdir(), 'ownbase-bench-ws-'));
try {
  execFileSync(process.execPath, [join(root, 'scripts', 'vscode-test.mjs')], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env, OWNBASE_TEST_TRUST: 'trusted',
      OWNBASE_VSCODE_TESTS_INDEX: join(root, 'out', 'bench', 'vscode', 'activation.js'),
      OWNBASE_VSCODE_WORKSPACE: empty, OWNBASE_VSCODE_VSIX: vsix,
    },
  });
} catch {
  console.log('activation: the real VS Code could not run here (see above)');
} finally {
  rmSync(empty, { recursive: true, force: true });
  rmSync(kept, { recursive: true, force: true });
}
