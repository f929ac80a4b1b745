import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { connectEngine } from '../../src/core/engine/connect';
import { compareReports, formatBytes, inspectSource, type Report } from '../../src/core/inspect';
import type { RenderedState, SortKey } from '../../webview/messages';
import { screenshot } from './screenshot';
import { until } from './until';

const trustMode = process.env.OWNBASE_TEST_TRUST ?? 'trusted';
// build.test.ts builds it from the example recipe; test files run in name order, so it is there by now.
const IMAGE = 'owned/bookworm-slim:12';

const describeInspector = async (): Promise<RenderedState | undefined> => vscode.commands.executeCommand<RenderedState | undefined>('ownbase.inspector.describe');

/** Clicks a column's header in the page and waits until the page has drawn that sort. */
async function sortBy(key: SortKey, descending: boolean): Promise<RenderedState> {
  assert.equal(await vscode.commands.executeCommand('ownbase.inspector.sortBy', key), true, 'the page took the click');
  return until(`the table sorted by ${key} ${descending ? 'descending' : 'ascending'}`, async () => {
    const s = await describeInspector();
    return s?.sort?.key === key && s.sort.descending === descending ? s : undefined;
  }, 10_000);
}

const names = (ps: Report['packages'], compare: (a: Report['packages'][number], b: Report['packages'][number]) => number): string[] =>
  [...ps].sort((a, b) => compare(a, b) || a.name.localeCompare(b.name)).slice(0, 10).map((p) => p.name);

describe(`the package-size inspector in a real VS Code (${trustMode} workspace)`, function () {
  let expected: Report;

  before(async function () {
    this.timeout(120_000);
    await vscode.extensions.getExtension('ownbase.ownbase')!.activate();
    const present = await connectEngine().getImage(IMAGE).inspect().then(() => true, () => false);
    if (!present) {
      if (trustMode === 'trusted') throw new Error(`${IMAGE} is not in the engine: build.test.ts, which runs before this file, builds it`);
      this.skip(); // Restricted Mode alone builds nothing; the trusted run before it leaves the image.
    }
    // What the inspector must show, from the core on the same image (the panel reads it the same way: estimated).
    expected = await inspectSource({ kind: 'image', ref: IMAGE }, { docker: () => connectEngine(), compressed: 'estimate' });
  });

  const cleanup: (() => Promise<unknown>)[] = [];
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  it('opens on the example image: a row per package, biggest first, sorts by a header click, the compressed total shown', async function () {
    this.timeout(180_000);
    assert.ok(expected.packages.length >= 80, `${expected.packages.length} packages in ${IMAGE}`);
    await vscode.commands.executeCommand('ownbase.inspect', IMAGE);
    const shown = await until('the report drawn', async () => {
      const s = await describeInspector();
      return s?.view === 'report' || s?.view === 'error' ? s : undefined;
    }, 120_000);
    assert.equal(shown.view, 'report', shown.text);
    assert.equal(shown.text, `image:${IMAGE} — ${expected.os?.prettyName}`);
    assert.match(shown.text, /— Debian GNU\/Linux 12 \(bookworm\)$/);
    assert.equal(shown.packages, expected.packages.length);
    assert.equal(shown.rows, expected.packages.length, 'no filter: every package is a row');
    assert.deepEqual(shown.sort, { key: 'bytes', descending: true });
    const biggestFirst = names(expected.packages, (a, b) => b.bytes - a.bytes);
    assert.deepEqual(shown.first, biggestFirst);
    assert.ok(expected.totals.compressedBytes > 0 && expected.totals.compressedBytes < expected.totals.bytes);
    assert.deepEqual(shown.compressed, { value: formatBytes(expected.totals.compressedBytes), label: `compressed (${expected.compressedBy})` });
    assert.match(shown.compressed!.value, /^\d+(\.\d)? MB$/);

    const byName = await sortBy('name', false);
    assert.deepEqual(byName.first, names(expected.packages, () => 0));
    assert.equal(byName.rows, expected.packages.length);
    assert.deepEqual((await sortBy('bytes', true)).first, biggestFirst);
    assert.deepEqual((await sortBy('bytes', false)).first, names(expected.packages, (a, b) => a.bytes - b.bytes));
    await sortBy('bytes', true);
    await screenshot('inspector');
  });
  // The second source is the example image with one package purged (a container's change committed: seconds,
  // no build), so the comparison has a known answer: ca-certificates removed, nothing added.
  it('compares the example image (before) with it minus ca-certificates (after): the package removed, the totals\' change shown', async function () {
    this.timeout(180_000);
    const docker = connectEngine();
    const stamp = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
    const purged = `ownbase-vscode-test/purged:${stamp}`;
    const container = await docker.createContainer({
      Image: IMAGE, Cmd: ['dpkg', '--purge', 'ca-certificates'], Env: ['DEBIAN_FRONTEND=noninteractive'], NetworkDisabled: true,
      name: `ownbase-vscode-test-purge-${stamp}`,
    });
    cleanup.push(() => container.remove({ force: true }));
    await container.start();
    assert.equal((await container.wait() as { StatusCode: number }).StatusCode, 0, 'dpkg --purge ca-certificates in the example image');
    await container.commit({ repo: 'ownbase-vscode-test/purged', tag: stamp });
    cleanup.push(() => docker.getImage(purged).remove({ force: true }));

    const after = await inspectSource({ kind: 'image', ref: purged }, { docker: () => connectEngine(), compressed: 'estimate' });
    const c = compareReports(expected, after);
    assert.deepEqual([c.added, c.removed], [[], ['ca-certificates']]);

    await vscode.commands.executeCommand('ownbase.inspect', purged);
    const shown = await until('the purged image\'s report drawn', async () => {
      const s = await describeInspector();
      return (s?.view === 'report' && s.text.startsWith(`image:${purged}`)) || s?.view === 'error' ? s : undefined;
    }, 120_000);
    assert.equal(shown.view, 'report', shown.text);
    assert.equal(shown.packages, expected.packages.length - 1);

    assert.equal(await vscode.commands.executeCommand('ownbase.inspector.compareWith', IMAGE), true, 'the inspector took the comparison');
    const compared = await until('the comparison drawn', async () => {
      const s = await describeInspector();
      return s?.view === 'compare' ? s : undefined;
    }, 120_000);
    const sign = (n: number): string => `${n > 0 ? '+' : n < 0 ? '\u2212' : ''}${formatBytes(Math.abs(n))}`;
    assert.equal(compared.text, 'Compare');
    assert.deepEqual(compared.compare, {
      sides: [`Before: image:${IMAGE}`, `After: image:${purged}`],
      lines: [`${sign(c.totals.bytes)} in total, ${sign(c.totals.compressedBytes)} compressed`, 'Added: none', 'Removed: ca-certificates'],
    });
    assert.equal(compared.rows, c.packages.length);
    assert.ok(compared.first.includes('ca-certificates'), `ca-certificates among the changed packages: ${compared.first.join(', ')}`);
    assert.deepEqual(compared.first, c.packages.slice(0, 10).map((p) => p.name));
    await screenshot('inspector-compare');
  });
});
