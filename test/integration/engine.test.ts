// importRootfs and writeOciArchive against the real Docker engine (root, dockerd running).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type Dockerode from 'dockerode';
import { execa } from 'execa';
import * as tar from 'tar-stream';
import { connectEngine, engineReachable, EngineUnreachableError } from '../../src/core/engine/connect';
import { importRootfs, writeOciArchive, type ImportRequest } from '../../src/core/engine/import';
import { LABEL_BASE_NAME, LABEL_RECIPE_PATH, LABEL_RECIPE_SHA256, provenanceLabels } from '../../src/core/engine/labels';
import { busyboxRootfs, tempDir } from '../unit/engine/support';

const docker = connectEngine();
const RUN = randomBytes(4).toString('hex');
/** Every image made here carries this label, so leftovers (incl. temporary tags) can be found. */
const RUN_LABEL = 'dev.ownbase.test.run';
const PREFIX = `ownbase-test/engine-${RUN}`;
const made: string[] = [];
const madeIds: string[] = [];
const dirs: string[] = [];

const PROVENANCE = provenanceLabels({ baseName: 'scratch', recipePath: 'examples/busybox.ownbase.yaml', recipeSha256: 'c'.repeat(64) });

function request(tag: string, rootfs: string, extra: Partial<ImportRequest> = {}, run = RUN): ImportRequest {
  made.push(tag);
  return {
    rootfs, tag, arch: 'amd64',
    config: { cmd: ['/bin/busybox', 'sh', '-c', 'echo "$GREETING from $(pwd)"'], env: { GREETING: 'hi there', LANG: 'C.UTF-8' }, workdir: '/tmp', expose: [8080, '53/udp'], labels: { team: 'ops' } },
    labels: { ...PROVENANCE, [RUN_LABEL]: run },
    ...extra,
  };
}

const inspect = (ref: string): Promise<Dockerode.ImageInspectInfo & { Variant?: string }> => docker.getImage(ref).inspect();
const missing = async (ref: string): Promise<boolean> => inspect(ref).then(() => false, (e: { statusCode?: number }) => e.statusCode === 404);

