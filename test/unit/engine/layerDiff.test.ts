import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffLayers } from '../../../src/core/engine/layerDiff';
import { writeLayer } from '../../../src/core/engine/layer';

test('diffLayers: the paths whose tar entries differ, in name order: added, removed, content or mtime changed', async () => {
  const d = mkdtempSync(join(tmpdir(), 'ownbase-layerdiff-'));
  try {
    const T = new Date('2024-01-01T00:00:00Z');
    for (const side of ['a', 'b']) {
      mkdirSync(join(d, side, 'etc'), { recursive: true });
      writeFileSync(join(d, side, 'etc/same'), 'same\n');
      writeFileSync(join(d, side, 'etc/content'), side === 'a' ? 'one\n' : 'two\n');
      writeFileSync(join(d, side, 'etc/touched'), 'x\n');
      writeFileSync(join(d, side, side === 'a' ? 'only-a' : 'only-b'), '');
      for (const f of ['etc/same', 'etc/content', 'etc/touched', side === 'a' ? 'only-a' : 'only-b']) utimesSync(join(d, side, f), T, T);
      if (side === 'b') utimesSync(join(d, side, 'etc/touched'), new Date('2025-01-01T00:00:00Z'), new Date('2025-01-01T00:00:00Z'));
      utimesSync(join(d, side, 'etc'), T, T);
      await writeLayer(join(d, side), { tarFile: join(d, `${side}.tar`) });
    }
    const diffs = await diffLayers(join(d, 'a.tar'), join(d, 'b.tar'));
    assert.deepEqual(diffs.map((x) => `${x.change} ${x.path}`), ['changed etc/content', 'changed etc/touched', 'removed only-a', 'added only-b']);
    assert.match(diffs[1]!.was!, /mtime 2024-01-01T00:00:00.000Z size 2 sha256 /);
    assert.match(diffs[1]!.now!, /mtime 2025-01-01T00:00:00.000Z size 2 sha256 /);
    assert.deepEqual(await diffLayers(join(d, 'a.tar'), join(d, 'a.tar')), []);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
