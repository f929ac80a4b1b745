import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARCHES } from '../../../src/core/kernel/arch';
import { PACKAGE_SPEC } from '../../../src/core/kernel/packageName';
import { lintRecipe } from '../../../src/core/recipe';
import { ALL_VARIANTS } from '../../../src/core/recipe/validate';
import { describeField, RECIPE_JSON_SCHEMA, recipeSchema, type CompiledSchema } from '../../../src/core/recipe/schema';
import { applyFix, r } from './helpers';

const HEAD = 'image: owned/base:1\ndistro: debian\nsuite: bookworm\n';
const ob201 = (text: string) => lintRecipe(text).filter((d) => d.code === 'OB201');

test('schema.json compiles with the validator (every keyword supported) and is draft-07 with the contract fields', () => {
  const s = recipeSchema();
  assert.equal(RECIPE_JSON_SCHEMA['$schema'], 'http://json-schema.org/draft-07/schema#');
  assert.deepEqual(s.required, ['image', 'distro', 'suite']);
  assert.equal(s.additional, false);
  assert.deepEqual([...s.properties!.keys()],
    ['image', 'distro', 'suite', 'arch', 'variant', 'mirror', 'security_mirror', 'snapshot', 'updates', 'components', 'packages', 'remove', 'config', 'builder', 'slim', 'verify', 'profile', 'runtime']);
  assert.deepEqual([...s.properties!.get('config')!.properties!.keys()], ['cmd', 'entrypoint', 'env', 'workdir', 'user', 'expose', 'labels']);
  assert.deepEqual(s.properties!.get('distro')!.enum, ['debian', 'ubuntu']);
  assert.deepEqual(s.properties!.get('builder')!.enum, ['debootstrap', 'mmdebstrap']);
  assert.equal(s.properties!.get('slim')!.default, true);
  assert.deepEqual(s.properties!.get('variant')!.enum, ['minbase', 'buildd', '-', 'essential', 'apt', 'required', 'important', 'debootstrap', 'standard']);
});

test('the variant enum is exactly what some builder runs; the packages pattern is the kernel package-name rule', () => {
  assert.deepEqual(recipeSchema().properties!.get('variant')!.enum, ALL_VARIANTS);
  assert.equal(recipeSchema().properties!.get('packages')!.items!.pattern!.source, PACKAGE_SPEC.source);
});

test('the arch enum is exactly the arch table', () => {
  assert.deepEqual(recipeSchema().properties!.get('arch')!.enum, ARCHES.map((a) => a.name));
});

test('every field has a description (hovers use them)', () => {
  const missing: string[] = [];
  const walk = (s: CompiledSchema, at: string): void => {
    if (!s.description) missing.push(at || '/');
    for (const [k, v] of s.properties ?? []) walk(v, `${at}/${k}`);
  };
  walk(recipeSchema(), '');
  assert.deepEqual(missing, []);
  assert.match(describeField(['config', 'env', 'LANG'])!, /string/);
  assert.match(describeField(['packages', 3])!, /package name/);
  assert.equal(describeField(['nope']), undefined);
});

test('unknown key: did-you-mean with a safe fix that renames the key', () => {
  const text = `${HEAD}pakages: [curl]\n`;
  const [d, ...rest] = ob201(text);
  assert.equal(rest.length, 0);
  assert.equal(d!.severity, 'error');
  assert.equal(d!.message, "Unknown field 'pakages'. Did you mean 'packages'?");
  assert.deepEqual(d!.range, r(3, 0, 3, 7));
  assert.equal(d!.fixes![0]!.safe, true);
  assert.equal(d!.fixes![0]!.isPreferred, true);
  assert.equal(applyFix(text, d), `${HEAD}packages: [curl]\n`);
});

test('unknown key under config suggests config keys; far-off keys list the known fields', () => {
  const [d] = ob201(`${HEAD}config:\n  enviroment: {}\n`);
  assert.equal(d!.message, "Unknown field 'enviroment' in config. Did you mean 'env'?");
  assert.deepEqual(d!.range, r(4, 2, 4, 12));
  const [far] = ob201(`${HEAD}zzzzzz: 1\n`);
  assert.match(far!.message, /^Unknown field 'zzzzzz'\. Known fields: image, distro, suite, arch/);
  assert.equal(far!.fixes, undefined);
});

test('wrong type: packages as a string says "expected a list of strings", with a fix that makes a list', () => {
  const text = `${HEAD}packages: curl\n`;
  const [d] = ob201(text);
  assert.equal(d!.message, 'packages: expected a list of strings, got a string. Write a list, e.g. [curl].');
  assert.deepEqual(d!.range, r(3, 10, 3, 14));
  assert.equal(d!.fixes![0]!.safe, false);
  assert.equal(applyFix(text, d), `${HEAD}packages: [curl]\n`);
});

test('missing required fields are reported on the first line of the mapping', () => {
  const ds = ob201('# my base\nimage: owned/base:1\n');
  assert.deepEqual(ds.map((d) => d.message), [
    "Missing required field 'distro' (debian or ubuntu).",
    "Missing required field 'suite' (e.g. suite: bookworm).",
  ]);
  for (const d of ds) assert.deepEqual(d.range, r(1, 0, 1, 19));
  const empty = ob201('');
  assert.equal(empty.length, 3);
  assert.deepEqual(empty[0]!.range, r(0, 0, 0, 0));
  assert.equal(empty[0]!.message, "Missing required field 'image' (e.g. image: owned/bookworm:12).");
});

