import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL_RECIPE_PATH, LABEL_RECIPE_SHA256 } from '../../../src/core/engine/labels';
import { fromLenses } from '../../../src/core/workspace/fromLenses';
import { buildWorkspaceModel, fromUsesOf, recipeSha256, type ImageInput, type RecipeFile } from '../../../src/core/workspace/model';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const BOOKWORM: RecipeFile = { path: '/ws/bookworm-slim.ownbase.yaml', relPath: 'bookworm-slim.ownbase.yaml', bytes: bytes('image: owned/bookworm-slim:12\ndistro: debian\nsuite: bookworm\n') };
const FOCAL: RecipeFile = { path: '/ws/focal.ownbase.yaml', relPath: 'focal.ownbase.yaml', bytes: bytes('image: owned/focal:20.04\ndistro: ubuntu\nsuite: focal\n') };
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 2, 12);
const SLIM: ImageInput = {
  id: `sha256:${'b3'.repeat(32)}`, tags: ['owned/bookworm-slim:12'], created: NOW - 2 * HOUR, size: 71_800_000,
  labels: { [LABEL_RECIPE_PATH]: 'bookworm-slim.ownbase.yaml', [LABEL_RECIPE_SHA256]: recipeSha256(BOOKWORM.bytes) },
};
const GCC: ImageInput = { id: `sha256:${'cc'.repeat(32)}`, tags: ['gcc:12'], created: NOW - 30 * 24 * HOUR, size: 1_200_000_000, labels: {} };
const TEXT = 'FROM gcc:12 AS build\nRUN make\nFROM owned/bookworm-slim:12\nFROM owned/focal:20.04\nFROM registry.example/base/node:20\nFROM scratch\n';
const FILE = { path: '/ws/app/Dockerfile', relPath: 'app/Dockerfile', text: TEXT };
const modelWith = (images: ImageInput[] | undefined) =>
  buildWorkspaceModel({ recipes: [BOOKWORM, FOCAL], dockerfiles: [FILE], images, ownedPatterns: ['registry.example/base/*'] });

const summary = (lenses: ReturnType<typeof fromLenses>) => lenses.map((l) => [l.range.start.line, l.kind, l.image, l.kind === 'owned' ? l.title : '', l.kind === 'owned' ? l.recipePath : undefined]);

test('FROM lenses: an owned image shows its size and age, a recipe not built says so, an external image is not owned', () => {
  const lenses = fromLenses(fromUsesOf(FILE), modelWith([SLIM, GCC]), NOW);
  assert.deepEqual(summary(lenses), [
    [0, 'notOwned', 'gcc:12', '', undefined],
    [2, 'owned', 'owned/bookworm-slim:12', 'owned · 71.8 MB · packages as of 2 hours ago', '/ws/bookworm-slim.ownbase.yaml'],
    [3, 'owned', 'owned/focal:20.04', 'owned · not built yet', '/ws/focal.ownbase.yaml'],
    [4, 'owned', 'registry.example/base/node:20', 'owned · not in the engine', undefined],
  ]);
  const slim = lenses[1]!;
  assert.equal(slim.kind === 'owned' && slim.tooltip,
    'owned/bookworm-slim:12: owned, built by the workspace recipe bookworm-slim.ownbase.yaml\nImage b3b3b3b3b3b3, 71.8 MB (71800000 bytes), created 2026-12-02T10:00:00.000Z, the date of its packages\' archive (builds are reproducible: an image carries that date, not the time it was built)');
  const gcc = lenses[0]!;
  assert.deepEqual(gcc.kind === 'notOwned' && [gcc.use.relPath, gcc.use.range.start.character], ['app/Dockerfile', 5]);
});

test('FROM lenses: without the engine an owned image says the engine is not reachable; an unsaved new FROM gets no lens yet', () => {
  const model = modelWith(undefined);
  assert.deepEqual(summary(fromLenses(fromUsesOf(FILE), model, NOW)).map((l) => l[3]), ['', 'owned · engine not reachable', 'owned · engine not reachable', 'owned · engine not reachable']);
  const edited = { ...FILE, text: `FROM alpine:3.20\n${TEXT}` };
  assert.deepEqual(summary(fromLenses(fromUsesOf(edited), model, NOW)).map((l) => [l[0], l[2]]), [[1, 'gcc:12'], [3, 'owned/bookworm-slim:12'], [4, 'owned/focal:20.04'], [5, 'registry.example/base/node:20']]);
});

test('FROM lenses: an outdated recipe says so in the tooltip', () => {
  const old = { ...SLIM, labels: { ...SLIM.labels, [LABEL_RECIPE_SHA256]: 'a'.repeat(64) } };
  const slim = fromLenses(fromUsesOf(FILE), modelWith([old]), NOW)[1]!;
  assert.match(slim.kind === 'owned' ? slim.tooltip : '', /\nThe recipe changed since this image was built: rebuild it$/);
});
