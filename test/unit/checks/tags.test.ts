import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failedTag, isFinalTag, pendingTag } from '../../../src/core/checks';
import { parseTagName } from '../../../src/core/kernel/imageRef';

test('pendingTag: the name\'s repository and tag, a 16-hex suffix of its own, new each time, a valid tag of ≤ 128 characters', () => {
  const a = pendingTag('owned/bookworm-slim:12');
  assert.match(a, /^owned\/bookworm-slim:12-ownbase-pending-[0-9a-f]{16}$/);
  assert.notEqual(pendingTag('owned/bookworm-slim:12'), a);
  assert.match(pendingTag('owned/base'), /^owned\/base:latest-ownbase-pending-[0-9a-f]{16}$/);
  assert.match(pendingTag('registry.example:5000/base/deb:1.2'), /^registry\.example:5000\/base\/deb:1\.2-ownbase-pending-[0-9a-f]{16}$/);
  const long = pendingTag(`a:${'t'.repeat(128)}`);
  assert.equal(long.length, 'a:'.length + 128);
  assert.equal(parseTagName(long).tag.length, 128, 'the engine accepts it');
});

test('isFinalTag: a name a build gives only after the checks passed; not -failed, pending or <none>', () => {
  assert.equal(isFinalTag('owned/bookworm-slim:12'), true);
  assert.equal(isFinalTag('owned/base'), true);
  assert.equal(isFinalTag('localhost:5000/base:failed'), true, 'only the suffix ownbase adds counts');
  assert.equal(isFinalTag(failedTag('owned/bookworm-slim:12')), false);
  assert.equal(isFinalTag(pendingTag('owned/bookworm-slim:12')), false);
  assert.equal(isFinalTag(pendingTag(`a:${'t'.repeat(128)}`)), false);
  assert.equal(isFinalTag('owned/base:12-ownbase-pending-xyz'), true, 'not the pending form: a user\'s name');
  assert.equal(isFinalTag('<none>:<none>'), false);
});
