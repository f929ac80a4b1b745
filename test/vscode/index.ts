// The extension-tests entry point that VS Code loads (test-electron's `run()` contract): it runs every
// *.test.js compiled beside it and settles with the result. The same file serves desktop VS Code and code-server.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';
import * as vscode from 'vscode';

/**
 * Where mocha's report goes. code-server hands the extension host's console to the page mixed with the
 * workbench's own log lines, so the harness passes a tag to mark the report's lines. (The extension host
 * makes `console.*` read-only, so the tests' own console output is not tagged.)
 */
function reportTo(tag: string | undefined): (...args: unknown[]) => void {
  return tag ? (...args) => console.log(tag + format(...args)) : (...args) => console.log(...args);
}

function testFiles(): string[] {
  return readdirSync(__dirname, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => join(__dirname, f));
}

export function run(): Promise<void> {
  Mocha.reporters.Base.consoleLog = reportTo(process.env.OWNBASE_TEST_CONSOLE_TAG);
  process.setSourceMapsEnabled(true); // stack traces name test/vscode/*.ts lines, not the bundle's
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000 });
  const files = testFiles();
  files.forEach((f) => mocha.addFile(f));
  // A test that failed or timed out may leave a build running as root: cancel it (the CLI then undoes its
  // mounts), so it cannot outlive its test. The harness also ends the whole process tree when it stops.
  mocha.suite.afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    await Promise.resolve(vscode.commands.executeCommand('ownbase.cancelBuild')).catch(() => undefined);
  });
  return new Promise<void>((resolve, reject) => {
    if (files.length === 0) {
      reject(new Error(`no *.test.js files in ${__dirname}`));
      return;
    }
    mocha.run((failures) => {
      if (failures > 0) reject(new Error(`${failures} VS Code test(s) failed`));
      else resolve();
    });
  });
}
