import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/run';
import { formatReportText } from '../../../src/cli/test';
import { reportOf } from '../../../src/core/checks';

async function cli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { cwd, stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

test('ownbase test: usage errors exit 2; a recipe with errors exits 1 with its diagnostics, before any image runs', async () => {
  const d = mkdtempSync(join(tmpdir(), 'ownbase-test-cli-'));
  assert.equal((await cli(['test'], d)).code, 2);
  const fmt = await cli(['test', 'x', '--format', 'xml'], d);
  assert.equal(fmt.code, 2);
  assert.match(fmt.err, /--format must be text, json or junit, not 'xml'/);
  assert.match((await cli(['test', 'x', '--frob'], d)).err, /^ownbase test: Unknown option '--frob'/);
  writeFileSync(join(d, 'bad.ownbase.yaml'), 'image: owned/a:1\ndistro: debian\nsuite: bookworm\nverify:\n  commands:\n    - argv: []\n');
  const bad = await cli(['test', 'bad.ownbase.yaml'], d);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^bad\.ownbase\.yaml:6:13: error OB201 verify\.commands\[0\]\.argv: name the program to run/m);
});

test('the text report: one line per check at its recipe line, the message under a failure, the counts', () => {
  const report = reportOf('owned/a:1', 'engine', [
    { id: 'builtins.apt', kind: 'builtin', title: 'builtin: the package manager works', path: [], status: 'passed', message: 'ok', durationMs: 5 },
    { id: 'commands[0]', kind: 'command', title: 'command: false', path: [], status: 'failed', message: 'false: exit status 1, expected 0.\nstdout:\n(empty)', durationMs: 5 },
  ], 1234, 'a.ownbase.yaml');
  assert.equal(formatReportText(report, new Map([['commands[0]', 9]])), [
    'checks of owned/a:1 (engine) from a.ownbase.yaml',
    '  ok   builtin: the package manager works',
    '  FAIL command: false (line 9)',
    '       false: exit status 1, expected 0.',
    '       stdout:',
    '       (empty)',
    '1 passed, 1 failed, 0 skipped in 1.2 s',
    '',
  ].join('\n'));
});
