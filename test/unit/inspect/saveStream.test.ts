// The save-stream reader against a real HTTP server on a unix socket: chunked and Content-Length bodies,
// the engine's errors left to the client (undefined), a connection cut short.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type RequestListener, type Server } from 'node:http';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSaveStream } from '../../../src/core/engine/saveStream';
import { bytes, collectChunks, tempDir } from './support';

const dir = tempDir('save');
const servers: Server[] = [];
after(() => { for (const s of servers) s.close(); rmSync(dir, { recursive: true, force: true }); });

async function serve(name: string, handler: RequestListener): Promise<string> {
  const path = join(dir, `${name}.sock`);
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(path, r));
  return path;
}

const DATA = bytes(10 * (1 << 20) + 12345, 42);


test('a chunked body in odd pieces comes out whole, in 1 MiB chunks, from GET /images/REF/get', async () => {
  let asked = '';
  const path = await serve('chunked', (req, res) => {
    asked = req.url ?? '';
    res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    for (let at = 0, n = 1; at < DATA.length; at += n, n = (n * 7919) % 300_000 + 1) res.write(DATA.subarray(at, at + n));
    res.end();
  });
  const s = await openSaveStream({ host: `unix://${path}`, source: 'setting' }, 'my/img:1');
  assert.ok(s);
  const { all, sizes } = await collectChunks(s.chunks);
  assert.equal(asked, '/images/my/img%3A1/get');
  assert.ok(all.equals(DATA));
  assert.deepEqual(sizes, [...Array(10).fill(1 << 20), 12345]);
});

test('a Content-Length body, on a bare socket path', async () => {
  const path = await serve('length', (_req, res) => { res.writeHead(200, { 'Content-Length': String(DATA.length) }); res.end(DATA); });
  const s = await openSaveStream({ host: path, source: 'setting' }, 'x');
  assert.ok(s);
  assert.ok((await collectChunks(s.chunks)).all.equals(DATA));
});

test('an engine error, no engine, or an engine not on a local socket: undefined (the client takes over)', async () => {
  const path = await serve('missing', (_req, res) => { res.writeHead(404, { 'Content-Type': 'application/json' }); res.end('{"message":"No such image: x"}'); });
  assert.equal(await openSaveStream({ host: `unix://${path}`, source: 'setting' }, 'x'), undefined);
  assert.equal(await openSaveStream({ host: `unix://${join(dir, 'none.sock')}`, source: 'setting' }, 'x'), undefined);
  assert.equal(await openSaveStream({ host: 'tcp://127.0.0.1:2375', source: 'setting' }, 'x'), undefined);
});

test('a connection cut in the middle of the body is an error, not a short archive', async () => {
  const path = await serve('cut', (_req, res) => {
    res.writeHead(200);
    res.write(DATA.subarray(0, 3 << 20), () => setTimeout(() => res.socket?.destroy(), 50));
  });
  const s = await openSaveStream({ host: `unix://${path}`, source: 'setting' }, 'x');
  assert.ok(s);
  await assert.rejects(collectChunks(s.chunks), /closed the stream before its end/);
});
