// The Owned Bases view's data against the real Docker engine: images imported with ownbase's labels
// appear under their recipe with their real sizes, a changed recipe makes them outdated, and `docker tag`
// / `docker rmi` from a shell arrive through the engine's event stream.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { connectEngine, engineReachable, EngineUnreachableError } from '../../src/core/engine/connect';
import { importRootfs } from '../../src/core/engine/import';
import { provenanceLabels } from '../../src/core/engine/labels';
import { engineVersion, listEngineImages, removeImage, watchImageEvents, type EventWatch, type ImageEvent } from '../../src/core/engine/list';
import { buildWorkspaceModel, recipeSha256, type RecipeFile } from '../../src/core/workspace/model';
import { prunePlan } from '../../src/core/workspace/prune';
import { busyboxRootfs, tempDir } from '../unit/engine/support';

const docker = connectEngine();
const RUN = randomBytes(4).toString('hex');
const REPO = `ownbase-test-view-${RUN}`;
const LABEL_PATH = `view-${RUN}/bb.ownbase.yaml`;
const RECIPE_TEXT = `image: ${REPO}:2\ndistro: debian\nsuite: bookworm\n`;
const recipe = (text: string): RecipeFile => ({ path: `/ws/${LABEL_PATH}`, relPath: LABEL_PATH, bytes: new TextEncoder().encode(text) });
const dirs: string[] = [];
const ids: string[] = [];
let watch: EventWatch | undefined;
const events: ImageEvent[] = [];
let first: { id: string; size: number };
let second: { id: string; size: number };

/** Polls until `check` holds; fails with what was last seen after `ms`. */
async function until<T>(what: string, ms: number, check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`${what}: not seen within ${ms / 1000} s; events so far: ${JSON.stringify(events)}`);
    await sleep(100);
  }
}

before(async () => {
  assert.ok(await engineReachable(docker), 'these tests need the Docker engine at /var/run/docker.sock (start dockerd)');
  const labels = provenanceLabels({ baseName: 'scratch', recipePath: LABEL_PATH, recipeSha256: recipeSha256(recipe(RECIPE_TEXT).bytes) });
  const small = busyboxRootfs(tempDir('view-a'));
  const big = busyboxRootfs(tempDir('view-b'));
  dirs.push(small, big);
  writeFileSync(join(big, 'etc', 'motd'), 'x'.repeat(100_000));
  const base = { arch: 'amd64', config: { cmd: ['/bin/sh'] } };
  const a = await importRootfs(docker, { ...base, rootfs: small, tag: `${REPO}:1`, labels, created: new Date('2026-01-01T00:00:00Z') });
  ids.push(a.id);
  const b = await importRootfs(docker, { ...base, rootfs: big, tag: `${REPO}:2`, labels, created: new Date('2026-01-02T00:00:00Z') });
  ids.push(b.id);
  first = { id: a.id, size: a.size };
  second = { id: b.id, size: b.size };
});

after(async () => {
  watch?.close();
  for (const ref of [`${REPO}:extra`, `${REPO}:1`, `${REPO}:2`, ...ids]) await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('imported images appear under their recipe, newest first, with their sizes, arch and the change between builds', async () => {
  const model = buildWorkspaceModel({ recipes: [recipe(RECIPE_TEXT)], dockerfiles: [], images: await listEngineImages(docker), ownedPatterns: [] });
  const entry = model.recipes[0]!;
  assert.equal(entry.state, 'built');
  assert.deepEqual(entry.images.map((i) => [i.id, i.tags, i.size, i.delta, i.arch, i.current]), [
    [second.id, [`${REPO}:2`], second.size, second.size - first.size, 'amd64', true],
    [first.id, [`${REPO}:1`], first.size, undefined, 'amd64', true],
  ]);
  assert.ok(second.size - first.size >= 100_000, `the second image carries the 100 kB file (${second.size - first.size})`);
  assert.equal(entry.images[0]!.created, Date.parse('2026-01-02T00:00:00Z'));
  const ours = prunePlan((await listEngineImages(docker)).filter((i) => ids.includes(i.id)));
  assert.deepEqual(ours.images.map((i) => i.id), [first.id]);
  assert.equal(ours.bytes, first.size);
});

test('a changed recipe marks its images outdated', async () => {
  const model = buildWorkspaceModel({ recipes: [recipe(`${RECIPE_TEXT}packages: [curl]\n`)], dockerfiles: [], images: await listEngineImages(docker), ownedPatterns: [] });
  assert.equal(model.recipes[0]!.state, 'outdated');
  assert.deepEqual(model.recipes[0]!.images.map((i) => i.current), [false, false]);
});

test('docker tag, docker rmi and an image removal from a shell arrive through the event stream', async () => {
  watch = await watchImageEvents(docker, (e) => events.push(e));
  await execa('docker', ['tag', second.id, `${REPO}:extra`]);
  await until('the tag event', 20_000, () => events.find((e) => e.action === 'tag' && e.name === `${REPO}:extra`));
  const tagged = await listEngineImages(docker);
  assert.deepEqual(tagged.find((i) => i.id === second.id)?.tags.slice().sort(), [`${REPO}:2`, `${REPO}:extra`]);

  await execa('docker', ['rmi', `${REPO}:extra`]);
  await until('the untag event', 20_000, () => events.find((e) => e.action === 'untag' && e.id === second.id));

  await removeImage(docker, { id: first.id, tags: [`${REPO}:1`] });
  await until('the delete event', 20_000, () => events.find((e) => e.action === 'delete' && e.id === first.id));
  const model = buildWorkspaceModel({ recipes: [recipe(RECIPE_TEXT)], dockerfiles: [], images: await listEngineImages(docker), ownedPatterns: [] });
  assert.deepEqual(model.recipes[0]!.images.map((i) => i.id), [second.id]);
  watch.close();
  assert.equal(await watch.ended, undefined, 'a closed watch ends without an error');
});

test('the engine version, and a clear error from an engine that is not there', async () => {
  const v = await engineVersion(docker);
  const { stdout } = await execa('docker', ['version', '--format', '{{.Server.Version}}']);
  assert.equal(v.version, stdout.trim());
  const empty = tempDir('view-nosock');
  dirs.push(empty);
  const none = connectEngine(`unix://${join(empty, 'docker.sock')}`);
  await assert.rejects(engineVersion(none), EngineUnreachableError);
  await assert.rejects(watchImageEvents(none, () => undefined), EngineUnreachableError);
  await assert.rejects(listEngineImages(none), EngineUnreachableError);
});
