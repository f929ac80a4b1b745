import { existsSync, rmSync } from 'node:fs';

/**
 * Asks the harness (scripts/vscode-test.mjs, code-server backend) for a screenshot of the whole workbench as
 * `<artifacts>/<trust mode>-<name>.png` and waits until it is written. Returns its path, or undefined where the
 * backend takes none (desktop VS Code): a screenshot is an artifact for people, never what a test asserts.
 */
export async function screenshot(name: string, timeoutMs = 20_000): Promise<string | undefined> {
  const tag = process.env['OWNBASE_TEST_SCREENSHOT_TAG'];
  const prefix = process.env['OWNBASE_TEST_SCREENSHOT_PREFIX'];
  if (!tag || !prefix) return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`screenshot name "${name}": letters, digits, - and _ only`);
  const file = `${prefix}${name}.png`;
  rmSync(file, { force: true });
  console.log(`${tag}${name}`);
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`screenshot ${name}: ${file} not written within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return file;
}
