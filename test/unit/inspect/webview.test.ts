import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFromView, PROTOCOL, type ViewPackage } from '../../../webview/messages';
import { filterPackages, sortPackages } from '../../../webview/table';

const pkg = (name: string, bytes: number, why: string, cls: string | null = null): ViewPackage =>
  ({ name, version: '1', bytes, declaredBytes: bytes, compressedBytes: bytes >> 1, freesBytes: bytes, why, class: cls });
const rows = [pkg('libc6', 12, 'Priority required'), pkg('vim-tiny', 4, 'installed on purpose', 'editor'), pkg('bash', 7, 'Essential'), pkg('apt', 7, 'Priority required')];

test('the package table sorts by a column, ties by name, and filters on name, why and class', () => {
  assert.deepEqual(sortPackages(rows, 'bytes', true).map((p) => p.name), ['libc6', 'apt', 'bash', 'vim-tiny']);
  assert.deepEqual(sortPackages(rows, 'bytes', false).map((p) => p.name), ['vim-tiny', 'apt', 'bash', 'libc6']);
  assert.deepEqual(sortPackages(rows, 'name', false).map((p) => p.name), ['apt', 'bash', 'libc6', 'vim-tiny']);
  assert.deepEqual(filterPackages(rows, 'EDITOR').map((p) => p.name), ['vim-tiny']);
  assert.deepEqual(filterPackages(rows, 'required').map((p) => p.name), ['libc6', 'apt']);
  assert.equal(filterPackages(rows, '  ').length, 4);
  const many = Array.from({ length: 5000 }, (_, i) => pkg(`p${i}`, (i * 7919) % 5003, 'x'));
  const sorted = sortPackages(many, 'bytes', true);
  assert.equal(sorted.length, 5000);
  assert.ok(sorted.every((p, i) => i === 0 || sorted[i - 1]!.bytes >= p.bytes));
});

test('messages from the webview are checked before use', () => {
  assert.equal(isFromView({ v: PROTOCOL, type: 'ready' }), true);
  assert.equal(isFromView({ v: PROTOCOL, type: 'export', format: 'spdx-json' }), true);
  assert.equal(isFromView({ v: PROTOCOL, type: 'export', format: 'pdf' }), false);
  assert.equal(isFromView({ v: 2, type: 'ready' }), false);
  assert.equal(isFromView('ready'), false);
  assert.equal(isFromView(null), false);
});
