import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseFromImage } from '../../../src/core/recipe/derive';

const base = (path: string, tag?: string) => baseFromImage({ path, ...(tag !== undefined && { tag }) });
const suiteOf = (path: string, tag?: string) => { const b = base(path, tag); return b && `${b.distro}/${b.suite}`; };

test('ubuntu: version numbers, codenames, dated tags and latest', () => {
  assert.equal(suiteOf('ubuntu', '20.04'), 'ubuntu/focal');
  assert.equal(suiteOf('ubuntu', '22.04'), 'ubuntu/jammy');
  assert.equal(suiteOf('ubuntu', '24.04'), 'ubuntu/noble');
  assert.equal(suiteOf('ubuntu', '18.04'), 'ubuntu/bionic');
  assert.equal(suiteOf('ubuntu', 'latest'), 'ubuntu/noble');
  assert.equal(suiteOf('ubuntu'), 'ubuntu/noble');
  assert.equal(suiteOf('ubuntu', 'jammy'), 'ubuntu/jammy');
  assert.equal(suiteOf('ubuntu', 'jammy-20240227'), 'ubuntu/jammy');
  assert.equal(suiteOf('library/ubuntu', '24.10'), 'ubuntu/oracular');
  assert.deepEqual(base('ubuntu', '22.04')?.packages, []);
  assert.match(base('ubuntu', '22.04')!.why, /^ubuntu:22\.04 is Ubuntu jammy \(Ubuntu 22\.04 LTS\); a minbase bootstrap of jammy/);
  assert.equal(base('ubuntu', 'bookworm'), undefined);
  assert.equal(base('ubuntu', 'rolling'), undefined);
});

test('debian: numbers, codenames, -slim and dated tags', () => {
  assert.equal(suiteOf('debian', '12'), 'debian/bookworm');
  assert.equal(suiteOf('debian', '11'), 'debian/bullseye');
  assert.equal(suiteOf('debian', '13'), 'debian/trixie');
  assert.equal(suiteOf('debian', '12.5'), 'debian/bookworm');
  assert.equal(suiteOf('debian', 'bookworm-slim'), 'debian/bookworm');
  assert.equal(suiteOf('debian', '12-slim'), 'debian/bookworm');
  assert.equal(suiteOf('debian', 'bookworm-20240110-slim'), 'debian/bookworm');
  assert.equal(suiteOf('debian', 'sid'), 'debian/sid');
  assert.equal(suiteOf('debian', 'bookworm-backports'), 'debian/bookworm');
  assert.match(base('debian', 'bookworm-slim')!.why, /slim: true/);
  assert.match(base('debian', 'latest')!.why, /moves with each release/);
  assert.equal(base('debian', 'focal'), undefined);
});

test('official language images: packages, the suite from the tag suffix, the default suite when unsuffixed (noted)', () => {
  assert.deepEqual(base('gcc', '14'), {
    distro: 'debian', suite: 'trixie', packages: ['gcc', 'g++', 'make', 'libc6-dev'],
    why: "gcc:14 is Debian trixie plus a GCC built from source; the owned base installs the distro's gcc, g++, make, libc6-dev; "
      + "it is the suite's version, which may differ from 14. The tag names no release, so trixie is assumed: change suite if the image tracked a newer one.",
  });
  assert.deepEqual(base('golang', '1.22-bullseye')?.packages, ['golang-go', 'gcc', 'libc6-dev', 'git', 'ca-certificates']);
  assert.equal(suiteOf('golang', '1.22-bullseye'), 'debian/bullseye');
  assert.doesNotMatch(base('golang', '1.22-bullseye')!.why, /assumed/);
  assert.deepEqual(base('node', '20-bookworm-slim')?.packages, ['nodejs', 'npm']);
  assert.equal(suiteOf('node', 'lts-trixie'), 'debian/trixie');
  assert.deepEqual(base('python', '3.12-slim')?.packages, ['python3', 'python3-pip', 'python3-venv']);
  assert.equal(suiteOf('python', '3.12-slim'), 'debian/trixie');
  assert.equal(suiteOf('python', '3.11-slim-bullseye'), 'debian/bullseye');
  assert.equal(suiteOf('gcc'), 'debian/trixie');
});

test('gcc: the image holds 12 and 13 (and the ended 9 to 11) on bookworm, 8 on buster; 14 and later follow stable', () => {
  assert.equal(suiteOf('gcc', '12'), 'debian/bookworm');
  assert.equal(suiteOf('gcc', '12.4.0'), 'debian/bookworm');
  assert.equal(suiteOf('gcc', '13.3'), 'debian/bookworm');
  assert.equal(suiteOf('gcc', '9'), 'debian/bookworm');
  assert.equal(suiteOf('gcc', '8'), 'debian/buster');
  assert.equal(suiteOf('gcc', '15'), 'debian/trixie');
  assert.equal(suiteOf('gcc', 'latest'), 'debian/trixie');
  assert.equal(base('gcc', '12')!.why, "gcc:12 is Debian bookworm plus a GCC built from source; the owned base installs the distro's gcc, g++, make, "
    + "libc6-dev; it is the suite's version, which may differ from 12. The image holds gcc 12 on bookworm: a GCC older than the next "
    + "release's own stays on the release whose libstdc++ it matches.");
  assert.equal(suiteOf('python', '3.12'), 'debian/trixie', 'only gcc pins versions');
});

test('buildpack-deps: tool sets by variant, Ubuntu tags too', () => {
  assert.ok(base('buildpack-deps', 'bookworm')!.packages.includes('build-essential'));
  assert.ok(['curl', 'git', 'ca-certificates'].every((p) => base('buildpack-deps', 'bookworm')!.packages.includes(p)));
  assert.deepEqual(base('buildpack-deps', 'bookworm-curl')?.packages, ['ca-certificates', 'curl', 'gnupg', 'netbase', 'wget']);
  assert.ok(base('buildpack-deps', 'bullseye-scm')!.packages.includes('git'));
  assert.ok(!base('buildpack-deps', 'bullseye-scm')!.packages.includes('build-essential'));
  assert.equal(suiteOf('buildpack-deps', 'jammy'), 'ubuntu/jammy');
});

test('unknown images and non-Debian tags give nothing', () => {
  assert.equal(base('alpine', '3.19'), undefined);
  assert.equal(base('busybox', 'glibc'), undefined);
  assert.equal(base('python', '3.12-alpine3.19'), undefined);
  assert.equal(base('golang', '1.22-windowsservercore-ltsc2022'), undefined);
  assert.equal(base('owned/base', '1'), undefined);
});
