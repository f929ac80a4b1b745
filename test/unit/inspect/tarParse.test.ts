// The layer scan's own tar reader (src/core/inspect/tarParse.ts) against tar-stream, the library it replaced there:
// the same entries (name, type, size, link, data offset, data) from archives written by tar-stream (PAX for long
// names), by GNU tar (gnu and posix formats) and by hand (GNU long names, base-256 sizes), fed in random cuts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar-stream';
import { TarParser, type TarHeader } from '../../../src/core/inspect/tarParse';
import { rng } from '../rng';
import { tempDir } from './support';

interface Seen { name: string; type: string; size: number; linkname: string | undefined; offset: number; sha?: string }

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex').slice(0, 16);

/** What tar-stream reads, in our terms (the layer scan's kinds: file, link, symlink, directory, other). */
async function withTarStream(archive: Buffer): Promise<Seen[]> {
  const out: Seen[] = [];
  const ex = tar.extract();
  const done = new Promise<void>((resolve, reject) => { ex.on('finish', resolve); ex.on('error', reject); });
  ex.on('entry', (h, stream, next) => {
    const type = h.type === 'file' || h.type === 'contiguous-file' ? 'file' : h.type === 'link' || h.type === 'symlink' || h.type === 'directory' ? h.type : 'other';
    const parts: Buffer[] = [];
    stream.on('data', (c: unknown) => { parts.push(Buffer.from(c as Buffer)); });
    stream.on('end', () => {
      out.push({ name: h.name, type, size: h.size ?? 0, linkname: h.linkname ?? undefined, offset: (h as { byteOffset?: number }).byteOffset!, ...(type === 'file' ? { sha: sha(Buffer.concat(parts)) } : {}) });
      next();
    });
  });
  ex.end(archive);
  await done;
  return out;
}

/** What TarParser reads, the archive pushed in cuts of random length. */
function withParser(archive: Buffer, random: () => number): Seen[] {
  const out: Seen[] = [];
  let cur: { h: TarHeader; parts: Buffer[] } | undefined;
  const p = new TarParser({
    entry(h) {
      if (h.type !== 'file') { out.push({ name: h.name, type: h.type, size: h.size, linkname: h.linkname, offset: h.offset }); return false; }
      cur = { h, parts: [] };
      return true;
    },
    data(b) { cur!.parts.push(Buffer.from(b)); },
    end() { const { h, parts } = cur!; out.push({ name: h.name, type: h.type, size: h.size, linkname: h.linkname, offset: h.offset, sha: sha(Buffer.concat(parts)) }); },
  });
  for (let at = 0; at < archive.length;) {
    const n = random() < 0.3 ? 1 + Math.floor(random() * 600) : 1 + Math.floor(random() * 200_000);
    p.push(archive.subarray(at, at + n));
    at += n;
  }
  p.end();
  return out;
}

async function packed(random: () => number): Promise<Buffer> {
  const pack = tar.pack();
  const parts: Buffer[] = [];
  pack.on('data', (c: unknown) => { parts.push(c as Buffer); });
  const ended = new Promise<void>((r) => { pack.on('end', () => r()); });
  const name = (): string => {
    const segs = 1 + Math.floor(random() * (random() < 0.2 ? 30 : 4));
    return Array.from({ length: segs }, () => Array.from({ length: 1 + Math.floor(random() * 12) }, () => 'abcxyz.-_é1'[Math.floor(random() * 11)]).join('')).join('/');
  };
  const n = 20 + Math.floor(random() * 40);
  for (let i = 0; i < n; i++) {
    const r = random();
    if (r < 0.5) {
      const size = [0, 1, 511, 512, 513, 1024, Math.floor(random() * 70_000)][Math.floor(random() * 7)]!;
      const body = Buffer.alloc(size);
      for (let j = 0; j < size; j += 97) body[j] = Math.floor(random() * 256);
      pack.entry({ name: name(), size, type: 'file' }, body);
    } else if (r < 0.7) pack.entry({ name: `${name()}/`, type: 'directory' });
    else if (r < 0.85) pack.entry({ name: name(), type: 'symlink', linkname: name() });
    else if (r < 0.95) pack.entry({ name: name(), type: 'link', linkname: name() });
    else pack.entry({ name: name(), type: 'fifo' });
  }
  pack.finalize();
  await ended;
  return Buffer.concat(parts);
}

