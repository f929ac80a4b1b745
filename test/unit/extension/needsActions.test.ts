import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILD_IMAGE, CREATE_RECIPE, defaultRecipePath, needsActions } from '../../../src/extension/needs/actions';
import type { NeedsJson } from '../../../src/core/elf/needs';

const answer = (b: Partial<NeedsJson['binaries'][number]>): NeedsJson => ({
  version: 1, packages: [], bytes: 1,
  binaries: [{ path: '/w/app', static: false, interpreter: '/lib64/ld-linux-x86-64.so.2', needed: [], missing: [], ...b }],
});

test('the needs answer offers a runtime recipe and the image for a dynamic binary, the image only for a static one', () => {
  assert.deepEqual(needsActions(answer({}), true), [CREATE_RECIPE, BUILD_IMAGE]);
  assert.deepEqual(needsActions(answer({ static: true, interpreter: null }), true), [BUILD_IMAGE]);
  assert.deepEqual(needsActions(answer({}), false), []);
  assert.deepEqual(needsActions(answer({ missing: [{ soname: 'libx.so.1', neededBy: '/w/app', reason: 'DT_NEEDED of /w/app' }] }), true), []);
  assert.deepEqual(needsActions(answer({ error: 'not an ELF file' }), true), []);
  assert.equal(defaultRecipePath('/w/out/My App'), '/w/out/my-app.ownbase.yaml');
  assert.equal(defaultRecipePath('/w/.hidden'), '/w/hidden.ownbase.yaml');
});
