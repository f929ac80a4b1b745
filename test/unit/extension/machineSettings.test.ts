import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineValue } from '../../../src/extension/commands/machineSetting';

function repoRoot(): string {
  let d = __dirname;
  for (;;) {
    try { readFileSync(join(d, 'package.json')); return d; } catch { d = join(d, '..'); }
  }
}

test('where a root build writes and what elevates it are machine-scoped settings', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { scope?: string }> } } };
  const props = pkg.contributes.configuration.properties;
  for (const key of ['ownbase.build.workDir', 'ownbase.build.cacheDir', 'ownbase.build.keepRootfs', 'ownbase.build.elevationCommand']) {
    assert.equal(props[key]?.scope, 'machine', key);
  }
});

test("a workspace's or folder's value of a machine setting is never read; the user's or the default is", () => {
  const inspect = (values: Record<string, unknown>) => ({
    inspect: <T>(key: string) => ({ key, defaultValue: '' as T, ...(values as { globalValue?: T; workspaceValue?: T; workspaceFolderValue?: T }) }),
  });
  assert.equal(machineValue(inspect({ workspaceValue: '/tmp/$(id)', workspaceFolderValue: '/tmp/`id`' }), 'workDir'), '');
  assert.equal(machineValue(inspect({ globalValue: '/srv/build', workspaceValue: '/tmp/$(id)' }), 'workDir'), '/srv/build');
});
