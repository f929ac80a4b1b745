import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'ownbase.ownbase';
// Set by scripts/vscode-test.mjs, which runs this suite once per trust mode.
const trustMode = process.env.OWNBASE_TEST_TRUST ?? 'trusted';

function ownbase(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not among the loaded extensions`);
  return ext;
}

describe(`ownbase in a real VS Code (${trustMode} workspace)`, () => {
  it('is loaded from the working tree under test', () => {
    const ext = ownbase();
    assert.equal(ext.packageJSON.publisher, 'ownbase');
    assert.equal(ext.packageJSON.name, 'ownbase');
    if (process.env.OWNBASE_TEST_EXTENSION_ROOT) assert.equal(ext.extensionUri.path, process.env.OWNBASE_TEST_EXTENSION_ROOT);
  });

  it('activates', async () => {
    const ext = ownbase();
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('opened the copy of examples/ as the only workspace folder', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1);
    if (process.env.OWNBASE_TEST_WORKSPACE) assert.equal(folders[0]?.uri.path, process.env.OWNBASE_TEST_WORKSPACE);
  });

  if (trustMode === 'untrusted') {
    it('is in Restricted Mode and still active (untrustedWorkspaces: limited)', async () => {
      assert.equal(vscode.workspace.isTrusted, false);
      const ext = ownbase();
      await ext.activate();
      assert.equal(ext.isActive, true);
      assert.equal(ext.packageJSON.capabilities?.untrustedWorkspaces?.supported, 'limited');
    });
  } else {
    it('is in a trusted workspace', () => {
      assert.equal(vscode.workspace.isTrusted, true);
    });
  }
});
