import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { connectEngine } from '../../src/core/engine/connect';
import { mountsUnder } from '../../src/core/run/mounts';
import type { BuildResult } from '../../src/extension/commands/build';
import type { ChrootSession } from '../../src/extension/commands/enterChroot';
import type { DescribedRecipe } from '../../src/extension/testing/register';
import { until } from './until';

const trusted = (process.env.OWNBASE_TEST_TRUST ?? 'trusted') === 'trusted';
const workspace = (): string => process.env.OWNBASE_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders![0]!.uri.fsPath;
const recipe = (): vscode.Uri => vscode.Uri.file(join(workspace(), 'bookworm-slim.ownbase.yaml'));
const RECIPE_IMAGE = 'owned/bookworm-slim:12';
const OWN_COMMANDS = ['ownbase.build', 'ownbase.exportScript', 'ownbase.enterChroot'];

async function ownbaseLenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
  return lenses.filter((l) => OWN_COMMANDS.includes(l.command?.command ?? ''));
}

const tail = (text: string, lines = 40): string => text.split('\n').slice(-lines).join('\n');

/** Processes whose root directory is at or under `dir` (a chroot still running there). */
function processesRootedIn(dir: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const root = readlinkSync(`/proc/${pid}/root`);
      if (root === dir || root.startsWith(`${dir}/`)) out.push(pid);
    } catch { /* gone, or not ours to read */ }
  }
  return out;
}

async function closeTerminal(t: vscode.Terminal): Promise<vscode.TerminalExitStatus | undefined> {
  const closed = new Promise<vscode.TerminalExitStatus | undefined>((resolve) => {
    const sub = vscode.window.onDidCloseTerminal((c) => { if (c === t) { sub.dispose(); resolve(c.exitStatus); } });
  });
  t.sendText('x', false); // "press any key to close"
  return closed;
}

const settings = () => vscode.workspace.getConfiguration('ownbase.build');

