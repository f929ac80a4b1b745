import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL_RECIPE_PATH, LABEL_RECIPE_SHA256 } from '../../../src/core/engine/labels';
import { filterWorkspace } from '../../../src/core/workspace/filter';
import { buildWorkspaceModel, recipeForLabel, recipeSha256, type ImageInput, type RecipeFile } from '../../../src/core/workspace/model';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const recipe = (relPath: string, text: string): RecipeFile => ({ path: `/ws/${relPath}`, relPath, bytes: bytes(text) });

const BOOKWORM = recipe('bookworm-slim.ownbase.yaml', 'image: owned/bookworm-slim:12\ndistro: debian\nsuite: bookworm\n');
const FOCAL = recipe('focal.ownbase.yaml', 'image: owned/focal:20.04\ndistro: ubuntu\nsuite: focal\n');
const GO = recipe('go/go-build.ownbase.yaml', 'image: owned/go-build:1\ndistro: debian\nsuite: bookworm\npackages: [golang]\n');
const BROKEN = recipe('broken.ownbase.yaml', 'distro: [\n');
const BOOKWORM_SHA = recipeSha256(BOOKWORM.bytes);
const OLD_SHA = 'a'.repeat(64);

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);
const img = (id: string, created: number, size: number, labels: Record<string, string>, tags: string[] = [], arch?: string): ImageInput =>
  ({ id: `sha256:${id.repeat(64 / id.length)}`, tags, created, size, labels, ...(arch && { arch }) });
const built = (path: string, sha: string) => ({ [LABEL_RECIPE_PATH]: path, [LABEL_RECIPE_SHA256]: sha });

const IMAGES: ImageInput[] = [
  img('b1', T0, 80_000_000, built('bookworm-slim.ownbase.yaml', OLD_SHA), [], 'amd64'),
  img('b2', T0 + DAY, 74_500_000, built('bookworm-slim.ownbase.yaml', OLD_SHA), ['owned/bookworm-slim:old'], 'amd64'),
  img('b3', T0 + 2 * DAY, 75_100_000, built('bookworm-slim.ownbase.yaml', BOOKWORM_SHA), ['owned/bookworm-slim:12'], 'amd64'),
  // Built from the CLI in go/: the label is relative to that folder.
  img('g1', T0, 300_000_000, built('go-build.ownbase.yaml', OLD_SHA), ['owned/go-build:1'], 'arm64'),
  img('cc', T0, 1_200_000_000, {}, ['gcc:12']),
  img('ff', T0, 5_000_000, built('elsewhere/other.ownbase.yaml', OLD_SHA), ['owned/other:1']),
];

const DOCKERFILES = [
  { path: '/ws/gcc-hello/Dockerfile', relPath: 'gcc-hello/Dockerfile', text: 'FROM gcc:12 AS build\nRUN make\nFROM owned/bookworm-slim:12\nCOPY --from=build /a /a\n' },
  { path: '/ws/app/Dockerfile', relPath: 'app/Dockerfile', text: 'ARG TAG=12\nFROM owned/bookworm-slim:${TAG}\nFROM scratch AS empty\nFROM empty AS x\nFROM ${MISSING}\n' },
  { path: '/ws/web/Dockerfile', relPath: 'web/Dockerfile', text: 'FROM registry.example/base/node:20\nFROM nginx\n' },
];

const model = buildWorkspaceModel({ recipes: [FOCAL, BOOKWORM, GO, BROKEN], dockerfiles: DOCKERFILES, images: IMAGES, ownedPatterns: ['registry.example/base/*'] });
const byPath = (p: string) => model.recipes.find((r) => r.relPath === p)!;

test('recipes: biggest newest image first, never-built ones last by path', () => {
  assert.deepEqual(model.recipes.map((r) => [r.relPath, r.state, r.image]), [
    ['go/go-build.ownbase.yaml', 'outdated', 'owned/go-build:1'],
    ['bookworm-slim.ownbase.yaml', 'built', 'owned/bookworm-slim:12'],
    ['broken.ownbase.yaml', 'not-built', undefined],
    ['focal.ownbase.yaml', 'not-built', 'owned/focal:20.04'],
  ]);
});

test("a recipe's images: newest first, short id, arch, the size change since the previous build", () => {
  const r = byPath('bookworm-slim.ownbase.yaml');
  assert.equal(r.sha256, BOOKWORM_SHA);
  assert.deepEqual(r.images.map((i) => [i.shortId, i.tags, i.size, i.delta, i.arch, i.current]), [
    ['b3b3b3b3b3b3', ['owned/bookworm-slim:12'], 75_100_000, 600_000, 'amd64', true],
    ['b2b2b2b2b2b2', ['owned/bookworm-slim:old'], 74_500_000, -5_500_000, 'amd64', false],
    ['b1b1b1b1b1b1', [], 80_000_000, undefined, 'amd64', false],
  ]);
});

test("outdated: the newest image's recipe label differs from the recipe's sha256", () => {
  const changed = { ...BOOKWORM, bytes: bytes('image: owned/bookworm-slim:12\ndistro: debian\nsuite: bookworm\npackages: [curl]\n') };
  const m = buildWorkspaceModel({ recipes: [changed], dockerfiles: [], images: IMAGES, ownedPatterns: [] });
  assert.equal(m.recipes[0]!.state, 'outdated');
  assert.deepEqual(m.recipes[0]!.images.map((i) => i.current), [false, false, false]);
});

