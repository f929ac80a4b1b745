import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { connectEngine } from '../../src/core/engine/connect';
import type { ImportResult } from '../../src/core/engine/import';
import type { ExportResult } from '../../src/core/engine/export';
import { checkRootfs, chrootArgv } from '../../src/extension/commands/enterChroot';
import { cliLaunch, currentRuntime, elevationFor } from '../../src/extension/terminal/cliLaunch';
import { formatBuildEvent, type BuildEventInit } from '../../src/core/run/events';
import { exitStatus, interruptThenTerminate, startProcess, type GroupProcess } from '../../src/core/run/process';
import { runInTerminal } from '../../src/extension/terminal/runInTerminal';
import { RunRegistry } from '../../src/extension/terminal/runs';
import { until } from './until';

const trusted = (process.env.OWNBASE_TEST_TRUST ?? 'trusted') === 'trusted';
const workspace = (): string => process.env.OWNBASE_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders![0]!.uri.fsPath;
const extensionRoot = (): string => vscode.extensions.getExtension('ownbase.ownbase')!.extensionUri.fsPath;
const recipe = (): vscode.Uri => vscode.Uri.file(join(workspace(), 'bookworm-slim.ownbase.yaml'));
const UNREACHABLE = 'Docker engine not reachable at /var/run/ownbase-no-engine.sock: start dockerd or set ownbase.docker.host';

/** The extension's way of running the CLI: the core's process-group runner, stdin open, SIGINT first on cancel. */
function collect(argv: string[], opts: { termAfterMs?: number; killAfterMs?: number } = {}): { proc: GroupProcess; output: () => string } {
  let out = '';
  const proc = startProcess(argv, {
    cwd: tmpdir(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdin: 'pipe', onOutput: (_s, t) => { out += t; },
    cancelSignals: interruptThenTerminate(opts.termAfterMs, opts.killAfterMs),
  });
  return { proc, output: () => out };
}

/** Processes of a process group that are alive (not zombies waiting for their reaper). */
function liveMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      // pid (comm) state ppid pgrp …: comm may hold spaces, so read after its closing parenthesis.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') out.push(Number(pid));
    } catch { /* gone */ }
  }
  return out;
}

