import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { extractTar, safeComponents } from '../../../src/core/engine/extract';
import { packTree, walkTree, type WalkEntry } from '../../../src/core/engine/tarWalk';
import { isRoot, makeTree, tempDir } from './support';

const rows = async (root: string): Promise<Omit<WalkEntry, 'path'>[]> => {
  const out: Omit<WalkEntry, 'path'>[] = [];
  for await (const { path: _path, ...e } of walkTree(root)) out.push(e);
  return out;
};

test('extracting the walk of a tree gives the same tree back', async () => {
  const src = tempDir('x-src');
  const dest = tempDir('x-dest');
  try {
    const { devices } = makeTree(src);
    const res = await extractTar(Readable.from(packTree(src), { objectMode: false }), dest);
    assert.deepEqual(res.skipped, []);
    assert.equal(res.entries, devices ? 20 : 18);
    assert.equal(res.bytes, 3 * 1024 * 1024 + 17 + 7 + 20 + 5 + 6);
    assert.deepEqual(await rows(dest), await rows(src));
    assert.equal(statSync(join(dest, 'bin/tool')).ino, statSync(join(dest, 'bin/tool-hard')).ino, 'the hard link is a hard link');
    assert.equal(readlinkSync(join(dest, 'etc/abs-link')), '/etc/hostname');
    assert.ok(readFileSync(join(dest, 'big.bin')).equals(readFileSync(join(src, 'big.bin'))));
  } finally {
    rmSync(src, { recursive: true, force: true });
    rmSync(dest, { recursive: true, force: true });
  }
});

function evilTar(entries: { name: string; type?: 'file' | 'symlink' | 'link' | 'directory'; linkname?: string; body?: string }[]): Readable {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.body !== undefined) pack.entry({ name: e.name, mode: 0o644 }, e.body);
    else pack.entry({ name: e.name, type: e.type ?? 'directory', mode: e.type === 'symlink' ? 0o777 : 0o755, ...(e.linkname ? { linkname: e.linkname } : {}) });
  }
  pack.finalize();
  return Readable.from(pack, { objectMode: false });
}

test('nothing is written outside the folder: .. names, writes through symlinks and links out are skipped', async () => {
  const dir = tempDir('x-evil');
  try {
    const dest = join(dir, 'dest');
    const outside = join(dir, 'outside');
    mkdirSync(dest);
    mkdirSync(outside);
    const res = await extractTar(evilTar([
      { name: '../escaped.txt', body: 'x' },
      { name: './ok/../../escaped2.txt', body: 'x' },
      { name: 'out', type: 'symlink', linkname: outside },
      { name: 'out/planted.txt', body: 'x' },
      { name: 'out/sub/deeper.txt', body: 'x' },
      { name: 'hard', type: 'link', linkname: 'out/planted.txt' },
      { name: 'hard2', type: 'link', linkname: '../escaped.txt' },
      { name: '/abs/fine.txt', body: 'inside' },
      { name: 'fine', type: 'symlink', linkname: '/etc/passwd' },
    ]), dest);
    assert.deepEqual(res.skipped.map((s) => s.name), ['../escaped.txt', './ok/../../escaped2.txt', 'out/planted.txt', 'out/sub/deeper.txt', 'hard', 'hard2']);
    assert.deepEqual(res.skipped.map((s) => s.reason), [
      'leaves the folder (..)', 'leaves the folder (..)', 'a parent is not a directory (symlink or file)', 'a parent is not a directory (symlink or file)',
      'hard link target out/planted.txt is not a file extracted here', 'hard link target ../escaped.txt is not a file extracted here',
    ]);
    assert.equal(existsSync(join(dir, 'escaped.txt')), false);
    assert.equal(existsSync(join(outside, 'planted.txt')), false);
    assert.equal(existsSync(join(outside, 'sub')), false);
    assert.equal(readFileSync(join(dest, 'abs/fine.txt'), 'utf8'), 'inside', 'an absolute name lands inside the folder');
    assert.ok(lstatSync(join(dest, 'fine')).isSymbolicLink(), 'a symlink to an absolute path is kept as a link, never followed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('safeComponents drops . and empty parts and refuses ..', () => {
  assert.deepEqual(safeComponents('./usr//bin/'), ['usr', 'bin']);
  assert.deepEqual(safeComponents('/etc/passwd'), ['etc', 'passwd']);
  assert.equal(safeComponents('a/../../b'), undefined);
  assert.deepEqual(safeComponents('./'), []);
});

test('devices need root; without it they are listed as skipped', { skip: isRoot ? 'running as root: devices are created' : false }, async () => {
  const dest = tempDir('x-dev');
  try {
    const pack = tar.pack();
    pack.entry({ name: 'dev/null', type: 'character-device', mode: 0o666, devmajor: 1, devminor: 3 });
    pack.finalize();
    const res = await extractTar(Readable.from(pack, { objectMode: false }), dest);
    assert.deepEqual(res.skipped, [{ name: 'dev/null', reason: 'character-device needs root' }]);
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
});
