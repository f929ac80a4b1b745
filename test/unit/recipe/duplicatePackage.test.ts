import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintRecipe } from '../../../src/core/recipe';
import { parsePackageSpec } from '../../../src/core/kernel/packageName';
import { applyFix, r } from './helpers';

const HEAD = 'image: owned/base:1\ndistro: debian\nsuite: bookworm\n';
const ob207 = (text: string) => lintRecipe(text).filter((d) => d.code === 'OB207');

test('package specs: name, :arch and =version', () => {
  assert.deepEqual(parsePackageSpec('curl'), { name: 'curl' });
  assert.deepEqual(parsePackageSpec('libc6:arm64=2.36-9'), { name: 'libc6', arch: 'arm64', version: '2.36-9' });
  assert.deepEqual(parsePackageSpec('curl=1:7.88'), { name: 'curl', version: '1:7.88' });
});

test('a duplicate is a warning with related info to the first and a safe fix removing it', () => {
  const text = `${HEAD}packages:\n  - curl\n  - git\n  - curl\n`;
  const [d, ...rest] = ob207(text);
  assert.equal(rest.length, 0);
  assert.equal(d!.severity, 'warning');
  assert.equal(d!.message, "'curl' is listed twice in packages (first on line 5).");
  assert.deepEqual(d!.range, r(6, 4, 6, 8));
  assert.deepEqual(d!.related, [{ range: r(4, 4, 4, 8), message: "'curl' first listed here" }]);
  assert.equal(d!.fixes![0]!.safe, true);
  assert.equal(applyFix(text, d), `${HEAD}packages:\n  - curl\n  - git\n`);
});

test('versions do not make a package different; architectures do', () => {
  const ds = ob207(`${HEAD}packages: [curl, curl=7.88.1-10, libc6:arm64, libc6, libc6:arm64]\n`);
  assert.deepEqual(ds.map((d) => d.message), [
    "'curl=7.88.1-10' is listed twice in packages (first on line 4 as 'curl').",
    "'libc6:arm64' is listed twice in packages (first on line 4).",
  ]);
});
