import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintDockerfile } from '../../../src/core/dockerfile/lint';
import { DOCKERFILE_RULES } from '../../../src/core/dockerfile/rules';
import type { LintContext } from '../../../src/core/dockerfile/rule';
import { fixesOf } from '../../../src/core/lint';
import { applyEdits, LineIndex } from '../../../src/core/kernel/text';

const STAGES = 8000;
/** 8,000 stages, each on its own external image, as a hostile or generated file might have. */
const many = Array.from({ length: STAGES }, (_, i) => `FROM registry.example/team/image-${i}:1 AS s${i}\nRUN echo ${i}\n`).join('');

test('8,000 FROMs: each OB101 carries at most 11 related entries and a bounded message', () => {
  const ds = lintDockerfile(many, { path: '/w/Dockerfile', fixes: false }).filter((d) => d.code === 'OB101');
  assert.equal(ds.length, STAGES - 1);
  for (const d of ds) {
    assert.ok(d.related!.length <= 11, `${d.related!.length} related entries`);
    assert.ok(d.message.length <= 600, `${d.message.length} characters`);
  }
  const last = ds[ds.length - 1]!;
  assert.equal(last.message, `FROM 8000 of 8000: each FROM adds dependencies, vulnerabilities and code to maintain; this file pulls 8000 ` +
    'external images (registry.example/team/image-0:1, registry.example/team/image-1:1, registry.example/team/image-2:1, ' +
    'registry.example/team/image-3:1, registry.example/team/image-4:1 and 7995 more). Own one base image with what this image ' +
    'needs and use a single FROM.');
  assert.deepEqual(last.related!.map((r) => r.message).slice(-2), ['FROM registry.example/team/image-9:1 AS s9', 'and 7989 more FROMs']);
  assert.equal(last.related![10]!.range.start.line, 20, 'the "more" entry points at the next FROM not listed');
  // The second FROM's list skips itself.
  assert.deepEqual(ds[0]!.related!.slice(0, 2).map((r) => r.message), ['FROM registry.example/team/image-0:1 AS s0', 'FROM registry.example/team/image-2:1 AS s2']);
});

test('a few FROMs keep every related entry', () => {
  const [d] = lintDockerfile('FROM a:1 AS x\nFROM b:1\n', { fixes: false }).filter((x) => x.code === 'OB101');
  assert.deepEqual(d!.related!.map((r) => r.message), ['FROM a:1 AS x']);
});

test('a rule switched off is never run', () => {
  const rule = DOCKERFILE_RULES.find((r) => r.code === 'OB101')! as { check(ctx: LintContext): unknown[] };
  const check = rule.check;
  let runs = 0;
  rule.check = (ctx) => { runs++; return check.call(rule, ctx); };
  try {
    const off = lintDockerfile(many, { rules: { OB101: 'off' }, fixes: false });
    assert.equal(runs, 0);
    assert.equal(off.filter((d) => d.code === 'OB101').length, 0);
    assert.equal(off.filter((d) => d.code === 'OB103').length, STAGES);
    lintDockerfile('FROM a:1\nFROM b:1\n');
    assert.equal(runs, 1);
  } finally {
    rule.check = check;
  }
});

test('8,000 FROMs: lint computes no fixes; the fixes of one diagnostic are computed on request and fit the file', () => {
  const ds = lintDockerfile(many, { path: '/w/Dockerfile', fileExists: () => false, fixes: false });
  assert.ok(ds.every((d) => d.fixes === undefined || d.fixes.length === 0));
  const d = ds.find((x) => x.code === 'OB101' && x.range.start.line === 2 * (STAGES - 1))!;
  const [fixes] = fixesOf('dockerfile', many, [d], { path: '/w/Dockerfile', fileExists: () => false });
  assert.deepEqual(fixes!.map((f) => f.title), ['Create owned base owned/w:trixie from this stage (one FROM instead of 8000)', 'Ignore OB101 for this line']
    .filter((t) => fixes!.some((f) => f.title === t)));
  const ignore = fixes!.find((f) => f.title === 'Ignore OB101 for this line')!;
  const lines = new LineIndex(many);
  for (const e of ignore.changes[0]!.edits!) assert.ok(e.range.end.line < lines.lineCount);
  const ignored = applyEdits(many, ignore.changes[0]!.edits!);
  assert.equal(lintDockerfile(ignored, { fixes: false }).filter((x) => x.code === 'OB101').length, STAGES - 2);
});
