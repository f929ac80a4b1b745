import { test } from 'node:test';
import assert from 'node:assert/strict';
import { didYouMean, editDistance } from '../../../src/core/recipe/didYouMean';

test('edit distance counts a transposition as one edit', () => {
  assert.equal(editDistance('pakages', 'packages'), 1);
  assert.equal(editDistance('focla', 'focal'), 1);
  assert.equal(editDistance('bookwrom', 'bookworm'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('did-you-mean: closest candidate within the length-scaled limit, case-insensitive, prefixes', () => {
  const keys = ['image', 'distro', 'suite', 'packages', 'remove', 'config'];
  assert.equal(didYouMean('pakages', keys), 'packages');
  assert.equal(didYouMean('Suite', keys), 'suite');
  assert.equal(didYouMean('distor', keys), 'distro');
  assert.equal(didYouMean('zzzzzz', keys), undefined);
  assert.equal(didYouMean('enviroment', ['cmd', 'env', 'workdir']), 'env');
  assert.equal(didYouMean('amd', ['amd64', 'arm64']), 'amd64');
  assert.equal(didYouMean('', keys), undefined);
});
