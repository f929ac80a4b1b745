import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as vscode from 'vscode';
import { connectEngine } from '../../src/core/engine/connect';
import type { DescribedItem } from '../../src/extension/tree/register';

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
const BASES = ['arm64v8/debian:bookworm-slim', 'busybox:glibc', 'gcc:12', 'golang:1.22-bookworm', 'multiarch/qemu-user-static:x86_64-aarch64'];

describe(`the Owned Bases view (${trustMode} workspace)`, () => {
  before(async () => { await vscode.extensions.getExtension('ownbase.ownbase')!.activate(); });

  it('lists the example recipes with a state, and the base images the example Dockerfiles start FROM, none owned', async () => {
    const d = await until('the four example recipes', async () => { const v = await describeViews(); return v.recipes.length === 4 ? v : undefined; }, 30_000);
    assert.deepEqual(d.recipes.map((r) => r.label).sort(), RECIPES);
    for (const r of d.recipes) assert.match(r.contextValue ?? '', /^ownbase\.recipe\.(notBuilt|built|outdated|unknown|building)$/, r.label);
    assert.deepEqual(d.bases.map((b) => b.label).sort(), BASES);
    assert.deepEqual(d.bases.map((b) => b.contextValue), BASES.map(() => 'ownbase.base.notOwned'));
    const gcc = d.bases.find((b) => b.label === 'gcc:12')!;
    assert.deepEqual(gcc.children.map((c) => [c.label, c.description]), [['gcc-hello/Dockerfile:3', 'FROM gcc:12']]);
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
    await vscode.commands.executeCommand('ownbase.view.filter', 'focal');
    const filtered = await until('the filter applied', async () => { const v = await describeViews(); return v.recipes.length === 1 ? v : undefined; }, 10_000);
    assert.deepEqual(filtered.recipes.map((r) => r.label), ['owned/focal:20.04']);
    assert.deepEqual(filtered.bases, []);
    await vscode.commands.executeCommand('ownbase.view.clearFilter');
    assert.equal((await describeViews()).recipes.length, 4);
  });

  if (trustMode === 'untrusted') {
    it('refuses the actions that change the engine or run a process in Restricted Mode', async () => {
      assert.equal(await vscode.commands.executeCommand('ownbase.view.pruneImages'), 0);
      assert.equal(await vscode.commands.executeCommand('ownbase.view.runShell', { kind: 'image', image: { id: 'sha256:00', tags: ['x:1'] } }), undefined);
    });
  }

  it('New Recipe writes a valid recipe, opens it, and the view lists it', async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri>('ownbase.view.newRecipe', { distro: 'debian', suite: 'trixie', arch: 'amd64', variant: 'minbase', packages: ['ca-certificates'] });
    assert.ok(uri && existsSync(uri.fsPath));
    try {
      assert.match(readFileSync(uri.fsPath, 'utf8'), /^image: owned\/trixie:13 /m);
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, uri.fsPath);
      const d = await until('the new recipe listed', async () => { const v = await describeViews(); return v.recipes.length === 5 ? v : undefined; }, 20_000);
      const added = d.recipes.find((r) => r.label === 'owned/trixie:13');
      assert.equal(added?.contextValue, 'ownbase.recipe.notBuilt');
      assert.equal(added?.description, 'not built');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      rmSync(uri.fsPath, { force: true });
    }
    await until('the deleted recipe gone', async () => ((await describeViews()).recipes.length === 4 ? true : undefined), 20_000);
  });
});