async function outputContains(read: () => string, text: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!read().includes(text)) {
    if (Date.now() > deadline) throw new Error(`no "${text}" in: ${read()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('how the terminal runner starts, reads and stops the CLI', () => {
  it('runs the CLI with the node that runs the extension; Electron gets ELECTRON_RUN_AS_NODE', () => {
    const plain = cliLaunch({ runtime: { execPath: '/usr/bin/node', electron: false }, cliPath: '/ext/dist/cli.js', args: ['build', 'a.ownbase.yaml'], env: { PATH: '/usr/bin' }, dockerHost: 'unix:///run/docker.sock' });
    assert.deepEqual(plain.argv, ['/usr/bin/node', '/ext/dist/cli.js', 'build', 'a.ownbase.yaml']);
    assert.deepEqual(plain.env, { PATH: '/usr/bin', DOCKER_HOST: 'unix:///run/docker.sock' });
    assert.equal(plain.elevated, false);
    assert.equal(plain.display, 'ownbase build a.ownbase.yaml');
    const electron = cliLaunch({ runtime: { execPath: '/opt/code/code', electron: true }, cliPath: '/ext/dist/cli.js', args: ['script', 'a.ownbase.yaml'], env: {} });
    assert.deepEqual(electron.env, { ELECTRON_RUN_AS_NODE: '1' });
    assert.equal(currentRuntime().execPath, process.execPath);
  });

  it('elevates through the setting\'s argv: what the CLI needs goes through env(1), never a shell string', () => {
    const l = cliLaunch({
      runtime: { execPath: '/opt/code/code', electron: true }, cliPath: '/ext/dist/cli.js', args: ['build', 'my recipe.ownbase.yaml', '--tag', 'x/y:1'],
      elevation: ['sudo', '-S', '-p', '[sudo] password for %u: '], dockerHost: 'tcp://10.0.0.2:2376', env: { PATH: '/usr/bin', DOCKER_CERT_PATH: '/certs' },
    });
    assert.deepEqual(l.argv, [
      'sudo', '-S', '-p', '[sudo] password for %u: ', 'env', 'ELECTRON_RUN_AS_NODE=1', 'DOCKER_HOST=tcp://10.0.0.2:2376', 'DOCKER_CERT_PATH=/certs',
      '/opt/code/code', '/ext/dist/cli.js', 'build', 'my recipe.ownbase.yaml', '--tag', 'x/y:1',
    ]);
    assert.deepEqual(l.env, { PATH: '/usr/bin', DOCKER_CERT_PATH: '/certs' });
    assert.equal(l.elevated, true);
    assert.equal(l.display, "sudo -S -p '[sudo] password for %u: ' env DOCKER_HOST=tcp://10.0.0.2:2376 DOCKER_CERT_PATH=/certs ownbase build 'my recipe.ownbase.yaml' --tag x/y:1");
    assert.equal(elevationFor(true, ['sudo']), undefined);
    assert.equal(elevationFor(false, []), undefined);
    assert.deepEqual(elevationFor(false, ['pkexec']), ['pkexec']);
  });

  it('cancel sends SIGINT to the process group once, and the process cleans up', async () => {
    const { proc, output } = collect(['sh', '-c', 'trap \'echo "cleaned up"; exit 130\' INT; echo ready; while :; do sleep 0.1; done']);
    await outputContains(output, 'ready');
    proc.cancel();
    proc.cancel();
    const exit = await proc.exited;
    assert.deepEqual(exit, { exitCode: 130, cancelled: true });
    assert.equal(output(), 'ready\ncleaned up\n');
    assert.equal(proc.cancelling, true);
  });

  it('a process that ignores SIGINT and SIGTERM is killed after the grace periods, with its whole group', async () => {
    const { proc, output } = collect(['sh', '-c', 'trap "" INT TERM; echo ready; while :; do sleep 0.1; done'], { termAfterMs: 300, killAfterMs: 700 });
    await outputContains(output, 'ready');
    const started = Date.now();
    proc.cancel();
    const exit = await proc.exited;
    assert.deepEqual(exit, { exitCode: null, signal: 'SIGKILL', cancelled: true });
    assert.equal(exitStatus(exit), 137);
    assert.ok(Date.now() - started >= 650, `killed after ${Date.now() - started} ms, before the grace periods ran out`);
    // `exited` waits for the group to drain; a member the kernel has not torn down yet is polled for, with a deadline.
    await until('the process group to be gone', () => (liveMembers(proc.pid!).length === 0 ? true : undefined), 5_000, 20);
  });

  it('a program that cannot start ends with 127 and says why', async () => {
    const exit = await collect(['/nonexistent/ownbase-elevate']).proc.exited;
    assert.equal(exitStatus(exit), 127);
    assert.match(exit.spawnError ?? '', /ENOENT/);
  });

  it('the chroot shell runs in private mount and PID namespaces, with the mounts of the build', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ownbase-rootfs-'));
    try {
      assert.throws(() => checkRootfs(dir), new RegExp(`^Error: ${dir} is not a root file system \\(no etc/ or bin/sh\\)`));
      assert.throws(() => checkRootfs('relative/rootfs'), /^Error: relative\/rootfs is not an absolute path$/);
      assert.throws(() => checkRootfs('/'), /is the host itself/);
      const argv = chrootArgv(dir, ['sudo']);
      assert.deepEqual(argv.slice(0, 11), ['sudo', 'unshare', '--mount', '--propagation', 'private', '--pid', '--fork', '--kill-child', 'sh', '-c', argv[10]]);
      assert.match(argv[10]!, /^set -eu\nr=\$1; shift\nmount --bind \/dev "\$r\/dev"/);
      assert.deepEqual(argv.slice(11), ['sh', dir, 'env', '-i', 'TERM=xterm-256color', 'HOME=/root', 'LANG=C.UTF-8',
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'debian_chroot=ownbase', '/bin/sh', '-i']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

if (trusted) {
  describe('the commands in a real VS Code (trusted workspace)', () => {
    const docker = connectEngine();
    const stamp = Date.now();
    const cleanup: (() => Promise<unknown>)[] = [];
    const config = (section: string) => vscode.workspace.getConfiguration(section);

    before(async () => { await vscode.extensions.getExtension('ownbase.ownbase')!.activate(); });
    after(async () => {
      for (const c of cleanup.reverse()) await c().catch(() => undefined);
    });

    it('an elevation command gets the password typed in the build terminal, which never shows it', async function () {
      this.timeout(30_000);
      // Stands in for sudo -S: reads a line from stdin, then runs the rest of its argv.
      const fakeSudo = ['sh', '-c', 'printf "[sudo] password for %s: " "$(id -un)" >&2; IFS= read -r pw; [ "$pw" = "$OWNBASE_FAKE_SUDO_PASSWORD" ] || { echo "Sorry, try again." >&2; exit 1; }; exec "$@"', 'fake-sudo'];
      const launch = cliLaunch({
        runtime: currentRuntime(), cliPath: join(extensionRoot(), 'dist', 'cli.js'), args: ['--version'], elevation: fakeSudo,
        env: { ...process.env, OWNBASE_FAKE_SUDO_PASSWORD: 'open sesame' },
      });
      const runs = new RunRegistry();
      const pending = runInTerminal({ name: 'ownbase test: elevation', title: 'ownbase: elevation test', launch, cwd: workspace(), runs });
      const terminal = vscode.window.terminals.find((t) => t.name === 'ownbase test: elevation');
      assert.ok(terminal);
      terminal.sendText('open sesame');
      const r = await pending;
      assert.equal(r.exitCode, 0, r.output);
      assert.match(r.output, /^\[sudo\] password for root: dev$/m);
      assert.ok(!r.output.includes('open sesame'), `the password was echoed:\n${r.output}`);
      assert.equal(runs.active.length, 0);
      terminal.dispose();
    });

    it('a build run is shown from its events with the CLI\'s renderer; other text (a prompt, a malformed line) passes through; typed input reaches stdin', async function () {
      this.timeout(30_000);
      const events: BuildEventInit[] = [
        { type: 'plan', recipe: 'r.ownbase.yaml', image: 'x/y:1', bootstrapTool: 'mmdebstrap', rootfs: '/w/rootfs', keepRootfs: false, fromRootfs: true, mirrorSource: 'default',
          steps: [{ id: 'import', kind: 'import', title: 'import as x/y:1', why: 'because', argv: ['docker', 'import'], needsRoot: true }] },
        { type: 'step-start', id: 'import', phase: 'main', index: 1, total: 1, kind: 'import', title: 'import as x/y:1', why: 'because', commandLine: 'docker import' },
        { type: 'output', id: 'import', phase: 'main', stream: 'stdout', text: 'imported\n' },
        { type: 'step-end', id: 'import', phase: 'main', outcome: 'succeeded', exitCode: 0, seconds: 1.5 },
        { type: 'result', tag: 'x/y:1', seconds: 2, size: 1_000_000, layerGzipSize: 500_000, id: 'sha256:abc' },
      ];
      const lines = events.map((e) => formatBuildEvent(e).trimEnd());
      const malformed = '{"v":1,"type":"output","id":"import"}';
      lines.splice(3, 0, 'not an event', malformed);
      const argv = ['sh', '-c', 'printf "pw: " >&2; IFS= read -r pw; [ "$pw" = secret ] || exit 9; for l in "$@"; do printf "%s\\n" "$l"; done', 'fake-cli', ...lines];
      const seen: string[] = [];
      const runs = new RunRegistry();
      const pending = runInTerminal({
        name: 'ownbase test: events', title: 'ownbase: events test', launch: { argv, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, elevated: false, display: 'fake-cli' },
        cwd: workspace(), runs, onEvent: (e) => seen.push(e.type),
      });
      const terminal = vscode.window.terminals.find((t) => t.name === 'ownbase test: events');
      assert.ok(terminal);
      terminal.sendText('secret');
      const r = await pending;
      assert.equal(r.exitCode, 0, r.output);
      assert.equal(r.output, [
        '$ fake-cli', 'pw: ', '==> [1/1] import as x/y:1', '    because', '$ docker import', 'imported', 'not an event', malformed, '<== exit 0 (1.5 s)', '',
        'built x/y:1 in 2.0 s: 1.0 MB (docker images), 0.5 MB gzip-6 layer (what a registry stores)', '  sha256:abc', '  FROM x/y:1', '',
      ].join('\n'));
      assert.deepEqual(seen, ['plan', 'step-start', 'output', 'step-end', 'result']);
      assert.deepEqual(r.progress, ['[1/1] import as x/y:1']);
      assert.equal(r.image, 'x/y:1');
      assert.equal(r.result?.id, 'sha256:abc');
      assert.equal(r.error, undefined);
      terminal.dispose();
    });

    it('Export as Script (the lens) opens the plan as a POSIX sh script: set -eu, the EXIT trap, the bootstrap command', async function () {
      this.timeout(30_000);
      const doc = await vscode.commands.executeCommand<vscode.TextDocument>('ownbase.exportScript', recipe());
      assert.equal(doc.isUntitled, true);
      assert.equal(doc.languageId, 'shellscript');
      assert.equal(vscode.window.activeTextEditor?.document, doc);
      const text = doc.getText();
      assert.match(text, /^#!\/bin\/sh\n# Builds owned\/bookworm-slim:12 \(debian bookworm amd64, mmdebstrap\) from bookworm-slim\.ownbase\.yaml\./);
      assert.match(text, /^set -eu$/m);
      assert.match(text, /^trap ob_cleanup EXIT$/m);
      assert.match(text, /^unshare --mount --propagation private env DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 LC_ALL=C\.UTF-8 (OWNBASE_SEED_CACHE=\S+ )?mmdebstrap --variant=minbase --arch=amd64 /m);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });

    it('Export as Script follows the build settings: builder, work and cache folders', async function () {
      this.timeout(30_000);
      const work = mkdtempSync('/var/tmp/ownbase-vscode-script-');
      const cache = mkdtempSync('/var/tmp/ownbase-vscode-cache-');
      cleanup.push(async () => { rmSync(work, { recursive: true, force: true }); rmSync(cache, { recursive: true, force: true }); });
      const build = config('ownbase.build');
      await build.update('builder', 'debootstrap', vscode.ConfigurationTarget.Workspace);
      await build.update('workDir', work, vscode.ConfigurationTarget.Global);
      await build.update('cacheDir', cache, vscode.ConfigurationTarget.Global);
      try {
        const doc = await vscode.commands.executeCommand<vscode.TextDocument>('ownbase.exportScript', recipe());
        const text = doc.getText();
        const rootfs = `${work}/ownbase-owned-bookworm-slim-12/rootfs`;
        assert.ok(text.split('\n').some((l) => l.startsWith(`unshare --mount --propagation private debootstrap --variant=minbase --arch=amd64 --components=main bookworm ${rootfs}`)), text);
        assert.match(text, new RegExp(`^sh -c "\\$OB_CACHE_SAVE" sh ${rootfs} ${cache}/debian/bookworm/amd64 bookworm amd64 minbase$`, 'm'));
        assert.doesNotMatch(text, /mmdebstrap/);
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      } finally {
        await build.update('builder', undefined, vscode.ConfigurationTarget.Workspace);
        for (const k of ['workDir', 'cacheDir']) await build.update(k, undefined, vscode.ConfigurationTarget.Global);
      }
    });

    it('Import Folder, Export Container and Commit Container go through the engine', async function () {
      this.timeout(120_000);
      const dir = mkdtempSync(join(tmpdir(), 'ownbase-import-'));
      cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
      const rootfs = join(dir, 'rootfs');
      mkdirSync(join(rootfs, 'etc'), { recursive: true });
      writeFileSync(join(rootfs, 'etc', 'os-release'), 'ID=ownbase-test\n');
      writeFileSync(join(rootfs, 'hello.txt'), 'hello from ownbase\n');
      const imported = `ownbase-vscode-test/imported:${stamp}`;
      cleanup.push(() => docker.getImage(imported).remove({ force: true }));

      const i = await vscode.commands.executeCommand<ImportResult>('ownbase.importFolder', vscode.Uri.file(rootfs), imported);
      assert.equal(i.tag, imported, JSON.stringify(i));
      assert.match(i.id, /^sha256:[0-9a-f]{64}$/);
      const image = await docker.getImage(imported).inspect();
      assert.equal(image.Id, i.id);
      assert.equal(image.Architecture, 'amd64');
      assert.equal(image.Os, 'linux');

      const container = await docker.createContainer({ Image: imported, Cmd: ['/hello.txt'], name: `ownbase-vscode-test-${stamp}` });
      cleanup.push(() => container.remove({ force: true }));
      const dest = join(dir, 'exported');
      const e = await vscode.commands.executeCommand<ExportResult>('ownbase.exportContainer', container.id, dest);
      assert.equal(e.path, dest, JSON.stringify(e));
      assert.equal(readFileSync(join(dest, 'hello.txt'), 'utf8'), 'hello from ownbase\n');
      assert.equal(readFileSync(join(dest, 'etc', 'os-release'), 'utf8'), 'ID=ownbase-test\n');

      const committed = `ownbase-vscode-test/committed:${stamp}`;
      cleanup.push(() => docker.getImage(committed).remove({ force: true }));
      const c = await vscode.commands.executeCommand<{ id: string; tag: string }>('ownbase.commitContainer', `ownbase-vscode-test-${stamp}`, committed, ['CMD ["/hello.txt"]', 'ENV GREETING=hello']);
      assert.equal(c.tag, committed, JSON.stringify(c));
      const ci = await docker.getImage(committed).inspect();
      assert.deepEqual(ci.Config.Cmd, ['/hello.txt']);
      assert.ok(ci.Config.Env?.includes('GREETING=hello'), JSON.stringify(ci.Config.Env));

      assert.deepEqual(await vscode.commands.executeCommand('ownbase.commitContainer', container.id, `${committed}-2`, ['RUN rm -rf /']), {
        error: '--change "RUN rm -rf /": A --change is one Dockerfile instruction: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME or WORKDIR, with its value',
      });
      assert.deepEqual(await vscode.commands.executeCommand('ownbase.importFolder', vscode.Uri.file(rootfs), 'Not A Name'), {
        error: 'Image name "Not A Name" is not valid: an image reference has no spaces',
      });
    });

    it('says which engine is not reachable and what to do', async function () {
      this.timeout(30_000);
      const dockerConfig = config('ownbase.docker');
      await dockerConfig.update('host', 'unix:///var/run/ownbase-no-engine.sock', vscode.ConfigurationTarget.Workspace);
      try {
        const dir = mkdtempSync(join(tmpdir(), 'ownbase-import-'));
        cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
        assert.deepEqual(await vscode.commands.executeCommand('ownbase.importFolder', vscode.Uri.file(dir), 'owned/never:1'), { error: UNREACHABLE });
        assert.deepEqual(await vscode.commands.executeCommand('ownbase.exportContainer', 'any', join(dir, 'out')), { error: UNREACHABLE });
        assert.deepEqual(await vscode.commands.executeCommand('ownbase.commitContainer', 'any', 'owned/never:1', []), { error: UNREACHABLE });
      } finally {
        await dockerConfig.update('host', undefined, vscode.ConfigurationTarget.Workspace);
      }
    });

    it('Cancel Build with nothing running says so', async () => {
      assert.equal(await vscode.commands.executeCommand('ownbase.cancelBuild'), false);
    });
  });
}
