import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintRecipe } from '../../../src/core/recipe';
import { parseImageRef } from '../../../src/core/kernel/imageRef';
import { applyFix, r } from './helpers';

test('parseImageRef splits registry, path, tag and digest like Docker', () => {
  assert.deepEqual(parseImageRef('ubuntu'), { path: 'ubuntu' });
  assert.deepEqual(parseImageRef('owned/focal:20.04'), { path: 'owned/focal', tag: '20.04' });
  assert.deepEqual(parseImageRef('registry.example:5000/team/base:1'), { registry: 'registry.example:5000', path: 'team/base', tag: '1' });
  assert.deepEqual(parseImageRef('localhost/base'), { registry: 'localhost', path: 'base' });
  assert.deepEqual(parseImageRef('localhost:5000/a_b__c-d.e/f'), { registry: 'localhost:5000', path: 'a_b__c-d.e/f' });
  const digest = `sha256:${'a'.repeat(64)}`;
  assert.deepEqual(parseImageRef(`debian:bookworm@${digest}`), { path: 'debian', tag: 'bookworm', digest });
  assert.deepEqual(parseImageRef(`debian@${digest}`), { path: 'debian', digest });
  assert.deepEqual(parseImageRef('[::1]:5000/base:x'), { registry: '[::1]:5000', path: 'base', tag: 'x' });
});

test('parseImageRef errors say what is wrong', () => {
  const err = (s: string) => { const v = parseImageRef(s); return 'error' in v ? v.error : undefined; };
  assert.equal(err(''), 'empty image reference');
  assert.equal(err('owned/Focal'), "repository name must be lowercase ('Focal' has uppercase letters)");
  assert.match(err('owned/focal:.bad')!, /^invalid tag '\.bad'/);
  assert.match(err(`owned/focal:${'x'.repeat(129)}`)!, /^invalid tag/);
  assert.equal(err(`owned/focal:${'x'.repeat(128)}`), undefined);
  assert.match(err('debian@sha256:abc')!, /^invalid digest 'sha256:abc'/);
  assert.match(err(`debian@sha256:${'a'.repeat(63)}`)!, /^invalid digest/);
  assert.equal(err('owned//focal'), 'empty path component (doubled or trailing /)');
  assert.match(err('owned/-focal')!, /^invalid path component '-focal'/);
  assert.match(err('bad_host.example/x')!, /^invalid registry 'bad_host\.example'/);
  assert.match(err(':tag')!, /missing repository name/);
  assert.equal(err('a b'), 'an image reference has no spaces');
  assert.match(err(`${'a'.repeat(256)}`)!, /longer than 255/);
});

const recipe = (image: string) => `image: ${image}\ndistro: debian\nsuite: bookworm\n`;
const ob205 = (image: string) => lintRecipe(recipe(image)).filter((d) => d.code === 'OB205');

test('OB205: an invalid image is an error on the value with a lowercase fix when that is all it takes', () => {
  const text = recipe('Owned/Focal:20.04');
  const [d] = ob205('Owned/Focal:20.04');
  assert.equal(d!.severity, 'error');
  assert.equal(d!.message, "Invalid image reference 'Owned/Focal:20.04': repository name must be lowercase ('Focal' has uppercase letters).");
  assert.deepEqual(d!.range, r(0, 7, 0, 24));
  assert.equal(applyFix(text, d), recipe('owned/focal:20.04'));
  const [host] = ob205('Owned/focal:1');
  assert.match(host!.message, /'Owned' would be read as a registry host/);
  assert.equal(applyFix(recipe('Owned/focal:1'), host), recipe('owned/focal:1'));
  assert.equal(ob205('owned/focal:-x')[0]!.fixes, undefined);
});

test('OB205: a digest cannot be assigned by docker import; no tag is a hint', () => {
  const [d] = ob205(`owned/base@sha256:${'0'.repeat(64)}`);
  assert.equal(d!.severity, 'error');
  assert.match(d!.message, /a digest \(@sha256:…\) is computed from the content and cannot be assigned/);
  const [hint] = ob205('owned/base');
  assert.equal(hint!.severity, 'hint');
  assert.match(hint!.message, /tags it :latest; a tag such as :bookworm/);
  assert.deepEqual(ob205('registry.example:5000/owned/base:12'), []);
});