/** Images carrying a run label, with their tags: whatever an import left behind. */
async function runImages(run: string): Promise<string[][]> {
  const list = await docker.listImages({ filters: JSON.stringify({ label: [`${RUN_LABEL}=${run}`] }) });
  return list.map((i) => (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>').sort());
}

const importDirs = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('ownbase-import-')).sort();

let bb: string;
let bigRoot: string;

before(async () => {
  assert.ok(await engineReachable(docker), 'these tests need the Docker engine at /var/run/docker.sock (start dockerd)');
  bb = busyboxRootfs(tempDir('bb'));
  bigRoot = busyboxRootfs(tempDir('bb-big'));
  mkdirSync(join(bigRoot, 'data'));
  // 48 MiB that gzip cannot shrink: the upload takes long enough to be cut in the middle.
  for (let i = 0; i < 6; i++) writeFileSync(join(bigRoot, 'data', `blob${i}`), randomBytes(8 << 20));
  dirs.push(bb, bigRoot);
});

after(async () => {
  for (const ref of [...made, ...madeIds]) await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('a busybox rootfs imports under its tag, runs, and carries the recipe config and provenance', async () => {
  const tag = `${PREFIX}/bb:1`;
  const progress: number[] = [];
  const work = tempDir('import-work');
  dirs.push(work);
  const res = await importRootfs(docker, request(tag, bb, { onProgress: (n) => progress.push(n), workDir: work }));
  assert.deepEqual(readdirSync(work), [], 'the layer tar went to workDir and is gone');
  const info = await inspect(tag);
  assert.equal(res.tag, tag);
  assert.equal(res.id, info.Id);
  assert.equal(res.size, info.Size);
  const busybox = statSync(join(bb, 'bin/busybox')).size;
  const passwd = statSync(join(bb, 'etc/passwd')).size;
  const group = statSync(join(bb, 'etc/group')).size;
  assert.equal(res.size, busybox + passwd + group + 'busybox'.length, 'the engine counts file bytes and the symlink target');
  assert.equal(info.Architecture, 'amd64');
  assert.equal(info.Os, 'linux');
  assert.deepEqual(info.Config.Cmd, ['/bin/busybox', 'sh', '-c', 'echo "$GREETING from $(pwd)"']);
  assert.deepEqual(info.Config.Env, ['GREETING=hi there', 'LANG=C.UTF-8']);
  assert.equal(info.Config.WorkingDir, '/tmp');
  assert.deepEqual(info.Config.ExposedPorts, { '53/udp': {}, '8080/tcp': {} });
  assert.deepEqual(info.Config.Labels, {
    team: 'ops',
    [LABEL_BASE_NAME]: 'scratch',
    [LABEL_RECIPE_PATH]: 'examples/busybox.ownbase.yaml',
    [LABEL_RECIPE_SHA256]: 'c'.repeat(64),
    [RUN_LABEL]: RUN,
  });
  assert.deepEqual(info.RepoTags, [tag]);
  assert.ok(progress.length > 0 && progress.at(-1)! > busybox);

  assert.equal((await execa('docker', ['run', '--rm', tag, '/bin/busybox', 'echo', 'hi'])).stdout, 'hi');
  assert.equal((await execa('docker', ['run', '--rm', tag])).stdout, 'hi there from /tmp');

  // The gzip size is gzip -6 of the very layer the engine stores (docker save gives it back byte for byte).
  const saved = await docker.getImage(tag).get();
  const files = new Map<string, Buffer>();
  const ex = tar.extract();
  const read = (async () => {
    for await (const e of ex) {
      const parts: Buffer[] = [];
      for await (const c of e) parts.push(c as Buffer);
      files.set(e.header.name, Buffer.concat(parts));
    }
  })();
  (saved as NodeJS.ReadableStream).pipe(ex as unknown as NodeJS.WritableStream);
  await read;
  const manifest = JSON.parse(files.get('manifest.json')!.toString()) as { Layers: string[] }[];
  const layer = files.get(manifest[0]!.Layers[0]!)!;
  assert.equal(res.layerGzipSize, gzipSync(layer, { level: 6 }).length);

  assert.deepEqual(await runImages(RUN), [[tag]], 'only the final tag: the temporary one is gone');
  const owned = (await docker.listImages({ filters: JSON.stringify({ label: [LABEL_RECIPE_PATH] }) })).find((i) => (i.RepoTags ?? []).includes(tag));
  assert.ok(owned, 'the engine lists the import under its recipe label');
  assert.equal(owned.Id, res.id);
  assert.equal(owned.Labels[LABEL_BASE_NAME], 'scratch');
  assert.equal(owned.Labels[LABEL_RECIPE_PATH], 'examples/busybox.ownbase.yaml');
  assert.equal(owned.Labels[LABEL_RECIPE_SHA256], 'c'.repeat(64));
  const history = await docker.getImage(tag).history() as { CreatedBy: string; Comment: string; Size: number }[];
  assert.equal(history.length, 1);
  assert.equal(history[0]!.CreatedBy, 'ownbase import');
  assert.equal(history[0]!.Comment, 'rootfs imported by ownbase');
  assert.equal(history[0]!.Size, res.size);
});

test('the image carries the recipe architecture: arm64 and armhf', async () => {
  const arm64 = await importRootfs(docker, request(`${PREFIX}/bb-arm64:1`, bb, { arch: 'arm64' }));
  const a = await inspect(arm64.tag);
  assert.equal(a.Architecture, 'arm64');
  assert.equal(a.Variant, 'v8');
  const armhf = await importRootfs(docker, request(`${PREFIX}/bb-armhf:1`, bb, { arch: 'armhf' }));
  const h = await inspect(armhf.tag);
  assert.equal(h.Architecture, 'arm');
  assert.equal(h.Variant, 'v7');
});

test('re-importing a tag moves it to the new image; equal input and time give the same image id', async () => {
  const tag = `${PREFIX}/bb-again:1`;
  const created = new Date('2024-02-03T04:05:06Z');
  const first = await importRootfs(docker, request(tag, bb, { created }));
  const same = await importRootfs(docker, request(tag, bb, { created }));
  assert.equal(same.id, first.id);
  const changed = await importRootfs(docker, request(tag, bb, { created, config: { cmd: ['/bin/busybox', 'true'] } }));
  assert.notEqual(changed.id, first.id);
  assert.equal((await inspect(tag)).Id, changed.id);
  assert.equal((await inspect(tag)).Created, '2024-02-03T04:05:06Z');
  assert.deepEqual((await inspect(first.id)).RepoTags, [], 'like docker import and build, the replaced image stays, untagged');
  madeIds.push(first.id);
});

/** The real engine, with a hook when the import starts loading (the upload is then under way). */
function onLoad(hook: (phase: 'sent' | 'loaded') => void): Dockerode {
  return new Proxy(docker, {
    get(target, prop, receiver) {
      if (prop !== 'loadImage') return Reflect.get(target, prop, receiver) as unknown;
      return async (...args: Parameters<Dockerode['loadImage']>) => {
        const p = target.loadImage(...args);
        hook('sent');
        const res = await p;
        hook('loaded');
        return res;
      };
    },
  });
}

for (const phase of ['walk', 'sent', 'loaded'] as const) {
  test(`an abort during the ${phase === 'walk' ? 'rootfs walk' : phase === 'sent' ? 'upload' : 'load'} leaves the final tag as it was and no image`, async () => {
    const tag = `${PREFIX}/abort-${phase}:1`;
    const previous = await importRootfs(docker, request(tag, bb, { config: { cmd: ['/bin/busybox', 'echo', 'previous'] } }));
    const dirsBefore = importDirs();
    const ac = new AbortController();
    const engine = phase === 'walk' ? docker : onLoad((p) => { if (p === phase) ac.abort(); });
    const started = Date.now();
    const run = `${RUN}-abort-${phase}`;
    await assert.rejects(importRootfs(engine, request(tag, bigRoot, {
      signal: ac.signal,
      ...(phase === 'walk' ? { onProgress: () => ac.abort() } : {}),
    }, run)), { name: 'AbortError' });
    assert.ok(Date.now() - started < 60_000);
    assert.equal((await inspect(tag)).Id, previous.id, 'the final tag still names the previous image');
    assert.deepEqual(await runImages(run), [], 'no temporary tag and no half-loaded image');
    assert.deepEqual(importDirs().filter((d) => !dirsBefore.includes(d)), [], 'the temporary layer file is removed');
  });
}

test('an abort before the start rejects at once and touches nothing', async () => {
  const tag = `${PREFIX}/abort-early:1`;
  await assert.rejects(importRootfs(docker, request(tag, bb, { signal: AbortSignal.abort() })), { name: 'AbortError' });
  assert.equal(await missing(tag), true);
});

test('writeOciArchive: docker load accepts the archive with its architecture, config and labels', async () => {
  const work = tempDir('oci-load');
  dirs.push(work);
  const tag = `${PREFIX}/oci:1`;
  const res = await writeOciArchive(bb, join(work, 'bb.tar'), request(tag, bb));
  const load = await execa('docker', ['load', '-i', res.path]);
  assert.equal(load.stdout.trim(), `Loaded image: ${tag}`);
  const info = await inspect(tag);
  assert.equal(info.Architecture, 'amd64');
  assert.deepEqual(info.Config.Cmd, ['/bin/busybox', 'sh', '-c', 'echo "$GREETING from $(pwd)"']);
  assert.deepEqual(info.Config.Env, ['GREETING=hi there', 'LANG=C.UTF-8']);
  assert.equal(info.Config.Labels[LABEL_RECIPE_PATH], 'examples/busybox.ownbase.yaml');
  assert.equal((await execa('docker', ['run', '--rm', tag])).stdout, 'hi there from /tmp');

  const armTag = `${PREFIX}/oci-arm64:1`;
  const arm = await writeOciArchive(bb, join(work, 'bb-arm64.tar'), request(armTag, bb, { arch: 'arm64' }));
  assert.equal((await execa('docker', ['load', '-i', arm.path])).stdout.trim(), `Loaded image: ${armTag}`);
  const a = await inspect(armTag);
  assert.equal(a.Architecture, 'arm64');
  assert.equal(a.Variant, 'v8');
  assert.deepEqual(a.Config.Env, ['GREETING=hi there', 'LANG=C.UTF-8']);
  assert.equal(a.Config.Labels['team'], 'ops');
});

test('no engine: engineReachable is false and every call says how to fix it', async () => {
  const none = connectEngine('unix:///nonexistent.sock');
  assert.equal(await engineReachable(none), false);
  const message = 'Docker engine not reachable at /nonexistent.sock: start dockerd or set ownbase.docker.host';
  const dirsBefore = importDirs();
  await assert.rejects(importRootfs(none, request(`${PREFIX}/never:1`, bb)), (e: unknown) => e instanceof EngineUnreachableError && e.message === message);
  assert.deepEqual(importDirs().filter((d) => !dirsBefore.includes(d)), []);
});
