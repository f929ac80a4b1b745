import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as tar from 'tar-stream';
import { devNumbers, packTree, walkTree } from '../../../src/core/engine/tarWalk';
import { isRoot, LONG_DIR, LONG_FILE, makeTree, T, T2, tempDir } from './support';

interface Row { name: string; type: string; mode: string; uid: number; gid: number; mtime: string; size: number; linkname?: string; dev?: string }

async function readTar(chunks: AsyncIterable<unknown>): Promise<{ rows: Row[]; bodies: Map<string, Buffer>; bytes: Buffer }> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(c as Buffer);
  const bytes = Buffer.concat(parts);
  const ex = tar.extract();
  const rows: Row[] = [];
  const bodies = new Map<string, Buffer>();
  const done = (async () => {
    for await (const e of ex) {
      const h = e.header;
      const body: Buffer[] = [];
      for await (const c of e) body.push(c as Buffer);
      if (h.type === 'file') bodies.set(h.name, Buffer.concat(body));
      rows.push({
        name: h.name, type: h.type, mode: h.mode.toString(8), uid: h.uid, gid: h.gid, mtime: h.mtime.toISOString(), size: h.size,
        ...(h.linkname ? { linkname: h.linkname } : {}),
        ...(h.type === 'character-device' || h.type === 'block-device' ? { dev: `${h.devmajor},${h.devminor}` } : {}),
      });
    }
  })();
  ex.end(bytes);
  await done;
  return { rows, bodies, bytes };
}

