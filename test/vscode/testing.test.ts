import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { DescribedRecipe } from '../../src/extension/testing/register';
import { screenshot } from './screenshot';
import { until } from './until';

const describeTests = async (): Promise<DescribedRecipe[]> => (await vscode.commands.executeCommand<DescribedRecipe[]>('ownbase.testing.describe'))!;

describe('the Test Explorer', () => {
  before(async () => { await vscode.extensions.getExtension('ownbase.ownbase')!.activate(); });

  it('lists the bookworm example recipe and its checks, each at its line', async () => {
    await vscode.commands.executeCommand('testing.refreshTests').then(undefined, () => undefined);
    const bookworm = await until('the bookworm recipe in the Test Explorer', async () =>
      (await describeTests()).find((r) => r.path.endsWith('bookworm-slim.ownbase.yaml') && r.checks.length > 0), 30_000);
    assert.deepEqual(bookworm.checks.map((c) => [c.id, c.line]), [
      ['builtins.apt', 19], ['builtins.loader', 19], ['builtins.setuid', 19], ['builtins.scanners', 19],
      ['files[0]', 21], ['metadata.cmd', 24], ['metadata.env', 25],
    ]);
    assert.equal(bookworm.checks[4]!.label, 'file: /etc/ssl/certs/ca-certificates.crt present');
  });

  it('runs nothing in Restricted Mode: every check errored with the reason', async function () {
    if (vscode.workspace.isTrusted) this.skip();
    await vscode.commands.executeCommand('ownbase.testing.run');
    const run = await until('the refusal', async () => {
      const r = (await describeTests()).find((x) => x.path.endsWith('bookworm-slim.ownbase.yaml'));
      return r && r.checks.every((c) => c.state !== undefined) ? r : undefined;
    }, 30_000);
    assert.deepEqual(new Set(run.checks.map((c) => `${c.state} ${c.message}`)), new Set(['errored Restricted Mode: trust this workspace to run its checks.']));
  });

  it('runs the checks of an image that exists and shows them passed', async function () {
    if (!vscode.workspace.isTrusted) this.skip();
    const image = 'owned/bookworm-slim:12';
    if (spawnSync('docker', ['image', 'inspect', image], { stdio: 'ignore' }).status !== 0) this.skip(); // built by the build suite when it ran
    this.timeout(300_000);
    const recipe = (await describeTests()).find((x) => x.path.endsWith('bookworm-slim.ownbase.yaml'))!;
    await vscode.commands.executeCommand('ownbase.testing.run', vscode.Uri.file(recipe.path));
    const run = await until('the checks run', async () => {
      const r = (await describeTests()).find((x) => x.path.endsWith('bookworm-slim.ownbase.yaml'));
      return r && r.checks.every((c) => c.state !== undefined) ? r : undefined;
    }, 280_000);
    assert.deepEqual(run.checks.map((c) => [c.id, c.state]), run.checks.map((c) => [c.id, 'passed']), JSON.stringify(run.checks));
    // An artifact for people: the Test Explorer with the recipe's checks passed.
    await vscode.commands.executeCommand('workbench.view.testing.focus');
    await screenshot('test-explorer');
  });
});
