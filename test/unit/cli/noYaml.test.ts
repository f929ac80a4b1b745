import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../../../..');

// The CLI is bundled here with the YAML library left out of the bundle, so that loading it is a visible require.
const PROBE = `
const esbuild = require('esbuild');
const Module = require('node:module');
const out = require('node:path').join(process.cwd(), 'out', 'probe-no-yaml', 'run.js');
esbuild.buildSync({ entryPoints: ['src/cli/run.ts'], bundle: true, platform: 'node', format: 'cjs', outfile: out,
  external: ['yaml', 'vscode', 'cpu-features', '*.node'], logLevel: 'silent', define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" } });
const loaded = [];
const load = Module._load;
Module._load = function (request, ...rest) { if (/^yaml(\\/|$)/.test(request)) loaded.push(request); return load.call(this, request, ...rest); };
let stdout = '';
require(out).runCli(JSON.parse(process.argv[1]), { cwd: process.cwd(), stdout: { write: (s) => (stdout += s) }, stderr: { write: () => {} } })
  .then((code) => process.stdout.write(JSON.stringify({ code, loaded, files: JSON.parse(stdout).files.length })));
`;

function lintInChild(args: string[]): { code: number; loaded: string[]; files: number } {
  return JSON.parse(execFileSync(process.execPath, ['-e', PROBE, JSON.stringify(args)], { cwd: root, encoding: 'utf8', timeout: 60_000 }));
}

test('ownbase lint of Dockerfiles and scripts never loads the YAML parser; a recipe does', () => {
  const d = mkdtempSync(join(tmpdir(), 'ownbase-lint-noyaml-'));
  writeFileSync(join(d, 'Dockerfile'), 'FROM gcc:12 AS b\nFROM busybox:glibc\nCOPY --from=b /a /a\n');
  writeFileSync(join(d, 'make.sh'), 'cat > Dockerfile <<EOF\nFROM $BASE\nEOF\n');
  assert.deepEqual(lintInChild(['lint', '--format', 'json', d]), { code: 0, loaded: [], files: 2 });
  writeFileSync(join(d, 'base.ownbase.yaml'), 'image: owned/base:1\ndistro: debian\nsuite: bookworm\n');
  const withRecipe = lintInChild(['lint', '--format', 'json', d]);
  assert.equal(withRecipe.files, 3);
  assert.ok(withRecipe.loaded.includes('yaml'), 'the probe sees the parser when a recipe needs it');
  rmSync(d, { recursive: true });
});
