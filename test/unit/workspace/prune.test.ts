import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL_RECIPE_PATH } from '../../../src/core/engine/labels';
import { prunePlan } from '../../../src/core/workspace/prune';
import type { ImageInput } from '../../../src/core/workspace/model';

const img = (id: string, created: number, size: number, recipe?: string): ImageInput =>
  ({ id: `sha256:${id}`, tags: [], created, size, labels: recipe === undefined ? {} : { [LABEL_RECIPE_PATH]: recipe } });

test('prune: every image of a recipe label but the newest, oldest first; unlabelled images never', () => {
  const plan = prunePlan([
    img('a3', 3000, 30, 'a.ownbase.yaml'), img('a1', 1000, 10, 'a.ownbase.yaml'), img('a2', 2000, 20, 'a.ownbase.yaml'),
    img('b1', 1000, 100, 'b.ownbase.yaml'),
    img('x1', 500, 1000), img('x2', 600, 2000),
  ]);
  assert.deepEqual(plan.images.map((i) => i.id), ['sha256:a1', 'sha256:a2']);
  assert.equal(plan.bytes, 30);
  assert.deepEqual(prunePlan([]), { images: [], bytes: 0 });
});
