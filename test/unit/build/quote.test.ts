import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shJoin, shQuote } from '../../../src/core/build/quote';

const canary = join(mkdtempSync(join(tmpdir(), 'ownbase-quote-')), 'pwned');

const NASTY = [
  '', ' ', 'plain', "it's", "''", '"', '"$HOME"', '$HOME', '${HOME}', `$(touch ${canary})`, `\`touch ${canary}\``,
  '; rm -rf /', '&& echo no', '| cat', 'a\nb', 'line\n', '\t', '\\', '\\n', '*', '/etc/*', '?', '[a-z]', '~', '~root',
  '!event', '!!', '#not a comment', '-n', '--', '-e', 'a=b', 'ünïcödé 日本語 🐳', "mixed 'single' and \"double\"", '%s', '{a,b}', '$((1+1))',
  '<in', '>out', '2>&1', '\r', '\x01\x7f',
];

for (const shell of ['bash', 'sh']) {
  test(`shQuote: ${shell} reads back every nasty string exactly, executing nothing`, () => {
    const line = shJoin(['printf', '%s\\0', ...NASTY]);
    const out = execFileSync(shell, ['-c', line], { encoding: 'utf8' });
    assert.deepEqual(out.split('\0').slice(0, -1), NASTY);
    assert.equal(existsSync(canary), false, 'a command substitution ran');
  });
}

test('shQuote leaves plain words alone and single-quotes the rest', () => {
  assert.equal(shQuote('mmdebstrap'), 'mmdebstrap');
  assert.equal(shQuote('--variant=minbase'), '--variant=minbase');
  assert.equal(shQuote('/dev/shm/ownbase-x/rootfs'), '/dev/shm/ownbase-x/rootfs');
  assert.equal(shQuote(''), "''");
  assert.equal(shQuote('a b'), "'a b'");
  assert.equal(shQuote("it's"), "'it'\\''s'");
  assert.equal(shQuote('; rm -rf /'), "'; rm -rf /'");
  assert.equal(shQuote('$(id)'), "'$(id)'");
  assert.equal(shQuote('a\nb'), "'a\nb'");
  assert.throws(() => shQuote('a\0b'), /NUL/);
});

test('shJoin: a first word that looks like an assignment or a keyword is still a command name', () => {
  assert.equal(shJoin(['A=1', 'x']), "'A=1' x");
  assert.equal(shJoin(['env', 'A=1', 'x']), 'env A=1 x');
  assert.equal(shJoin(['if']), "'if'");
  for (const argv of [['A=1'], ['if'], ['done']]) {
    const r = spawnSync('bash', ['-c', shJoin(argv)], { encoding: 'utf8' });
    assert.equal(r.status, 127, `${argv[0]} should be looked up as a command`);
  }
});

test.after(() => rmSync(join(canary, '..'), { recursive: true, force: true }));
