import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex, applyEdits, decodeUtf8, firstInvalidUtf8 } from '../../../src/core/kernel/text';
import { lintText } from '../../../src/core/lint';
import { lintDockerfile } from './withFixes';

/** The lines as VS Code counts them: \r\n, \n and a lone \r each end a line. */
const editorLines = (text: string): string[] => text.split(/\r\n|\r|\n/);

test('LineIndex counts lines as the editor does: \\r\\n, \\n and a lone \\r', () => {
  const lines = new LineIndex('a\rb\r\nc\nd');
  assert.equal(lines.lineCount, 4);
  assert.deepEqual([0, 1, 2, 3].map((l) => lines.lineText(l)), ['a', 'b', 'c', 'd']);
  assert.deepEqual(lines.positionAt(2), { line: 1, character: 0 });
  assert.deepEqual(lines.positionAt(4), { line: 1, character: 1 }, 'between \\r and \\n: the end of the line');
  assert.equal(lines.offsetAt({ line: 0, character: 9 }), 1);
  assert.equal(new LineIndex('x\ry').eol, '\r');
  assert.equal(new LineIndex('x\r\ny').eol, '\r\n');
  assert.equal(new LineIndex('x').eol, '\n');
});

test('Create owned base on a file with lone \\r line ends: every edit inside the document as the editor sees it', () => {
  const text = 'FROM gcc:12 AS build\rRUN apt-get install -y curl\rFROM busybox:glibc\rCOPY --from=build /a /a\r';
  const ds = lintDockerfile(text, { path: '/w/app/Dockerfile', fileExists: () => false });
  const ob101 = ds.find((d) => d.code === 'OB101')!;
  assert.deepEqual(ob101.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 18 } });
  const create = ob101.fixes!.find((f) => f.title.startsWith('Create'))!;
  const lines = editorLines(text);
  for (const f of ds.flatMap((d) => d.fixes ?? [])) {
    for (const e of f.changes.flatMap((c) => (c.path ? [] : c.edits ?? []))) {
      for (const p of [e.range.start, e.range.end]) {
        assert.ok(p.line < lines.length && p.character <= lines[p.line]!.length, `${f.title}: ${JSON.stringify(p)} outside the document`);
      }
    }
  }
  const edit = create.changes.find((c) => !c.path)!.edits![0]!;
  assert.deepEqual(edit.range, { start: { line: 0, character: 0 }, end: { line: 4, character: 0 } });
  const ignore = ob101.fixes!.find((f) => f.title === 'Ignore OB101 for this line')!;
  assert.equal(applyEdits(text, ignore.changes[0]!.edits!), 'FROM gcc:12 AS build\rRUN apt-get install -y curl\r# ownbase-ignore OB101\rFROM busybox:glibc\rCOPY --from=build /a /a\r');
});

test('UTF-8 validation finds the first bad byte: stray, overlong, surrogate, truncated', () => {
  assert.equal(firstInvalidUtf8(Buffer.from('héllo 😀')), undefined);
  assert.equal(firstInvalidUtf8(Buffer.from([0x61, 0xff])), 1);
  assert.equal(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0xaf])), 1, 'overlong /');
  assert.equal(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80])), 0, 'a surrogate');
  assert.equal(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xe2, 0x82])), 2, 'truncated');
  assert.equal(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80])), 0, 'above U+10FFFF');
  const d = decodeUtf8(Buffer.concat([Buffer.from('😀\n'), Buffer.from([0x78, 0x80])]));
  assert.deepEqual(d.invalidUtf8, { offset: 4, byte: 0x80 });
  assert.equal(d.text, '😀\nx\ufffd');
  const [ob001] = lintText('dockerfile', d.text, { invalidUtf8: d.invalidUtf8!, fixes: false }).filter((x) => x.code === 'OB001');
  assert.deepEqual(ob001!.range, { start: { line: 1, character: 1 }, end: { line: 1, character: 2 } });
});
