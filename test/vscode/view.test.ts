import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { formatLock, lockPathFor } from '../../src/core/build/lock';
import { connectEngine } from '../../src/core/engine/connect';
import type { DescribedItem } from '../../src/extension/tree/register';
import { screenshot } from './screenshot';

const trustMode = process.env.OWNBASE_TEST_TRUST ?? 'trusted';

interface Described { recipes: DescribedItem[]; bases: DescribedItem[]; engine: DescribedItem[]; engineState: string }
const describeViews = async (): Promise<Described> => (await vscode.commands.executeCommand<Described>('ownbase.view.describe'))!;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const v = await probe().catch((e: unknown) => { last = e; return undefined; });
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const RECIPES = ['owned/bookworm-arm64:12', 'owned/bookworm-slim:12', 'owned/focal:20.04', 'owned/go-build:bookworm'];

describe(`the Owned Bases view (${trustMode} workspace)`, () => {
  before(async () => { await vscode.extensions.getExtension('ownbase.ownbase')!.activate(); });

  // Other suites share this workspace copy and add recipes (Create owned base) or rewrite Dockerfiles before this one runs.
  it('lists the example recipes with a state, and the base images the example Dockerfiles start FROM', async () => {
    const d = await until('the four example recipes', async () => {
      const v = await describeViews();
      return RECIPES.every((r) => v.recipes.some((x) => x.label === r)) ? v : undefined;
    }, 30_000);
    for (const r of d.recipes) assert.match(r.contextValue ?? '', /^ownbase\.recipe\.(notBuilt|built|outdated|unknown|building|failed)(\.locked)?$/, r.label);
    const labels = d.bases.map((b) => b.label);
    for (const untouched of ['arm64v8/debian:bookworm-slim', 'golang:1.22-bookworm', 'multiarch/qemu-user-static:x86_64-aarch64']) assert.ok(labels.includes(untouched), `${untouched} in ${labels.join(', ')}`);
    for (const b of d.bases) assert.match(b.contextValue ?? '', /^ownbase\.base\.(owned|owned\.recipe|notOwned)$/, b.label);
    assert.equal(d.bases.find((b) => b.label === 'golang:1.22-bookworm')?.contextValue, 'ownbase.base.notOwned');
    const golang = d.bases.find((b) => b.label === 'golang:1.22-bookworm')!;
    assert.deepEqual(golang.children.map((c) => [c.label, c.description]), [['go-scratch/Dockerfile:3', 'FROM golang:${GO_VERSION}-bookworm']]);
  });

  it('shows the engine it talks to and its version', async () => {
    // The views follow the engine's state a moment later (changes are gathered for 100 ms).
    const d = await until('the engine shown', async () => { const v = await describeViews(); return v.engine.length > 0 || v.engineState === 'unreachable' ? v : undefined; }, 30_000);
    assert.equal(d.engineState, 'reachable');
    const version = (await connectEngine().version()).Version;
    assert.deepEqual(d.engine.slice(0, 2).map((e) => e.label), [process.env.DOCKER_HOST || 'unix:///var/run/docker.sock', `Docker ${version}`]);
  });

  it('filters: only what matches stays, and the filter clears', async () => {
    const all = (await describeViews()).recipes.length;
    await vscode.commands.executeCommand('ownbase.view.filter', 'focal');
    const filtered = await until('the filter applied', async () => { const v = await describeViews(); return v.recipes.length < all ? v : undefined; }, 10_000);
    assert.deepEqual(filtered.recipes.map((r) => r.label), ['owned/focal:20.04']);
    assert.deepEqual(filtered.bases, []);
    await vscode.commands.executeCommand('ownbase.view.clearFilter');
    assert.equal((await describeViews()).recipes.length, all);
  });

  if (trustMode === 'untrusted') {
    it('refuses the actions that change the engine or run a process in Restricted Mode', async () => {
      assert.equal(await vscode.commands.executeCommand('ownbase.view.pruneImages'), 0);
      assert.equal(await vscode.commands.executeCommand('ownbase.view.runShell', { kind: 'image', image: { id: 'sha256:00', tags: ['x:1'] } }), undefined);
      const recipe = vscode.Uri.file(join(process.env.OWNBASE_TEST_WORKSPACE!, 'bookworm-slim.ownbase.yaml'));
      assert.deepEqual(await vscode.commands.executeCommand('ownbase.checkUpdates', recipe), {
        refused: 'ownbase: Check for Updates is disabled in Restricted Mode: it fetches the package lists of the archives the recipe names. Trust this workspace to fetch package lists.',
      });
    });
  }

  it('New Recipe writes a valid recipe, opens it, and the view lists it', async () => {
    const count = (await describeViews()).recipes.length;
    const uri = await vscode.commands.executeCommand<vscode.Uri>('ownbase.view.newRecipe', { distro: 'debian', suite: 'trixie', arch: 'amd64', variant: 'minbase', packages: ['ca-certificates'] });
    assert.ok(uri && existsSync(uri.fsPath));
    try {
      assert.match(readFileSync(uri.fsPath, 'utf8'), /^image: owned\/trixie:13 /m);
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, uri.fsPath);
      const d = await until('the new recipe listed', async () => { const v = await describeViews(); return v.recipes.length === count + 1 ? v : undefined; }, 20_000);
      const added = d.recipes.find((r) => r.label === 'owned/trixie:13');
      assert.equal(added?.contextValue, 'ownbase.recipe.notBuilt');
      assert.equal(added?.description, 'not built');
      // Check for Updates compares a lock with the archive: offered (`.locked`) once a lock is beside the recipe.
      await vscode.workspace.fs.writeFile(vscode.Uri.file(lockPathFor(uri.fsPath)), new TextEncoder().encode(formatLock({
        version: 1, archive: { distro: 'debian', suite: 'trixie', components: ['main'] },
        packages: [{ name: 'apt', version: '3.0.3', arch: 'amd64', source: 'apt', filename: 'pool/main/a/apt/apt_3.0.3_amd64.deb', size: 1, sha256: 'a'.repeat(64) }],
      })));
      await until('the recipe marked locked', async () => {
        const v = await describeViews();
        return v.recipes.find((r) => r.label === 'owned/trixie:13')?.contextValue === 'ownbase.recipe.notBuilt.locked' ? true : undefined;
      }, 20_000);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      rmSync(uri.fsPath, { force: true });
      rmSync(lockPathFor(uri.fsPath), { force: true });
    }
    await until('the deleted recipe gone', async () => ((await describeViews()).recipes.length === count ? true : undefined), 20_000);
  });

  it('puts the owned image\'s size and age above its FROM line, and Replace / Create owned base above an image not owned', async () => {
    const file = `${process.env.OWNBASE_TEST_WORKSPACE}/owned-app/Dockerfile`;
    // Through VS Code's file system, as a user's save: its watchers see it.
    await vscode.workspace.fs.writeFile(vscode.Uri.file(file), new TextEncoder().encode('# Built with Go, shipped on a base you own.\nFROM golang:1.22-bookworm AS build\nRUN go version\n\nFROM owned/bookworm-slim:12\nCOPY --from=build /usr/local/go/VERSION /VERSION\n'));
    await vscode.workspace.openTextDocument(vscode.Uri.file(file)); // the lens command asks the open document
    const local = await connectEngine().getImage('owned/bookworm-slim:12').inspect().then(() => true, () => false);
    const owned = local ? /^owned · \d+(\.\d+)? (kB|MB|GB) · packages as of (just now|\d+ \w+ ago)$/ : /^owned · not built yet$/;
    let seen: unknown;
    const titles = await until('the FROM lenses', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(file));
      const t = (lenses ?? []).filter((l) => l.command).map((l) => [l.range.start.line, l.command!.title] as const);
      seen = t;
      return t.some(([line, title]) => line === 4 && owned.test(title)) ? t : undefined;
    }, 30_000).catch((e: Error) => { throw new Error(`${e.message}; last seen: ${JSON.stringify(seen)}`); });
    assert.deepEqual(titles.filter(([line]) => line === 1).map(([, title]) => title), ['Replace with owned base', 'Create owned base']);
    assert.deepEqual(titles.filter(([line]) => line === 4).map(([, title]) => title).slice(1), ['Open Recipe']);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(file));
    const reveal = lenses.find((l) => l.range.start.line === 4 && l.command?.command === 'ownbase.view.revealBase')!.command!;
    assert.equal(await vscode.commands.executeCommand(reveal.command, ...(reveal.arguments ?? [])), true, 'the click shows owned/bookworm-slim:12 in Base Images in Use');
    await vscode.commands.executeCommand('workbench.view.extension.ownbase');
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
    await screenshot('owned-bases-view');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('ownbase').update('codeLens.dockerfile', false, vscode.ConfigurationTarget.Workspace);
    try {
      await until('no FROM lenses when switched off', async () => {
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(file));
        return (lenses ?? []).some((l) => l.command?.title === 'Replace with owned base') ? undefined : true;
      }, 10_000);
    } finally {
      await vscode.workspace.getConfiguration('ownbase').update('codeLens.dockerfile', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.workspace.fs.delete(vscode.Uri.file(dirname(file)), { recursive: true });
    }
    await until('the deleted folder\'s Dockerfile gone from the view', async () => ((await describeViews()).bases.some((b) => b.children.some((c) => c.label.startsWith('owned-app/'))) ? undefined : true), 20_000);
  });

  it('an engine that goes away turns the Engine view into its welcome, and back by itself when its socket returns', async function () {
    this.timeout(90_000);
    // The real engine behind a socket of this test's own: closing it is the engine stopping, for the view; the
    // shared engine itself is never stopped.
    const dir = mkdtempSync(join(tmpdir(), 'ownbase-test-view-engine-'));
    const sock = join(dir, 'docker.sock');
    const real = (process.env.DOCKER_HOST || 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
    const conns = new Set<Socket>();
    const forward = (): Promise<Server> => new Promise((resolve, reject) => {
      const server = createServer((c) => {
        const up = connect(real);
        conns.add(c).add(up);
        c.pipe(up).pipe(c);
        const end = (): void => { c.destroy(); up.destroy(); conns.delete(c); conns.delete(up); };
        c.on('error', end).on('close', end);
        up.on('error', end).on('close', end);
      });
      server.once('error', reject).listen(sock, () => resolve(server));
    });
    const stop = async (server: Server): Promise<void> => {
      const closed = new Promise((r) => server.close(r));
      for (const c of conns) c.destroy();
      await closed;
      rmSync(sock, { force: true });
    };
    let server: Server | undefined = await forward();
    const config = vscode.workspace.getConfiguration('ownbase');
    const engineOf = async (kind: string): Promise<Described> => until(`the engine ${kind}`, async () => {
      const v = await describeViews();
      return v.engineState === kind && (kind !== 'reachable' || v.engine[0]?.label === `unix://${sock}`) ? v : undefined;
    }, 30_000);
    try {
      await config.update('docker.host', `unix://${sock}`, vscode.ConfigurationTarget.Global);
      await engineOf('reachable');
      await stop(server);
      server = undefined;
      const gone = await engineOf('unreachable');
      assert.deepEqual(gone.engine, [], 'the Engine view shows its welcome (Retry), not items');
      assert.ok(gone.recipes.length >= RECIPES.length, 'recipes are still listed');
      await vscode.commands.executeCommand('ownbase.engine.focus');
      await screenshot('engine-unreachable');
      assert.equal(await vscode.commands.executeCommand('ownbase.showEngineStatus'), 'unreachable', "the status item's click, which also retries");
      server = await forward(); // no Retry: the socket coming back is enough
      const back = await engineOf('reachable');
      assert.match(back.engine[1]?.label ?? '', /^Docker \S+$/);
    } finally {
      await config.update('docker.host', undefined, vscode.ConfigurationTarget.Global);
      if (server) await stop(server);
      rmSync(dir, { recursive: true, force: true });
    }
    await until('the default engine again', async () => ((await describeViews()).engineState === 'reachable' ? true : undefined), 30_000);
  });

  it('shows the walkthrough to a person (a screenshot saved as a test artifact)', async () => {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', 'ownbase.ownbase#ownYourBaseImage', false);
    await screenshot('walkthrough');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
