import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/run';

async function cli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { cwd, stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ownbase-lint-'));
  mkdirSync(join(dir, 'app'));
  writeFileSync(join(dir, 'app', 'Dockerfile'), 'FROM gcc:12 AS build\nRUN make\nFROM busybox:glibc\nCOPY --from=build /a /a\n');
  writeFileSync(join(dir, 'app', 'api.Dockerfile'), 'FROM owned/base:1\n');
  writeFileSync(join(dir, 'base.ownbase.yaml'), 'image: owned/base:1\ndistro: debian\nsuite: bookworm\n');
  writeFileSync(join(dir, 'notes.txt'), 'FROM nothing\n');
  return dir;
}

test('text output like a compiler, exit 0 below --fail-on and 1 at or above it', async () => {
  const dir = workspace();
  const r = await cli(['lint', '.'], dir);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n');
  assert.ok(lines.includes('app/Dockerfile:3:1: warning OB101 FROM 2 of 2: each FROM adds dependencies, vulnerabilities and code to maintain; this file pulls 2 external images (gcc:12, busybox:glibc). Own one base image with what this image needs and use a single FROM.'), r.out);
  assert.ok(lines.some((l) => l.startsWith('app/Dockerfile:1:6: information OB103 gcc:12 is not an owned base')));
  assert.ok(!lines.some((l) => l.startsWith('app/api.Dockerfile')), 'owned/base:1 is built by the workspace recipe');
  assert.match(lines[lines.length - 1]!, /^\d+ problems in 3 files$/);
  assert.equal((await cli(['lint', '--fail-on', 'warning', '.'], dir)).code, 1);
  assert.equal((await cli(['lint', '--fail-on=warning', '--rule', 'OB101=off', 'app/Dockerfile'], dir)).code, 0);
});

test('JSON output: version 1, 1-based lines and columns', async () => {
  const dir = workspace();
  const r = await cli(['lint', '--format', 'json', 'app/Dockerfile'], dir);
  const json = JSON.parse(r.out);
  assert.equal(json.version, 1);
  assert.equal(json.files.length, 1);
  assert.equal(json.files[0].path, 'app/Dockerfile');
  const ob101 = json.files[0].diagnostics.find((d: { code: string }) => d.code === 'OB101');
  assert.deepEqual(ob101.range, { start: { line: 3, column: 1 }, end: { line: 3, column: 19 } });
  assert.equal(ob101.severity, 'warning');
});

test('SARIF 2.1.0 with rule metadata and physical locations', async () => {
  const dir = workspace();
  const r = await cli(['lint', '--format', 'sarif', 'app'], dir);
  const sarif = JSON.parse(r.out);
  assert.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0];
  assert.equal(run.tool.driver.name, 'ownbase');
  const ids = run.tool.driver.rules.map((x: { id: string }) => x.id);
  for (const code of ['OB101', 'OB102', 'OB103', 'OB104', 'OB105', 'OB201', 'OB301']) assert.ok(ids.includes(code), code);
  const res = run.results.find((x: { ruleId: string }) => x.ruleId === 'OB101');
  assert.equal(res.level, 'warning');
  assert.equal(run.tool.driver.rules[res.ruleIndex].id, 'OB101');
  assert.deepEqual(res.locations[0].physicalLocation.region, { startLine: 3, startColumn: 1, endLine: 3, endColumn: 19 });
  assert.equal(res.locations[0].physicalLocation.artifactLocation.uri, 'app/Dockerfile');
});

test('a file named directly is linted by its content; usage and unreadable paths exit 2 with the reason', async () => {
  const dir = workspace();
  const named = await cli(['lint', '--format', 'json', 'notes.txt'], dir);
  assert.equal(named.code, 0, named.err);
  assert.equal(JSON.parse(named.out).files[0].kind, 'dockerfile');
  const missing = await cli(['lint', 'nope'], dir);
  assert.equal(missing.code, 2);
  assert.equal(missing.err, 'ownbase lint: nope: no such file\n');
  const badFormat = await cli(['lint', '--format', 'xml'], dir);
  assert.equal(badFormat.code, 2);
  assert.match(badFormat.err, /--format must be text, json or sarif, not 'xml'/);
  assert.equal((await cli(['lint', '--bogus'], dir)).code, 2);
  writeFileSync(join(dir, 'data.bin'), 'just words\n');
  const unknown = await cli(['lint', 'data.bin'], dir);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /not a Dockerfile, recipe or shell script/);
  if (process.getuid?.() !== 0) {
    chmodSync(join(dir, 'app', 'Dockerfile'), 0);
    assert.equal((await cli(['lint', 'app/Dockerfile'], dir)).code, 2);
  }
});

test('a file reached twice (a folder and its own name) is linted once', async () => {
  const dir = workspace();
  const r = await cli(['lint', '--format', 'json', 'app', 'app/Dockerfile'], dir);
  assert.deepEqual(JSON.parse(r.out).files.map((f: { path: string }) => f.path), ['app/Dockerfile', 'app/api.Dockerfile']);
});
