import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Sarif from 'sarif';
import { runCli } from '../../../src/cli/run';
import { LineIndex } from '../../../src/core/kernel/text';
import { ignoreComment, ignoreFix } from '../../../src/core/kernel/policy';
import { applyEdits } from '../../../src/core/kernel/text';
import { lintText } from '../../../src/core/lint';

async function cli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { cwd, stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

const DOCKERFILE = [
  'FROM gcc:12 AS build',
  'RUN make',
  '# ownbase-ignore OB101, OB103: the builder stage is reviewed in ADR-7',
  'FROM busybox:glibc',
  '# ownbase-ignore OB104, OB101',
  'FROM alpine AS last',
  '',
].join('\n');

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ownbase-suppress-'));
  writeFileSync(join(d, 'Dockerfile'), DOCKERFILE);
  return d;
}

test('an ignore comment keeps its codes and its reason; a code added by the fix goes before the reason', () => {
  const lines = new LineIndex(DOCKERFILE);
  assert.deepEqual(ignoreComment(lines, 2), {
    line: 2, start: 0, end: 69, codes: ['OB101', 'OB103'], codesEnd: 29, reason: 'the builder stage is reviewed in ADR-7',
  });
  assert.deepEqual(ignoreComment(lines, 4)?.reason, undefined);
  assert.equal(ignoreComment(lines, 1), undefined);
  const fix = ignoreFix(lines, { code: 'OB104', severity: 'warning', message: '', range: { start: { line: 3, character: 0 }, end: { line: 3, character: 4 } } });
  assert.equal(applyEdits(DOCKERFILE, fix.changes[0]!.edits!).split('\n')[2],
    '# ownbase-ignore OB101, OB103, OB104: the builder stage is reviewed in ADR-7');
});

test('suppressed diagnostics are dropped unless asked for, then marked with their reason', () => {
  const plain = lintText('dockerfile', DOCKERFILE, { fixes: false });
  assert.ok(!plain.some((d) => d.range.start.line === 3 && d.code === 'OB101'));
  assert.ok(plain.every((d) => d.suppressed === undefined));
  const kept = lintText('dockerfile', DOCKERFILE, { fixes: false, keepSuppressed: true });
  const waived = kept.filter((d) => d.suppressed).map((d) => [d.range.start.line + 1, d.code, d.suppressed!.reason]);
  assert.deepEqual(waived, [
    [4, 'OB101', 'the builder stage is reviewed in ADR-7'],
    [4, 'OB103', 'the builder stage is reviewed in ADR-7'],
    [6, 'OB101', undefined],
    [6, 'OB104', undefined],
  ]);
});

test('OB002: an ignore without a reason is a warning only when reasons are required', () => {
  assert.ok(!lintText('dockerfile', DOCKERFILE, { fixes: false }).some((d) => d.code === 'OB002'));
  const ob002 = lintText('dockerfile', DOCKERFILE, { fixes: false, requireIgnoreReason: true }).filter((d) => d.code === 'OB002');
  assert.deepEqual(ob002.map((d) => [d.severity, d.range]), [
    ['warning', { start: { line: 4, character: 0 }, end: { line: 4, character: 29 } }],
  ]);
  assert.match(ob002[0]!.message, /^'# ownbase-ignore OB104, OB101' gives no reason: write it after a colon/);
  const recipe = 'image: owned/base:1\n# ownbase-ignore OB202\nsuite: bookworm\ndistro: debian\n';
  assert.equal(lintText('recipe', recipe, { fixes: false, requireIgnoreReason: true }).filter((d) => d.code === 'OB002').length, 1);
  assert.equal(lintText('recipe', recipe, { fixes: false, requireIgnoreReason: true, rules: { OB002: 'off' } }).filter((d) => d.code === 'OB002').length, 0);
});

test('CLI: text and the exit code skip waived lines; --require-reason reports OB002', async () => {
  const d = dir();
  const text = await cli(['lint', '--fail-on', 'warning', 'Dockerfile'], d);
  assert.ok(!/:4:1: warning OB101/.test(text.out), text.out);
  assert.ok(!/OB104/.test(text.out), text.out);
  assert.equal(text.code, 0, text.out);
  const strict = await cli(['lint', '--require-reason', '--fail-on', 'warning', 'Dockerfile'], d);
  assert.equal(strict.code, 1);
  assert.match(strict.out, /^Dockerfile:5:1: warning OB002 '# ownbase-ignore OB104, OB101' gives no reason/m);
});

test('CLI JSON: a waived diagnostic has "suppressed": {"reason"}', async () => {
  const json = JSON.parse((await cli(['lint', '--format', 'json', 'Dockerfile'], dir())).out);
  const diags = json.files[0].diagnostics as { code: string; range: { start: { line: number } }; suppressed?: { reason?: string } }[];
  assert.deepEqual(diags.find((x) => x.code === 'OB101' && x.range.start.line === 4)?.suppressed, { reason: 'the builder stage is reviewed in ADR-7' });
  assert.deepEqual(diags.find((x) => x.code === 'OB104')?.suppressed, {});
  assert.equal(diags.find((x) => x.code === 'OB103' && x.range.start.line === 1)?.suppressed, undefined);
});

test('CLI SARIF: waived results carry an inSource suppression with the reason; the 2.1.0 required fields are there', async () => {
  const log = JSON.parse((await cli(['lint', '--format', 'sarif', 'Dockerfile'], dir())).out) as Sarif.Log;
  // sarifLog: version and runs are required; a run requires tool.driver.name; a result requires message.
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs.length, 1);
  const run = log.runs[0]!;
  assert.equal(run.tool.driver.name, 'ownbase');
  const rules = run.tool.driver.rules!;
  for (const r of rules) assert.equal(typeof r.id, 'string'); // reportingDescriptor requires id
  for (const r of run.results!) {
    assert.equal(typeof r.message.text, 'string');
    assert.equal(rules[r.ruleIndex!]!.id, r.ruleId, 'ruleIndex points at the rule of ruleId');
    for (const s of r.suppressions ?? []) assert.ok(['inSource', 'external'].includes(s.kind), 'suppression requires kind');
  }
  const waived = run.results!.filter((r) => r.suppressions).map((r) => [r.ruleId, r.locations![0]!.physicalLocation!.region!.startLine, r.suppressions]);
  assert.deepEqual(waived, [
    ['OB101', 4, [{ kind: 'inSource', justification: 'the builder stage is reviewed in ADR-7' }]],
    ['OB103', 4, [{ kind: 'inSource', justification: 'the builder stage is reviewed in ADR-7' }]],
    ['OB101', 6, [{ kind: 'inSource' }]],
    ['OB104', 6, [{ kind: 'inSource' }]],
  ]);
  assert.ok(run.results!.some((r) => r.ruleId === 'OB103' && !r.suppressions), 'gcc:12 on line 1 is not waived');
});