if (trusted) {
  describe('Build, Enter Chroot and Cancel in a real VS Code (trusted workspace)', function () {
    let workDir: string;
    let built: BuildResult | undefined;
    const docker = connectEngine();

    before(async () => {
      await vscode.extensions.getExtension('ownbase.ownbase')!.activate();
      workDir = mkdtempSync('/var/tmp/ownbase-vscode-build-');
      await settings().update('workDir', workDir, vscode.ConfigurationTarget.Global);
      await settings().update('keepRootfs', true, vscode.ConfigurationTarget.Global);
    });

    after(async () => {
      await settings().update('workDir', undefined, vscode.ConfigurationTarget.Global);
      await settings().update('keepRootfs', undefined, vscode.ConfigurationTarget.Global);
      if (workDir && mountsUnder(workDir).length === 0) rmSync(workDir, { recursive: true, force: true });
    });

    it('puts ▶ Build, Export as Script and Enter Chroot at the top of a recipe', async () => {
      const lenses = await ownbaseLenses(recipe());
      assert.deepEqual(lenses.map((l) => l.command!.title), ['▶ Build', 'Export as Script', 'Enter Chroot']);
      assert.deepEqual(lenses.map((l) => l.command!.command), OWN_COMMANDS);
      for (const l of lenses) {
        assert.equal(l.range.start.line, 0);
        assert.equal((l.command!.arguments?.[0] as vscode.Uri).fsPath, recipe().fsPath);
      }
    });

    it('builds the bookworm example from its ▶ Build lens: steps in the terminal, exit 0, the image in the engine', async function () {
      this.timeout(10 * 60_000);
      const started = Date.now();
      const lens = (await ownbaseLenses(recipe())).find((l) => l.command!.command === 'ownbase.build')!;
      const result = await vscode.commands.executeCommand<BuildResult>(lens.command!.command, ...(lens.command!.arguments ?? []));
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      assert.equal(result.exitCode, 0, `the build failed after ${seconds} s; the terminal ended with:\n${tail(result.output)}`);
      built = result;
      const out = result.output;
      assert.match(out, /^\$ ownbase build bookworm-slim\.ownbase\.yaml --workdir \/var\/tmp\/ownbase-vscode-build-\w+ --keep-rootfs \/var\/tmp\/ownbase-vscode-build-\w+\/ownbase-rootfs\/bookworm-slim-\d{8}T\d{6}Z$/m);
      assert.match(out, /^==> \[1\/\d\] create \/var\/tmp\/ownbase-vscode-build-\w+\/ownbase-rootfs\/bookworm-slim-/m);
      // A machine that built this package set before restores its rootfs from the cache instead of bootstrapping.
      const fromCache = /^==> \[2\/\d\] rootfs from cache \(key [0-9a-f]{16}\)$/m.test(out);
      if (!fromCache) {
        assert.match(out, /^==> \[2\/\d\] bootstrap debian bookworm amd64 (with bookworm-updates and bookworm-security )?(from the package cache )?\(mmdebstrap\)$/m);
        assert.match(out, /^\$ unshare --mount --propagation private env DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 LC_ALL=C\.UTF-8 (OWNBASE_SEED_CACHE=\S+ )?mmdebstrap --variant=minbase --arch=amd64 /m);
      }
      assert.match(out, /^==> \[\d\/\d\] slim: no docs, man pages, locales, apt lists or caches$/m);
      assert.match(out, /^==> \[(\d)\/\1\] import as owned\/bookworm-slim:12$/m);
      assert.match(out, /^<== exit 0 \(\d+\.\d s\)$/m);
      // Only a bootstrap mounts anything under the rootfs, so only then is there a mount to undo.
      if (!fromCache) assert.match(out, /^--> cleanup: unmount everything under the rootfs$/m);
      assert.match(out, /^built owned\/bookworm-slim:12 in \d+\.\d s: \d+\.\d MB \(docker images\)/m);
      const total = Number(/^==> \[1\/(\d)\]/m.exec(out)![1]);
      assert.equal(result.progress.length, total, `the notification named: ${result.progress.join(' | ')}`);
      assert.match(result.progress[1]!, fromCache ? /^\[2\/\d\] rootfs from cache/ : /^\[2\/\d\] bootstrap debian bookworm amd64/);
      assert.equal(result.progress[total - 1], `[${total}/${total}] import as ${RECIPE_IMAGE}`);
      assert.equal(result.image, RECIPE_IMAGE);
      assert.equal(result.cancelled, false);
      assert.equal(result.error, undefined);
      assert.equal(result.terminal.name, 'ownbase build: bookworm-slim');
      assert.match(result.rootfs ?? '', new RegExp(`^${workDir}/ownbase-rootfs/bookworm-slim-\\d{8}T\\d{6}Z$`));
      assert.ok(existsSync(join(result.rootfs!, 'etc', 'debian_version')), 'the rootfs is kept for Enter Chroot');

      const image = await docker.getImage(RECIPE_IMAGE).inspect();
      // Reproducible: `created` is SOURCE_DATE_EPOCH (the archive's Release date), never the build's clock; that this
      // build made the image is the result event's ID below.
      assert.ok(Date.parse(image.Created) <= started, `${RECIPE_IMAGE} says it was created at ${image.Created}, not at its archive's date`);
      assert.equal(image.Architecture, 'amd64');
      assert.deepEqual(image.Config.Cmd, ['/bin/bash']);
      // The build ran the recipe's checks; the Test Explorer shows them from its check events.
      const reported = await until('the build\'s checks in the Test Explorer', async () => {
        const r = (await vscode.commands.executeCommand<DescribedRecipe[]>('ownbase.testing.describe'))!.find((x) => x.path === recipe().fsPath);
        return r && r.checks.length > 0 && r.checks.every((c) => c.state !== undefined) ? r : undefined;
      }, 30_000);
      assert.deepEqual(reported.checks.map((c) => [c.id, c.state]), ['builtins.apt', 'builtins.loader', 'builtins.setuid', 'builtins.scanners',
        'files[0]', 'metadata.cmd', 'metadata.env'].map((id) => [id, 'passed']), JSON.stringify(reported.checks));
      // The result event and the BuildTracker's state carry the same image.
      assert.equal(result.result?.id, image.Id);
      assert.equal(result.result?.layerDigest, image.RootFS.Layers?.[0]);
      assert.equal(result.result?.keptRootfs, result.rootfs);
      assert.deepEqual(result.state.state === 'succeeded' && [result.state.image, result.state.id], [RECIPE_IMAGE, image.Id]);
      assert.equal(image.Config.Labels?.['dev.ownbase.recipe.path'], 'bookworm-slim.ownbase.yaml');
      assert.deepEqual(mountsUnder(result.rootfs!), []);

      const exit = await closeTerminal(result.terminal);
      assert.equal(exit?.code, 0, 'the terminal closes with the build\'s exit code');
    });

    it('enters the kept rootfs in a terminal with /dev and /proc mounted, and leaves nothing behind when the shell exits', async function () {
      this.timeout(60_000);
      if (!built?.rootfs) this.skip();
      const rootfs = built!.rootfs!;
      const marker = join(rootfs, 'root', 'ownbase-chroot-check');
      const session = vscode.commands.executeCommand<ChrootSession>('ownbase.enterChroot', recipe(), rootfs);
      const terminal = await until('the chroot terminal', () => vscode.window.terminals.find((t) => t.name === 'ownbase chroot: bookworm-slim'), 15_000);
      // Typed into the chroot's shell: PID 1 of its own namespace, with the bind mounts in place.
      terminal.sendText('{ [ "$$" = 1 ] && [ -c /dev/null ] && [ -r /proc/1/status ] && echo "inside $debian_chroot $(cat /etc/debian_version)"; } > /root/ownbase-chroot-check 2>&1; exit');
      const s = await session;
      assert.equal(s.exitCode, 0);
      assert.equal(s.rootfs, rootfs);
      assert.match(readFileSync(marker, 'utf8'), /^inside ownbase 12\.\d+\n$/);
      assert.deepEqual(s.mountsLeft, []);
      assert.deepEqual(mountsUnder(rootfs), []);
      assert.deepEqual(processesRootedIn(rootfs), [], 'no process keeps running inside the rootfs');
    });

    for (const how of ['Cancel Build (what the notification\'s Cancel calls)', 'closing the terminal'] as const) {
      it(`cancels a build by ${how}: exit code 130, no mount left, work folder removed, no image under the tag`, async function () {
        this.timeout(5 * 60_000);
        await settings().update('keepRootfs', false, vscode.ConfigurationTarget.Global);
        const tag = `ownbase-vscode-test/cancelled:${Date.now()}`;
        // force: an image of the same inputs exists (the build above), and an up-to-date build has nothing to cancel.
        const pending = vscode.commands.executeCommand<BuildResult>('ownbase.build', recipe(), { tag, force: true });
        const slug = `ownbase-${tag.replace(/[^A-Za-z0-9._-]+/g, '-')}-`;
        // Cancel once the bootstrap writes into the rootfs.
        await until('the bootstrap writing the rootfs', () => {
          const w = readdirSync(workDir).find((n) => n.startsWith(slug));
          return w && existsSync(join(workDir, w, 'rootfs')) && readdirSync(join(workDir, w, 'rootfs')).length > 0 ? w : undefined;
        }, 120_000);
        if (how === 'closing the terminal') {
          const t = await until('the build terminal', () => vscode.window.terminals.filter((x) => x.name === 'ownbase build: bookworm-slim').at(-1), 5_000);
          t.dispose();
        } else {
          assert.equal(await vscode.commands.executeCommand('ownbase.cancelBuild'), true);
        }
        const result = await pending;
        assert.notEqual(result.exitCode, 0);
        assert.equal(result.exitCode, 130, tail(result.output));
        assert.equal(result.cancelled, true);
        assert.equal(result.error?.code, 'cancelled');
        assert.deepEqual(result.state, { state: 'cancelled', exitCode: 130 });
        assert.match(result.output, how === 'closing the terminal' ? /^ownbase: cancel \(terminal closed\)/m : /^ownbase: cancel \(Cancel Build\)/m);
        assert.match(result.output, /^ownbase: build cancelled after \d+\.\d s; nothing left mounted$/m);
        assert.deepEqual(mountsUnder(workDir), []);
        assert.deepEqual(readdirSync(workDir).filter((n) => n.startsWith(slug)), [], 'the work folder is removed');
        await assert.rejects(docker.getImage(tag).inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
        if (how !== 'closing the terminal') await closeTerminal(result.terminal);
      });
    }
  });
} else {
  describe('Build and the recipe lenses in Restricted Mode', () => {
    before(async () => { await vscode.extensions.getExtension('ownbase.ownbase')!.activate(); });

    it('shows no ownbase CodeLens on a recipe', async () => {
      assert.deepEqual((await ownbaseLenses(recipe())).map((l) => l.command!.title), []);
    });

    for (const [command, action] of [
      ['ownbase.build', 'Build'], ['ownbase.exportScript', 'Export as Script'], ['ownbase.enterChroot', 'Enter Chroot'],
      ['ownbase.importFolder', 'Import Folder'], ['ownbase.exportContainer', 'Export Container'], ['ownbase.commitContainer', 'Commit Container'],
    ] as const) {
      it(`refuses ${command} with a message saying why and what to do`, async () => {
        const result = await vscode.commands.executeCommand(command, recipe());
        assert.deepEqual(result, {
          refused: `ownbase: ${action} is disabled in Restricted Mode: it runs processes as root or changes the Docker engine. Trust this workspace to use it.`,
        });
      });
    }
  });
}