test('the walk tars every entry type in name order with exact modes, owners, mtimes and link targets', async () => {
  const root = tempDir('walk');
  try {
    const { devices } = makeTree(root);
    const server = createServer();
    await new Promise<void>((r) => server.listen(join(root, 'dev/ctl.sock'), r));
    utimesSync(join(root, 'dev'), T2, T2);
    const { rows, bodies } = await readTar(packTree(root)).finally(() => server.close());
    const me = process.getuid?.() ?? 0;
    const myGid = process.getgid?.() ?? 0;
    const u = (rootUid: number): number => (isRoot ? rootUid : me);
    const g = (rootGid: number): number => (isRoot ? rootGid : myGid);
    const t = T.toISOString();
    const t2 = T2.toISOString();
    const expected: Row[] = [
      { name: 'big.bin', type: 'file', mode: '644', uid: u(0), gid: g(0), mtime: t, size: 3 * 1024 * 1024 + 17 },
      { name: 'bin/', type: 'directory', mode: '755', uid: u(0), gid: g(0), mtime: t2, size: 0 },
      { name: 'bin/etc-dir-link', type: 'symlink', mode: '777', uid: u(0), gid: g(0), mtime: t, size: 0, linkname: '../etc' },
      { name: 'bin/su', type: 'file', mode: '4755', uid: u(0), gid: g(0), mtime: t, size: 7 },
      { name: 'bin/tool', type: 'file', mode: '755', uid: u(0), gid: g(0), mtime: t, size: 20 },
      { name: 'bin/tool-hard', type: 'link', mode: '755', uid: u(0), gid: g(0), mtime: t, size: 0, linkname: 'bin/tool' },
      { name: 'bin/tool-sym', type: 'symlink', mode: '777', uid: u(0), gid: g(0), mtime: t, size: 0, linkname: 'tool' },
      { name: `${'d'.repeat(60)}/`, type: 'directory', mode: '755', uid: u(0), gid: g(0), mtime: t2, size: 0 },
      { name: `${LONG_DIR}/`, type: 'directory', mode: '755', uid: u(0), gid: g(0), mtime: t2, size: 0 },
      { name: LONG_FILE, type: 'file', mode: '644', uid: u(0), gid: g(0), mtime: t, size: 5 },
      { name: 'dev/', type: 'directory', mode: '755', uid: u(0), gid: g(0), mtime: t2, size: 0 },
      ...(devices ? [
        { name: 'dev/loop7', type: 'block-device', mode: '660', uid: 0, gid: 0, mtime: t, size: 0, dev: '7,7' },
        { name: 'dev/null', type: 'character-device', mode: '666', uid: 0, gid: 0, mtime: t, size: 0, dev: '1,3' },
      ] : []),
      { name: 'dev/pipe', type: 'fifo', mode: '644', uid: u(0), gid: g(0), mtime: t, size: 0 },
      { name: 'empty/', type: 'directory', mode: '755', uid: u(0), gid: g(0), mtime: t2, size: 0 },
      { name: 'etc/', type: 'directory', mode: '750', uid: u(0), gid: g(42), mtime: t2, size: 0 },
      { name: 'etc/abs-link', type: 'symlink', mode: '777', uid: u(1000), gid: g(1000), mtime: t, size: 0, linkname: '/etc/hostname' },
      { name: 'etc/dangling', type: 'symlink', mode: '777', uid: u(0), gid: g(0), mtime: t, size: 0, linkname: '../nowhere' },
      { name: 'etc/empty.conf', type: 'file', mode: '644', uid: u(0), gid: g(0), mtime: t, size: 0 },
      { name: 'etc/hostname', type: 'file', mode: '644', uid: u(1000), gid: g(1001), mtime: t, size: 6 },
    ];
    assert.deepEqual(rows, expected);
    assert.equal(bodies.get('etc/hostname')?.toString(), 'owned\n');
    assert.equal(bodies.get('bin/tool')?.toString(), '#!/bin/sh\necho tool\n');
    assert.ok(bodies.get('big.bin')?.equals(readFileSync(join(root, 'big.bin'))), 'the streamed big file is byte-identical');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the tar is reproducible and GNU tar extracts it to the same tree', async () => {
  const root = tempDir('walk-gnu');
  const out = tempDir('walk-gnu-out');
  try {
    makeTree(root);
    const a = await readTar(packTree(root));
    const b = await readTar(packTree(root));
    assert.equal(createHash('sha256').update(a.bytes).digest('hex'), createHash('sha256').update(b.bytes).digest('hex'));
    writeFileSync(join(out, '..', `${out.split('/').pop()}.tar`), a.bytes);
    const tarFile = join(out, '..', `${out.split('/').pop()}.tar`);
    mkdirSync(join(out, 'x'));
    execFileSync('tar', ['-x', '--numeric-owner', '-p', '-f', tarFile, '-C', join(out, 'x')]);
    rmSync(tarFile);
    const again: Row[] = [];
    for await (const e of walkTree(join(out, 'x'))) {
      again.push({ name: e.name, type: e.type, mode: e.mode.toString(8), uid: e.uid, gid: e.gid, mtime: e.mtime.toISOString(), size: e.size, ...(e.linkname ? { linkname: e.linkname } : {}) });
    }
    const original: Row[] = [];
    for await (const e of walkTree(root)) {
      original.push({ name: e.name, type: e.type, mode: e.mode.toString(8), uid: e.uid, gid: e.gid, mtime: e.mtime.toISOString(), size: e.size, ...(e.linkname ? { linkname: e.linkname } : {}) });
    }
    assert.deepEqual(again, original);
    assert.equal(readFileSync(join(out, 'x', LONG_FILE), 'utf8'), 'long\n');
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
});

test('an abort stops the walk with the abort reason', async () => {
  const root = tempDir('walk-abort');
  try {
    makeTree(root);
    const ac = new AbortController();
    const reason = new Error('user cancelled');
    let n = 0;
    await assert.rejects(async () => {
      for await (const _ of packTree(root, { signal: ac.signal })) if (++n === 3) ac.abort(reason);
    }, (e: unknown) => e === reason);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('devNumbers splits a Linux dev_t', () => {
  assert.deepEqual(devNumbers(259), { devmajor: 1, devminor: 3 });
  assert.deepEqual(devNumbers((7 << 8) | 44 | (256 << 12)), { devmajor: 7, devminor: 300 });
  assert.deepEqual(devNumbers(0x1000 * 2 ** 32 + (0x3 << 8)), { devmajor: 0x1003, devminor: 0 });
});

test('a mount left inside the tree stops the walk with what to do', { skip: isRoot ? false : 'mounting needs root' }, async () => {
  const root = tempDir('walk-mount');
  mkdirSync(join(root, 'proc'));
  execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', join(root, 'proc')]);
  try {
    await assert.rejects(readTar(packTree(root)), { message: `${join(root, 'proc')} is a mount point (another filesystem): unmount it before taking the rootfs` });
  } finally {
    execFileSync('umount', [join(root, 'proc')]);
    rmSync(root, { recursive: true, force: true });
  }
});
