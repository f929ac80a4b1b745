import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintRecipe } from '../../../src/core/recipe';
import { isNotNeededInContainer } from '../../../src/core/recipe/notNeeded';
import { applyEdits, applyFix, r } from './helpers';

const HEAD = 'image: owned/base:1\ndistro: debian\nsuite: bookworm\n';
const ob204 = (text: string) => lintRecipe(text).filter((d) => d.code === 'OB204');

test('kernels, init systems, bootloaders and firmware are not needed in a container', () => {
  for (const p of ['linux-image-amd64', 'linux-headers-6.1.0-18-amd64', 'systemd', 'systemd-sysv', 'init', 'sysvinit-core', 'grub-pc', 'grub2-common', 'firmware-linux-free', 'linux-image-amd64:arm64', 'systemd=252.22-1']) {
    assert.ok(isNotNeededInContainer(p), p);
  }
  for (const p of ['curl', 'ca-certificates', 'systemd-timesyncd-not', 'libsystemd0', 'initscripts-x', 'linux-libc-dev']) assert.ok(!isNotNeededInContainer(p), p);
});

test('the warning says PID 1 and no kernel/init; the safe fix removes the entry from a flow list', () => {
  const text = `${HEAD}packages: [curl, systemd, ca-certificates]\n`;
  const [d] = ob204(text);
  assert.equal(d!.severity, 'warning');
  assert.equal(d!.message, "'systemd' is not needed in a container (an init system): the container runs your program as PID 1 on the host's kernel; no kernel/init needed.");
  assert.deepEqual(d!.range, r(3, 17, 3, 24));
  assert.equal(d!.fixes![0]!.safe, true);
  assert.equal(applyFix(text, d), `${HEAD}packages: [curl, ca-certificates]\n`);
});

test('removing the last and the only item of a flow list', () => {
  const last = `${HEAD}packages: [curl, grub-pc]\n`;
  assert.equal(applyFix(last, ob204(last)[0]), `${HEAD}packages: [curl]\n`);
  const only = `${HEAD}packages: [linux-image-amd64]\n`;
  assert.equal(applyFix(only, ob204(only)[0]), `${HEAD}packages: []\n`);
});

test('removing from a block list takes the whole line, comment included; an only item leaves []', () => {
  const text = `${HEAD}packages:\n  - curl\n  - systemd   # why not\n  - git\n`;
  const [d] = ob204(text);
  assert.deepEqual(d!.range, r(5, 4, 5, 11));
  assert.equal(applyFix(text, d), `${HEAD}packages:\n  - curl\n  - git\n`);
  const only = `${HEAD}packages:\n  - init\nremove: []\n`;
  assert.equal(applyFix(only, ob204(only)[0]), `${HEAD}packages: []\nremove: []\n`);
  const atEnd = `${HEAD}packages:\n- curl\n- init`;
  assert.equal(applyFix(atEnd, ob204(atEnd)[0]), `${HEAD}packages:\n- curl\n`);
});

test('all safe fixes together (fix-all) leave a clean list', () => {
  const text = `${HEAD}packages: [systemd, curl, init, git, grub-efi]\n`;
  const edits = ob204(text).flatMap((d) => d.fixes!.filter((f) => f.safe).flatMap((f) => f.changes.flatMap((c) => c.edits ?? [])));
  assert.equal(edits.length, 3);
  assert.equal(applyEdits(text, edits), `${HEAD}packages: [curl, git]\n`);
});
