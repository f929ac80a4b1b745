import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

const workspace = () => process.env.OWNBASE_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders![0]!.uri.fsPath;

async function until<T>(what: string, get: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: never happened; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the recipe editor and source.fixAll.ownbase', () => {
  before(async () => { await vscode.extensions.getExtension('ownbase.ownbase')!.activate(); });

  it('source.fixAll.ownbase pins an unpinned base', async () => {
    const path = join(workspace(), 'fixall', 'Dockerfile');
    await vscode.workspace.fs.createDirectory(vscode.Uri.file(join(workspace(), 'fixall')));
    writeFileSync(path, 'FROM debian:latest\nRUN true\n');
    const uri = vscode.Uri.file(path);
    const doc = await vscode.workspace.openTextDocument(uri);
    await until('OB104 on the Dockerfile', () => vscode.languages.getDiagnostics(uri).map((d) => d.code), (c) => c.includes('OB104'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider', uri, new vscode.Range(0, 0, 0, 0), 'source.fixAll.ownbase');
    const fixAll = actions.find((a) => a.kind?.value === 'source.fixAll.ownbase');
    assert.ok(fixAll, `no fix-all among ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(fixAll.edit!));
    assert.equal(doc.getText(), 'FROM debian:trixie\nRUN true\n');
  });

  it('completes suites of the recipe\'s distro and hovers with the schema', async () => {
    const path = join(workspace(), 'complete.ownbase.yaml');
    writeFileSync(path, 'image: owned/c:1\ndistro: ubuntu\nsuite: \n');
    const uri = vscode.Uri.file(path);
    await vscode.workspace.openTextDocument(uri);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, new vscode.Position(2, 7));
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('noble') && labels.includes('jammy') && labels.includes('focal'), labels.join(' '));
    assert.ok(!labels.includes('bookworm'), 'Debian suites are not offered for an Ubuntu recipe');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(1, 2));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*distro\*\*/);
  });
});
