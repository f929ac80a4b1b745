import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'ownbase.ownbase';
const trustMode = process.env.OWNBASE_TEST_TRUST ?? 'trusted';

describe(`ownbase in a real VS Code (${trustMode} workspace)`, () => {
  it('is installed from the development path', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not among the loaded extensions`);
    assert.equal(ext.packageJSON.name, 'ownbase');
  });

  it('activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('opened the examples workspace copy', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1);
    assert.equal(folders[0]?.uri.fsPath, process.env.OWNBASE_TEST_WORKSPACE);
  });

  if (trustMode === 'untrusted') {
    it('runs in Restricted Mode and still activates', async () => {
      assert.equal(vscode.workspace.isTrusted, false);
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      await ext?.activate();
      assert.equal(ext?.isActive, true);
    });
  } else {
    it('runs in a trusted workspace', () => {
      assert.equal(vscode.workspace.isTrusted, true);
    });
  }
});
