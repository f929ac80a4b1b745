import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recipeRemovalEdit, type RemovalEdit } from '../../../src/core/inspect/recipeEdit';
import { LineIndex } from '../../../src/core/kernel/text';

const HEAD = 'image: owned/x:1\ndistro: debian\nsuite: bookworm\n';

/** The text after the edits (applied last to first). */
function applied(text: string, r: RemovalEdit): string {
  assert.ok(r.ok, r.ok ? '' : r.reason);
  const lines = new LineIndex(text);
  let out = text;
  for (const e of [...r.edits].sort((a, b) => lines.offsetAt(b.range.start) - lines.offsetAt(a.range.start))) {
    out = out.slice(0, lines.offsetAt(e.range.start)) + e.newText + out.slice(lines.offsetAt(e.range.end));
  }
  return out;
}

test('a package the recipe asks for leaves packages:, flow or block, comments kept', () => {
  const flow = `${HEAD}packages: [ca-certificates, curl] # tls\n`;
  const r = recipeRemovalEdit(flow, { name: 'ca-certificates', remove: ['/usr/share/ca-certificates/x.crt'] });
  assert.equal(applied(flow, r), `${HEAD}packages: [curl] # tls\n`);
  assert.equal(r.ok && r.summary, 'drop ca-certificates from packages:');
  const block = `${HEAD}packages:\n  - curl\n  - ca-certificates\nslim: true\n`;
  assert.equal(applied(block, recipeRemovalEdit(block, { name: 'ca-certificates', remove: [] })), `${HEAD}packages:\n  - curl\nslim: true\n`);
});

test('anything else appends its globs to remove:, made when missing, without repeating what is listed', () => {
  const none = `${HEAD}packages: [curl]`;
  assert.equal(applied(none, recipeRemovalEdit(none, { name: 'docs', remove: ['/usr/share/doc/*', '/usr/share/man/*'] })),
    `${HEAD}packages: [curl]\nremove:\n  - "/usr/share/doc/*"\n  - "/usr/share/man/*"\n`);
  const flow = `${HEAD}remove: [/usr/share/doc/*]\n`;
  const r = recipeRemovalEdit(flow, { name: 'docs', remove: ['/usr/share/doc/*', '/usr/share/man/*'] });
  assert.equal(applied(flow, r), `${HEAD}remove: [/usr/share/doc/*, "/usr/share/man/*"]\n`);
  assert.equal(r.ok && r.summary, 'add /usr/share/man/* to remove: (docs)');
  const block = `${HEAD}remove:\n    - /var/log/*   # logs\nslim: true\n`;
  assert.equal(applied(block, recipeRemovalEdit(block, { name: 'nano', remove: ['/usr/bin/nano', '/usr/share/nano/a b'] })),
    `${HEAD}remove:\n    - /var/log/*   # logs\n    - /usr/bin/nano\n    - "/usr/share/nano/a b"\nslim: true\n`);
});

test('what cannot be edited says why', () => {
  assert.deepEqual(recipeRemovalEdit('image: [', { name: 'x', remove: ['/x'] }), { ok: false, reason: 'the recipe has errors; fix them first' });
  const listed = `${HEAD}remove: [/x]\n`;
  assert.deepEqual(recipeRemovalEdit(listed, { name: 'x', remove: ['/x'] }), { ok: false, reason: 'remove: lists all of x already' });
  assert.deepEqual(recipeRemovalEdit(HEAD, { name: 'x', remove: [] }), { ok: false, reason: 'nothing to remove for x' });
});
