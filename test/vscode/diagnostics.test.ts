import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

const workspace = () => process.env.OWNBASE_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders![0]!.uri.fsPath;

async function ownbaseDiagnostics(uri: vscode.Uri, until: (ds: vscode.Diagnostic[]) => boolean, timeoutMs = 15_000): Promise<vscode.Diagnostic[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ds = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'ownbase');
    if (until(ds)) return ds;
    if (Date.now() > deadline) throw new Error(`diagnostics of ${uri.fsPath} never matched; last: ${JSON.stringify(ds.map((d) => [d.code, d.range.start.line, d.message]))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? d.code.value : d.code);

describe('diagnostics and quick fixes in a real VS Code', () => {
  before(async () => {
    await vscode.extensions.getExtension('ownbase.ownbase')!.activate();
    await vscode.workspace.getConfiguration('ownbase').update('previewRefactors', false, vscode.ConfigurationTarget.Global);
  });

  it('shows OB101 on the second FROM of the multi-stage example, with the related FROM', async () => {
    const uri = vscode.Uri.file(join(workspace(), 'gcc-hello', 'Dockerfile'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const ds = await ownbaseDiagnostics(uri, (x) => x.some((d) => codeOf(d) === 'OB101'));
    const ob101 = ds.filter((d) => codeOf(d) === 'OB101');
    assert.equal(ob101.length, 1);
    assert.deepEqual([ob101[0]!.range.start.line, ob101[0]!.range.start.character, ob101[0]!.range.end.line, ob101[0]!.range.end.character], [7, 0, 7, 18]);
    assert.equal(ob101[0]!.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(ob101[0]!.message, /pulls 2 external images \(gcc:12, busybox:glibc\)/);
    assert.equal(ob101[0]!.relatedInformation?.[0]?.location.range.start.line, 2);
    assert.deepEqual(ds.filter((d) => codeOf(d) === 'OB103').map((d) => d.range.start.line), [2, 7]);
  });

  it('"Create owned base from this stage" writes the recipe and a one-FROM Dockerfile', async () => {
    const uri = vscode.Uri.file(join(workspace(), 'gcc-hello', 'Dockerfile'));
    const doc = await vscode.workspace.openTextDocument(uri);
    const ds = await ownbaseDiagnostics(uri, (x) => x.some((d) => codeOf(d) === 'OB101'));
    const ob101 = ds.find((d) => codeOf(d) === 'OB101')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, ob101.range);
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Ignore OB101 for this line'), titles.join(' | '));
    const create = actions.find((a) => a.title.startsWith('Create owned base owned/gcc-hello:bookworm'));
    assert.ok(create, `no "Create owned base" among: ${titles.join(' | ')}`);
    assert.equal(create.kind?.value, 'refactor.rewrite');
    assert.ok(await vscode.workspace.applyEdit(create.edit!));
    assert.equal(create.command?.command, 'ownbase.saveCreatedFiles');
    await vscode.commands.executeCommand(create.command.command, ...(create.command.arguments ?? []));
    await doc.save();

    const recipePath = join(workspace(), 'gcc-hello', 'gcc-hello.ownbase.yaml');
    assert.ok(existsSync(recipePath), 'the recipe is written beside the Dockerfile');
    const recipe = readFileSync(recipePath, 'utf8');
    assert.match(recipe, /^image: owned\/gcc-hello:bookworm\s/m);
    assert.match(recipe, /^distro: debian\s/m);
    assert.match(recipe, /^suite: bookworm\s/m);
    assert.match(recipe, /gcc/);
    const text = doc.getText();
    assert.deepEqual(text.split('\n').filter((l) => /^FROM\s/i.test(l)), ['FROM owned/gcc-hello:bookworm']);
    assert.match(text, /RUN gcc -O2 -o hello hello\.c/);
    assert.match(text, /# was: COPY --from=build \/src\/hello \/hello/);
    assert.match(text, /CMD \["\/hello"\]/);
    await ownbaseDiagnostics(uri, (x) => !x.some((d) => codeOf(d) === 'OB101' || codeOf(d) === 'OB103'));
  });

  it('shows OB201 with its range on a recipe with an unknown key', async () => {
    const path = join(workspace(), 'broken.ownbase.yaml');
    writeFileSync(path, 'image: owned/x:1\ndistro: debian\nsuite: bookworm\npakages: [curl]\n');
    const uri = vscode.Uri.file(path);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.languageId, 'ownbase-recipe');
    const ds = await ownbaseDiagnostics(uri, (x) => x.some((d) => codeOf(d) === 'OB201'));
    const d = ds.find((x) => codeOf(x) === 'OB201')!;
    assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [3, 0, 3, 7]);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.match(d.message, /packages/);
  });

  it('OB301 on a script that generates its Dockerfile', async () => {
    const uri = vscode.Uri.file(join(workspace(), 'scripts', 'make-dockerfile.sh'));
    await vscode.workspace.openTextDocument(uri);
    const ds = await ownbaseDiagnostics(uri, (x) => x.length > 0);
    assert.deepEqual(ds.map((d) => [codeOf(d), d.range.start.line]), [['OB301', 4]]);
  });

  it('a rule setting switches a rule off', async () => {
    const uri = vscode.Uri.file(join(workspace(), 'qemu-cross', 'Dockerfile'));
    await vscode.workspace.openTextDocument(uri);
    await ownbaseDiagnostics(uri, (x) => x.some((d) => codeOf(d) === 'OB102'));
    await vscode.workspace.getConfiguration('ownbase').update('rules', { OB102: 'off' }, vscode.ConfigurationTarget.Global);
    try {
      await ownbaseDiagnostics(uri, (x) => x.length > 0 && !x.some((d) => codeOf(d) === 'OB102'));
    } finally {
      await vscode.workspace.getConfiguration('ownbase').update('rules', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
