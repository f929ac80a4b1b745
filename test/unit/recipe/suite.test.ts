import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintRecipe } from '../../../src/core/recipe';
import { findSuite, suiteByVersion, suitesOf } from '../../../src/core/recipe/suites';
import { applyFix, r } from './helpers';

const recipe = (distro: string, suite: string) => `image: owned/base:1\ndistro: ${distro}\nsuite: ${suite}\n`;
const ob202 = (text: string) => lintRecipe(text).filter((d) => d.code === 'OB202');

test('every Debian and Ubuntu codename of the brief is known', () => {
  for (const s of ['buster', 'bullseye', 'bookworm', 'trixie', 'forky', 'sid', 'stable', 'testing', 'unstable', 'oldstable', 'stretch', 'jessie']) {
    assert.deepEqual(ob202(recipe('debian', s)).filter((d) => d.severity === 'error'), [], s);
  }
  for (const s of ['xenial', 'bionic', 'focal', 'jammy', 'noble', 'oracular', 'plucky', 'questing', 'kinetic', 'lunar', 'mantic']) {
    assert.deepEqual(ob202(recipe('ubuntu', s)), [], s);
  }
});

test('a typo is an error with did-you-mean and a fix that keeps the quoting', () => {
  const text = recipe('debian', 'bookwrom');
  const [d] = ob202(text);
  assert.equal(d!.severity, 'error');
  assert.equal(d!.message, "Unknown Debian suite 'bookwrom'. Did you mean 'bookworm'?");
  assert.deepEqual(d!.range, r(2, 7, 2, 15));
  assert.equal(d!.fixes![0]!.isPreferred, true);
  assert.equal(applyFix(text, d), recipe('debian', 'bookworm'));
  const quoted = recipe('ubuntu', "'jamy'");
  assert.equal(applyFix(quoted, ob202(quoted)[0]), recipe('ubuntu', "'jammy'"));
});

test('an unknown suite with nothing close names examples for the distro', () => {
  assert.equal(ob202(recipe('ubuntu', 'zzzzzz'))[0]!.message, "Unknown Ubuntu suite 'zzzzzz'. Use a codename such as noble, jammy, focal.");
  assert.equal(ob202(recipe('debian', 'zzzzzz'))[0]!.message, "Unknown Debian suite 'zzzzzz'. Use a codename such as trixie, bookworm, sid.");
});

test('a suite of the other distro says which distro it belongs to, with a fix that sets distro', () => {
  const text = recipe('debian', 'jammy');
  const [d] = ob202(text);
  assert.equal(d!.severity, 'error');
  assert.equal(d!.message, "'jammy' is an Ubuntu suite (Ubuntu 22.04 LTS), not a Debian one: set distro: ubuntu, or choose a Debian suite such as trixie, bookworm, sid.");
  assert.equal(applyFix(text, d), recipe('ubuntu', 'jammy'));
  assert.match(ob202(recipe('ubuntu', 'bookworm'))[0]!.message, /^'bookworm' is a Debian suite \(Debian 12\), not an Ubuntu one/);
});

test('pockets and experimental cannot be bootstrapped; fixes point at the base suite', () => {
  const text = recipe('ubuntu', 'jammy-updates');
  const [d] = ob202(text);
  assert.match(d!.message, /^'jammy-updates' is the updates pocket of jammy, not a suite/);
  assert.equal(applyFix(text, d), recipe('ubuntu', 'jammy'));
  const exp = recipe('debian', 'experimental');
  assert.match(ob202(exp)[0]!.message, /bootstrap sid and add experimental as an apt source/);
  assert.equal(applyFix(exp, ob202(exp)[0]), recipe('debian', 'sid'));
});

test('a release number names its codename', () => {
  const text = recipe('ubuntu', '"22.04"');
  const [d] = ob202(text);
  assert.equal(d!.message, "'22.04' is a release number: the bootstrap takes the codename, jammy (Ubuntu 22.04 LTS).");
  assert.equal(applyFix(text, d), recipe('ubuntu', '"jammy"'));
  assert.match(ob202(recipe('debian', "'12'"))[0]!.message, /codename, bookworm \(Debian 12\)/);
});

test('a moving alias is a hint to pin a codename', () => {
  const [d] = ob202(recipe('debian', 'stable'));
  assert.equal(d!.severity, 'hint');
  assert.match(d!.message, /name a codename/);
});

test('without a valid distro, a suite of either distro is fine', () => {
  assert.deepEqual(ob202('image: owned/base:1\nsuite: noble\n'), []);
  assert.deepEqual(ob202('image: owned/base:1\nsuite: trixie\n'), []);
});

test('the suite table maps release numbers', () => {
  assert.equal(suiteByVersion('debian', '12')?.name, 'bookworm');
  assert.equal(suiteByVersion('debian', '12.5')?.name, 'bookworm');
  assert.equal(suiteByVersion('debian', '13')?.name, 'trixie');
  assert.equal(suiteByVersion('ubuntu', '22.04')?.name, 'jammy');
  assert.equal(suiteByVersion('ubuntu', '24.04.1')?.name, 'noble');
  assert.equal(suiteByVersion('ubuntu', '22'), undefined);
  assert.equal(findSuite('noble')?.lts, true);
  assert.equal(findSuite('oracular')?.lts, undefined);
  assert.ok(suitesOf('ubuntu').every((s) => s.distro === 'ubuntu'));
});
