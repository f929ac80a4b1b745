import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completeRecipe } from '../../../src/core/recipe/completion';
import { r } from './helpers';

const labels = (text: string, line: number, character: number) => completeRecipe(text, { line, character }).map((c) => c.label);

test('top-level keys, without those already present', () => {
  const items = completeRecipe('image: owned/a:1\ndistro: debian\npa', { line: 2, character: 2 });
  assert.deepEqual(items.map((c) => c.label), ['suite', 'arch', 'variant', 'mirror', 'security_mirror', 'snapshot', 'updates', 'components', 'packages', 'remove', 'config', 'builder', 'slim', 'verify', 'profile', 'runtime']);
  const packages = items.find((c) => c.label === 'packages')!;
  assert.equal(packages.kind, 'key');
  assert.deepEqual(packages.range, r(2, 0, 2, 2));
  assert.equal(packages.insertText, 'packages: ');
  assert.match(packages.detail!, /^Packages installed with apt in the chroot/);
});

test('editing an existing key offers it again and inserts only the name', () => {
  const items = completeRecipe('image: owned/a:1\nsuite: x\n', { line: 1, character: 2 });
  const suite = items.find((c) => c.label === 'suite')!;
  assert.deepEqual(suite.range, r(1, 0, 1, 5));
  assert.equal(suite.insertText, undefined);
  assert.ok(!items.some((c) => c.label === 'image'));
});

test('keys under config', () => {
  assert.deepEqual(labels('image: a\nconfig:\n  cmd: ["/bin/sh"]\n  ', 3, 2), ['entrypoint', 'env', 'workdir', 'user', 'expose', 'labels']);
  assert.deepEqual(labels('config:\n  env:\n    ', 2, 4), [], 'env names are free');
});

test('distro, arch, variant, builder and slim values', () => {
  assert.deepEqual(labels('distro: ', 0, 8), ['debian', 'ubuntu']);
  assert.deepEqual(labels('builder: deb', 0, 12), ['debootstrap', 'mmdebstrap']);
  assert.deepEqual(labels('variant: ', 0, 9).slice(0, 4), ['minbase', 'buildd', '-', 'essential']);
  assert.deepEqual(labels('slim: ', 0, 6), ['true', 'false']);
  const arch = completeRecipe('arch: ar', { line: 0, character: 8 });
  assert.equal(arch.find((c) => c.label === 'arm64')?.detail, 'qemu-aarch64-static when foreign');
  assert.deepEqual(arch[0]!.range, r(0, 6, 0, 8));
  const tight = completeRecipe('distro:', { line: 0, character: 7 });
  assert.equal(tight[0]!.insertText, ' debian');
});

test('suite values follow the distro in the document', () => {
  const ubuntu = completeRecipe('distro: ubuntu\nsuite: ', { line: 1, character: 7 });
  assert.deepEqual(ubuntu.slice(0, 5).map((c) => c.label), ['resolute', 'questing', 'plucky', 'oracular', 'noble']);
  assert.equal(ubuntu.find((c) => c.label === 'jammy')?.detail, 'Ubuntu 22.04 LTS');
  assert.ok(!ubuntu.some((c) => c.label === 'bookworm'));
  const debian = labels('suite: b\ndistro: debian\n', 0, 8);
  assert.ok(debian.includes('bookworm') && debian.includes('stable') && !debian.includes('jammy'));
  assert.ok(!debian.includes('hamm'), 'archived releases are accepted but not offered');
  const either = labels('suite: ', 0, 7);
  assert.ok(either.includes('bookworm') && either.includes('noble'));
});

test('components by distro, in block and flow lists, without those already listed', () => {
  assert.deepEqual(labels('distro: ubuntu\ncomponents:\n  - main\n  - ', 3, 4), ['restricted', 'universe', 'multiverse']);
  assert.deepEqual(labels('distro: debian\ncomponents: [main, ', 1, 19), ['contrib', 'non-free', 'non-free-firmware']);
});

test('no completion in comments, in unknown places, or past the end', () => {
  assert.deepEqual(labels('# dis', 0, 5), []);
  assert.deepEqual(labels('packages:\n  - cu', 1, 6), []);
  assert.deepEqual(labels('distro: debian', 5, 0), []);
  assert.deepEqual(labels('mirror: ', 0, 8), []);
});
