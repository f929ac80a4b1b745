import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAge, formatBytes, formatDelta } from '../../../src/core/workspace/format';

test('sizes in decimal units, three significant digits', () => {
  assert.deepEqual([0, 812, 1500, 56_300_000, 75_100_000, 100_000_000, 1_070_000_000, 999_999].map(formatBytes),
    ['0 B', '812 B', '1.5 kB', '56.3 MB', '75.1 MB', '100 MB', '1.07 GB', '1000 kB']);
  assert.deepEqual([600_000, -5_500_000, 0].map(formatDelta), ['+600 kB', '-5.5 MB', '±0 B']);
});

test('ages: the largest whole unit', () => {
  const now = Date.UTC(2026, 11, 1);
  assert.deepEqual([now, now - 59_000, now - 60_000, now - 3 * 3_600_000, now - 86_400_000, now - 9 * 86_400_000, now - 400 * 86_400_000, now + 5000]
    .map((t) => formatAge(t, now)), ['just now', 'just now', '1 minute ago', '3 hours ago', '1 day ago', '1 week ago', '1 year ago', 'just now']);
});
