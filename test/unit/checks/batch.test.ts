import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { BATCH_SCRIPT, parseBatch } from '../../../src/core/checks/scripts';

const SHELLS = ['/bin/sh', '/bin/dash', '/bin/busybox'].filter((s) => existsSync(s));

for (const shell of SHELLS) {
  test(`BATCH_SCRIPT under ${shell}: each script's exit status, stdout and stderr come back apart, by name`, () => {
    const argv = shell === '/bin/busybox' ? ['sh', '-c', BATCH_SCRIPT] : ['-c', BATCH_SCRIPT];
    const parts = ['a', 'echo one; echo two >&2; exit 3', 'no-newline', 'printf x; printf y >&2', 'quiet', 'true', 'multi', 'printf "1\\n\\n2\\n"'];
    const r = spawnSync(shell, [...argv, 'sh', ...parts], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(Object.fromEntries(parseBatch(r.stdout, r.stderr)), {
      a: { exitCode: 3, stdout: 'one\n', stderr: 'two\n' },
      'no-newline': { exitCode: 0, stdout: 'x', stderr: 'y' },
      quiet: { exitCode: 0, stdout: '', stderr: '' },
      multi: { exitCode: 0, stdout: '1\n\n2\n', stderr: '' },
    });
  });
}

test('parseBatch: a part cut short (no exit frame) is absent', () => {
  const parts = parseBatch('\n@@ownbase:a\nok\n@@ownbase-exit:0\n\n@@ownbase:b\npartial', '\n@@ownbase:a\n\n@@ownbase:b\n');
  assert.deepEqual([...parts.keys()], ['a']);
  assert.deepEqual(parts.get('a'), { exitCode: 0, stdout: 'ok', stderr: '' });
});