test('a recipe that is not a mapping says so', () => {
  const [d] = ob201('- image\n- distro\n');
  assert.equal(d!.message, 'A recipe is a mapping of fields (image, distro, suite, …), got a list.');
});

test('enum values: unknown distro, arch (with the list) and case-only differences (safe fix)', () => {
  const distro = ob201('image: owned/base:1\ndistro: Debian\nsuite: bookworm\n');
  assert.equal(distro[0]!.message, "'Debian' is not a valid distro: expected one of debian, ubuntu. Did you mean 'debian'?");
  assert.equal(distro[0]!.fixes![0]!.safe, true);
  assert.equal(applyFix('image: owned/base:1\ndistro: Debian\nsuite: bookworm\n', distro[0]), 'image: owned/base:1\ndistro: debian\nsuite: bookworm\n');
  const arch = ob201(`${HEAD}arch: arm\n`);
  assert.match(arch[0]!.message, /^'arm' is not a valid arch: expected one of amd64, arm64, armel, armhf, i386, ppc64el, s390x, riscv64/);
  assert.deepEqual(arch[0]!.range, r(3, 6, 3, 9));
  const aarch = ob201(`${HEAD}arch: aarch64\n`);
  assert.equal(aarch[0]!.message.includes("Did you mean 'arm64'?"), false, 'aarch64 is too far from arm64 to guess');
  const variant = ob201(`${HEAD}variant: minbse\n`);
  assert.match(variant[0]!.message, /Did you mean 'minbase'\?$/);
  assert.equal(variant[0]!.fixes![0]!.safe, false);
});

test('package names: shell metacharacters are errors that name the character', () => {
  const text = `${HEAD}packages: [curl, "curl; rm -rf /", "$(reboot)", libc6:arm64, curl=7.88.1-10+deb12u5, "Curl"]\n`;
  const ds = ob201(text);
  assert.equal(ds.length, 3);
  assert.match(ds[0]!.message, /^packages\[1\]: 'curl; rm -rf \/' is not valid\. A package name is/);
  assert.match(ds[0]!.message, /shell metacharacter ';'/);
  assert.deepEqual(ds[0]!.range, r(3, 17, 3, 33));
  assert.match(ds[1]!.message, /shell metacharacter '\$'/);
  assert.match(ds[2]!.message, /^packages\[5\]: 'Curl' is not valid/);
});

test('config: env values must be strings (safe quoting fix), env names valid, ports 1–65535 with /tcp or /udp', () => {
  const text = `${HEAD}config:\n  env: { PORT: 8080, "BAD-NAME": x }\n  expose: [80, "53/udp", 0, 70000, "80/sctp", "8080/tcp"]\n`;
  const ds = ob201(text);
  assert.deepEqual(ds.map((d) => d.message), [
    'config.env.PORT: expected a string, got a number. Quote it to make it a string.',
    "config.env: 'BAD-NAME' is not a valid name. An environment variable name is letters, digits and _, not starting with a digit.",
    'config.expose[2]: 0 is out of range (1–65535).',
    'config.expose[3]: 70000 is out of range (1–65535).',
    "config.expose[4]: '80/sctp' is not valid. A port is a number from 1 to 65535, optionally with /tcp or /udp, e.g. 80 or \"53/udp\".",
  ]);
  assert.deepEqual(ds[0]!.range, r(4, 15, 4, 19));
  assert.deepEqual(ds[1]!.range, r(4, 21, 4, 31));
  assert.equal(applyFix(text, ds[0]), text.replace('PORT: 8080', 'PORT: "8080"'));
  const [bool] = ob201(`${HEAD}config:\n  expose: [true]\n`);
  assert.equal(bool!.message, 'config.expose[0]: expected a port, got true (a boolean).');
});

test('mirror must be an http, https or file URL; components non-empty words', () => {
  const ds = ob201(`${HEAD}mirror: mirror.example/debian\ncomponents: [main, "", "non free"]\n`);
  assert.deepEqual(ds.map((d) => d.message), [
    "mirror: 'mirror.example/debian' is not valid. A mirror is an http://, https:// or file:// URL of the distribution's archive with no spaces, quotes or backslashes, e.g. http://mirror.example/debian.",
    'components[1] must not be empty.',
    "components[2]: 'non free' is not valid. A component is lowercase letters, digits, '.', '_' and '-', starting with a letter or digit (e.g. main, contrib, non-free-firmware, universe): a leading '-' would be read as an option, '..' as a path.",
  ]);
  assert.deepEqual(ob201(`${HEAD}mirror: file:///srv/mirror/debian\n`), []);
});

test('slim: yes is a YAML 1.1 boolean; the safe fix writes true', () => {
  const text = `${HEAD}slim: yes\n`;
  const [d] = ob201(text);
  assert.equal(d!.message, "slim: expected true or false, got a string. YAML 1.2 reads 'yes' as a string: write true or false.");
  assert.equal(applyFix(text, d), `${HEAD}slim: true\n`);
});

test('an empty value is "nothing"', () => {
  const [d] = ob201('image: owned/base:1\ndistro: debian\nsuite:\n');
  assert.equal(d!.message, 'suite: expected a string, got nothing (an empty value).');
  assert.deepEqual(d!.range, r(2, 6, 2, 6));
});