test('TarParser reads what tar-stream reads: tar-stream archives with PAX long names, cut anywhere (seeded)', async () => {
  for (let seed = 1; seed <= 60; seed++) {
    const random = rng(seed);
    const archive = await packed(random);
    assert.deepEqual(withParser(archive, random), await withTarStream(archive), `seed ${seed}`);
  }
});

test('TarParser reads what tar-stream reads: GNU tar in gnu and posix formats (long names, hard links, symlinks)', async () => {
  const dir = tempDir('tarparse');
  try {
    const root = join(dir, 'root');
    const deep = join(root, 'd'.repeat(90), 'e'.repeat(90), 'f'.repeat(90));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, `${'g'.repeat(120)}.txt`), 'hello\n'.repeat(1000));
    writeFileSync(join(root, 'small'), 'x');
    writeFileSync(join(root, 'empty'), '');
    linkSync(join(root, 'small'), join(deep, 'hard'));
    symlinkSync(`/${'t'.repeat(150)}/target`, join(root, 'long-link'));
    symlinkSync('small', join(root, 'short-link'));
    for (const format of ['gnu', 'posix', 'ustar']) {
      let archive: Buffer;
      try {
        archive = execFileSync('tar', ['-C', root, `--format=${format}`, '-cf', '-', '.'], { maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        // ustar cannot hold the long names: GNU tar says so and skips them; the others hold everything.
        assert.equal(format, 'ustar', (e as Error).message);
        archive = (e as { stdout: Buffer }).stdout;
      }
      const expected = await withTarStream(archive);
      assert.ok(expected.length >= (format === 'ustar' ? 5 : 9), `${format}: ${expected.length} entries`);
      assert.deepEqual(withParser(archive, rng(7)), expected, format);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A header block written by hand (ustar magic unless given), its checksum filled in. */
function header(fields: { name: string; size?: number | Buffer; flag?: string; magic?: string }): Buffer {
  const b = Buffer.alloc(512);
  b.write(fields.name, 0, 100, 'utf8');
  b.write('0000644\0', 100);
  const size = fields.size ?? 0;
  if (Buffer.isBuffer(size)) size.copy(b, 124);
  else b.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  b.write(fields.flag ?? '0', 156);
  b.write(fields.magic ?? 'ustar\u000000', 257, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}
const padded = (data: Buffer): Buffer => Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);

test('TarParser reads GNU long names and base-256 sizes as tar-stream does', async () => {
  const longName = `${'n'.repeat(300)}/file`;
  const big = Buffer.alloc(12);
  big[0] = 0x80;
  big.writeUInt32BE(1000, 8); // base-256: 1000 bytes
  const archive = Buffer.concat([
    header({ name: '././@LongLink', size: longName.length + 1, flag: 'L', magic: 'ustar  \0' }), padded(Buffer.from(`${longName}\0`)),
    header({ name: 'short', size: 3, magic: 'ustar  \0' }), padded(Buffer.from('abc')),
    header({ name: 'sized', size: big }), padded(Buffer.alloc(1000, 1)),
    header({ name: 'old-dir/' }),
    Buffer.alloc(1024),
  ]);
  const expected = await withTarStream(archive);
  assert.deepEqual(expected.map((e) => [e.name, e.type, e.size]), [[longName, 'file', 3], ['sized', 'file', 1000], ['old-dir/', 'file', 0]]);
  assert.deepEqual(withParser(archive, rng(3)), expected);
});

test('TarParser refuses what tar-stream refuses, with its messages: a bad checksum, an unknown format, a cut-off end', async () => {
  const good = Buffer.concat([header({ name: 'a', size: 5 }), padded(Buffer.from('hello')), Buffer.alloc(1024)]);
  const bad = Buffer.from(good);
  bad[0] = 0x62; // the name changed, the checksum not
  const unknown = Buffer.concat([header({ name: 'a', magic: 'nope!\0' }), Buffer.alloc(1024)]);
  const cut = good.subarray(0, 512 + 100);
  const inTheMiddle = good.subarray(0, 700);
  for (const [what, archive] of [['a bad checksum', bad], ['an unknown format', unknown], ['a cut inside the data', cut], ['a cut inside the padding', inTheMiddle]] as const) {
    const theirs = await withTarStream(archive).then(() => 'read', (e: Error) => e.message);
    const ours = (() => { try { withParser(archive, rng(1)); return 'read'; } catch (e) { return (e as Error).message; } })();
    assert.notEqual(theirs, 'read', what);
    assert.equal(ours, theirs, what);
  }
  assert.deepEqual(withParser(good, rng(1)).map((e) => e.name), ['a']);
});
