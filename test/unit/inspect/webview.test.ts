import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFromView, PROTOCOL, type ViewPackage } from '../../../webview/messages';
import { filterPackages, sortPackages, visibleRange } from '../../../webview/table';

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

test('the virtualized table draws the rows in view and a margin: 5,000 rows, about 50 in the page', () => {
  assert.deepEqual(visibleRange(0, 600, 24, 5000, 12), { first: 0, last: 37 });
  assert.deepEqual(visibleRange(24 * 1000, 600, 24, 5000, 12), { first: 988, last: 1037 });
  assert.deepEqual(visibleRange(24 * 4990, 600, 24, 5000, 12), { first: 4978, last: 5000 });
  assert.deepEqual(visibleRange(0, 600, 24, 0, 12), { first: 0, last: 0 });
  assert.deepEqual(visibleRange(1e9, 600, 24, 10, 12), { first: 10, last: 10 });
});

test('files and remove messages carry a package name', () => {
  assert.equal(isFromView({ v: PROTOCOL, type: 'files', name: 'libc6' }), true);
  assert.equal(isFromView({ v: PROTOCOL, type: 'remove', name: 'docs' }), true);
  assert.equal(isFromView({ v: PROTOCOL, type: 'remove', name: '' }), false);
  assert.equal(isFromView({ v: PROTOCOL, type: 'files', name: 42 }), false);
  assert.equal(isFromView({ v: PROTOCOL, type: 'files', name: 'x'.repeat(300) }), false);
});

test('the page\'s rendered state is checked before the extension keeps it', () => {
  const state = { view: 'report', sort: { key: 'bytes', descending: true }, rows: 2, packages: 2, first: ['libc6', 'bash'], text: 'image:x' };
  assert.equal(isFromView({ v: PROTOCOL, type: 'rendered', state }), true);
  assert.equal(isFromView({ v: PROTOCOL, type: 'rendered', state: { ...state, view: 'table' } }), false);
  assert.equal(isFromView({ v: PROTOCOL, type: 'rendered', state: { ...state, first: 'libc6' } }), false);
  assert.equal(isFromView({ v: PROTOCOL, type: 'rendered' }), false);
});