test('the Dockerfiles whose FROM names the recipe image (any tag, ARG defaults applied), with their lines', () => {
  assert.deepEqual(byPath('bookworm-slim.ownbase.yaml').users.map((u) => [u.relPath, u.range.start.line, u.range.start.character, u.raw, u.image]), [
    ['app/Dockerfile', 1, 5, 'owned/bookworm-slim:${TAG}', 'owned/bookworm-slim:12'],
    ['gcc-hello/Dockerfile', 2, 5, 'owned/bookworm-slim:12', 'owned/bookworm-slim:12'],
  ]);
  assert.deepEqual(byPath('focal.ownbase.yaml').users, []);
});

test('base images in use: external FROMs only, owned or not, biggest local first, then most used', () => {
  assert.deepEqual(model.bases.map((b) => [b.image, b.owned, b.local?.size, b.uses.map((u) => `${u.relPath}:${u.range.start.line + 1}`), b.recipePath]), [
    ['gcc:12', false, 1_200_000_000, ['gcc-hello/Dockerfile:1'], undefined],
    ['owned/bookworm-slim:12', true, 75_100_000, ['app/Dockerfile:2', 'gcc-hello/Dockerfile:3'], '/ws/bookworm-slim.ownbase.yaml'],
    ['nginx', false, undefined, ['web/Dockerfile:2'], undefined],
    ['registry.example/base/node:20', true, undefined, ['web/Dockerfile:1'], undefined],
  ]);
});

test('an image whose local copy carries the recipe label counts as owned even without a workspace recipe', () => {
  const m = buildWorkspaceModel({ recipes: [], dockerfiles: [{ path: '/ws/Dockerfile', relPath: 'Dockerfile', text: 'FROM owned/other:1\n' }], images: IMAGES, ownedPatterns: [] });
  assert.deepEqual(m.bases.map((b) => [b.image, b.owned]), [['owned/other:1', true]]);
});

test('engine unreachable: recipes and Dockerfiles still listed, state unknown, no images', () => {
  const m = buildWorkspaceModel({ recipes: [BOOKWORM, FOCAL], dockerfiles: DOCKERFILES, images: undefined, ownedPatterns: [] });
  assert.equal(m.engineReachable, false);
  assert.deepEqual(m.recipes.map((r) => [r.relPath, r.state, r.images.length, r.users.length]), [
    ['bookworm-slim.ownbase.yaml', 'unknown', 0, 2], ['focal.ownbase.yaml', 'unknown', 0, 0],
  ]);
  assert.equal(m.bases.length, 4);
});

test('recipe label: exact workspace-relative or absolute path, else one recipe ending with it, else none', () => {
  const rs = [{ path: '/ws/a/x.ownbase.yaml', relPath: 'a/x.ownbase.yaml' }, { path: '/ws/b/x.ownbase.yaml', relPath: 'b/x.ownbase.yaml' }, { path: '/ws/b/y.ownbase.yaml', relPath: 'b/y.ownbase.yaml' }];
  assert.equal(recipeForLabel('a/x.ownbase.yaml', rs), '/ws/a/x.ownbase.yaml');
  assert.equal(recipeForLabel('./b/x.ownbase.yaml', rs), '/ws/b/x.ownbase.yaml');
  assert.equal(recipeForLabel('/ws/b/y.ownbase.yaml', rs), '/ws/b/y.ownbase.yaml');
  assert.equal(recipeForLabel('y.ownbase.yaml', rs), '/ws/b/y.ownbase.yaml');
  assert.equal(recipeForLabel('x.ownbase.yaml', rs), undefined, 'two recipes end with it');
  assert.equal(recipeForLabel('', rs), undefined);
  assert.equal(recipeForLabel('b\\y.ownbase.yaml', rs), '/ws/b/y.ownbase.yaml');
});

test('filter: a match on the recipe keeps it whole; a match on a child keeps only matching children', () => {
  const byImage = filterWorkspace(model, 'FOCAL');
  assert.deepEqual(byImage.recipes.map((r) => r.relPath), ['focal.ownbase.yaml']);
  assert.deepEqual(byImage.bases, []);
  const byTag = filterWorkspace(model, 'slim:old');
  assert.deepEqual(byTag.recipes.map((r) => [r.relPath, r.images.map((i) => i.shortId), r.users.length]), [['bookworm-slim.ownbase.yaml', ['b2b2b2b2b2b2'], 0]]);
  const byFile = filterWorkspace(model, 'app/');
  assert.deepEqual(byFile.recipes.map((r) => [r.relPath, r.images.length, r.users.map((u) => u.relPath)]), [['bookworm-slim.ownbase.yaml', 0, ['app/Dockerfile']]]);
  assert.deepEqual(byFile.bases.map((b) => [b.image, b.uses.length]), [['owned/bookworm-slim:12', 1]]);
  assert.deepEqual(filterWorkspace(model, 'not owned').bases.map((b) => b.image), ['gcc:12', 'nginx']);
  assert.deepEqual(filterWorkspace(model, 'outdated').recipes.map((r) => r.relPath), ['go/go-build.ownbase.yaml']);
  assert.equal(filterWorkspace(model, '  '), model);
  assert.deepEqual(filterWorkspace(model, 'nothing-matches-this').recipes, []);
});
