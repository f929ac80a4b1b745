// `ownbase needs` on programs built here with gcc (examples/hello), resolved against this machine's own
// root: the minimal images run, hold nothing else, and each reported file is needed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from '../../src/cli/run';
import { missingFromOutput } from '../../src/cli/needs';
import { connectEngine, engineReachable } from '../../src/core/engine/connect';
import { importRootfs } from '../../src/core/engine/import';
import { stageImage } from '../../src/core/elf/image';
import { needsOf } from '../../src/core/elf/needs';
import { PackageIndex } from '../../src/core/elf/packages';
import { RootFs } from '../../src/core/elf/root';

const docker = connectEngine();
const run = `${process.pid}`;
const TAGS = { dyn: `ownbase-test-needs-dyn:${run}`, static: `ownbase-test-needs-static:${run}`, nss: `ownbase-test-needs-nss:${run}` };
const removalTag = (i: number): string => `ownbase-test-needs-removed-${i}:${run}`;
const made: string[] = [];
const work = mkdtempSync(join(tmpdir(), 'ownbase-test-needs-'));
const examples = (() => { let d = __dirname; while (!existsSync(join(d, 'package.json'))) d = dirname(d); return join(d, 'examples/hello'); })();
const bin = { dyn: join(work, 'hello'), static: join(work, 'hello-static'), nss: join(work, 'whoami-nss') };

const sh = (cmd: string, args: string[]): { status: number; out: string } => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
};
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd: work, stdout: { write: (s: string) => { stdout += s; } }, stderr: { write: (s: string) => { stderr += s; } } });
  return { code, stdout, stderr };
}
/** The image's files and links, as `docker export` lists them, without what the engine adds to every container. */
function imageEntries(tag: string): string[] {
  const c = sh('docker', ['create', tag]);
  assert.equal(c.status, 0, c.out);
  const id = c.out.trim();
  try {
    const r = spawnSync('sh', ['-c', 'docker export "$1" | tar -tv', 'sh', id], { encoding: 'utf8', maxBuffer: 1 << 26 });
    return r.stdout.split('\n').filter((l) => l.startsWith('-') || l.startsWith('l'))
      .map((l) => l.replace(/^\S+\s+\S+\s+\d+\s+\S+\s+\S+\s+/, '').replace(/ -> .*$/, ''))
      .filter((p) => !/^(\.dockerenv|dev\/|etc\/(hostname|hosts|resolv\.conf|mtab)$)/.test(p)).sort();
  } finally { sh('docker', ['rm', '-f', id]); }
}

before(async () => {
  assert.ok(await engineReachable(docker), 'these tests need the Docker engine (start dockerd)');
  for (const [out, src, extra] of [[bin.dyn, 'hello.c', []], [bin.static, 'hello.c', ['-static']], [bin.nss, 'whoami-nss.c', []]] as const) {
    const r = sh('gcc', [...extra, '-O2', '-o', out, join(examples, src)]);
    assert.equal(r.status, 0, `gcc (build-essential) builds ${src}: ${r.out}`);
  }
});

after(() => {
  const refs = [...Object.values(TAGS), ...made].filter((t) => sh('docker', ['image', 'inspect', t]).status === 0);
  if (refs.length > 0) sh('docker', ['rmi', '-f', ...refs]);
  rmSync(work, { recursive: true, force: true });
});

test('the dynamic hello: its minimal image runs and holds only the binary, the loader, libc, accounts and dpkg metadata', async () => {
  const { code, stdout, stderr } = await cli(['needs', bin.dyn, '--format', 'json', '--image', TAGS.dyn, '--smoke']);
  assert.equal(code, 0, stderr);
  const json = JSON.parse(stdout.slice(0, stdout.lastIndexOf('}') + 1)) as { binaries: { static: boolean; needed: { soname: string; file: string; package: string }[]; missing: unknown[] }[]; packages: { name: string }[] };
  const b = json.binaries[0]!;
  assert.equal(b.static, false);
  assert.deepEqual(b.needed.map((n) => [n.soname.replace(/^ld-linux.*/, 'LOADER'), n.package]), [['LOADER', 'libc6'], ['libc.so.6', 'libc6']]);
  assert.deepEqual(json.packages.map((p) => p.name), ['libc6']);
  assert.match(stdout, /hello from an owned base\n$/);
  assert.equal(sh('docker', ['run', '--rm', TAGS.dyn]).out, 'hello from an owned base\n');
  const root = new RootFs('/');
  // Every symlink the kernel and the loader pass through on the way to a needed file, and the file.
  const chain = (path: string, out: string[]): string => {
    let cur = '/';
    for (const c of path.split('/').filter(Boolean)) {
      const p = cur === '/' ? `/${c}` : `${cur}/${c}`;
      if (root.lstat(p)?.isSymbolicLink()) { out.push(p.slice(1)); cur = chain(root.target(p), out); } else cur = p;
    }
    return cur;
  };
  const paths: string[] = [];
  for (const n of b.needed) paths.push(chain(n.file, paths).slice(1));
  const expected = [...new Set(['usr/local/bin/hello', ...paths, 'etc/passwd', 'etc/group', 'etc/os-release', 'usr/lib/os-release', 'var/lib/dpkg/status.d/libc6', 'var/lib/dpkg/status.d/libc6.md5sums'])].sort();
  assert.deepEqual(imageEntries(TAGS.dyn), expected);
});

test('the status.d entries parse with the project\'s dpkg reader and with dpkg-query --admindir', async () => {
  const dir = join(work, 'dyn-root');
  mkdirSync(dir);
  const c = sh('docker', ['create', TAGS.dyn]);
  try {
    assert.equal(spawnSync('sh', ['-c', 'docker export "$1" | tar -x -C "$2"', 'sh', c.out.trim(), dir]).status, 0);
  } finally { sh('docker', ['rm', '-f', c.out.trim()]); }
  const index = new PackageIndex(new RootFs(dir));
  assert.deepEqual(index.packages.map((p) => [p.name, p.arch]), [['libc6', sh('dpkg', ['--print-architecture']).out.trim()]]);
  const libc = index.packages[0]!;
  assert.ok(libc.files.some((f) => f.endsWith('/libc.so.6')), 'the md5sums name libc.so.6');
  const md5 = readFileSync(join(dir, 'var/lib/dpkg/status.d/libc6.md5sums'), 'utf8').trim().split('\n');
  for (const l of md5) {
    const [sum, path] = l.split(/\s+/) as [string, string];
    assert.equal(sh('md5sum', [join(dir, new RootFs(dir).real(`/${path}`)!)]).out.split(' ')[0], sum, path);
  }
  const admin = join(work, 'admindir');
  mkdirSync(join(admin, 'info'), { recursive: true });
  mkdirSync(join(admin, 'updates'), { recursive: true });
  writeFileSync(join(admin, 'status'), readdirSync(join(dir, 'var/lib/dpkg/status.d')).filter((f) => !f.endsWith('.md5sums'))
    .map((f) => readFileSync(join(dir, 'var/lib/dpkg/status.d', f), 'utf8').trim()).join('\n\n') + '\n');
  const q = sh('dpkg-query', [`--admindir=${admin}`, '-W', '-f', '${Package} ${Version} ${db:Status-Abbrev}\n']);
  assert.equal(q.status, 0, q.out);
  assert.equal(q.out, `libc6 ${libc.version} ii \n`);
});

test('removing any reported file from the image breaks the run, and the failure names the file', async () => {
  const root = new RootFs('/');
  const index = new PackageIndex(root);
  const report = needsOf('/', [{ path: bin.dyn }], { index });
  const needed = report.binaries[0]!.needed;
  assert.equal(needed.length, 2);
  for (const [i, n] of needed.entries()) {
    const stage = mkdtempSync(join(work, 'stage-'));
    const staged = stageImage(report, root, index, stage, { user: 'nonroot', with: [] });
    rmSync(join(stage, root.real(n.file)!));
    const tag = removalTag(i);
    made.push(tag);
    await importRootfs(docker, { rootfs: stage, tag, arch: staged.arch!, config: { entrypoint: [staged.entrypoint] }, labels: {} });
    const r = sh('docker', ['run', '--rm', '--network', 'none', tag]);
    assert.notEqual(r.status, 0, `without ${n.file} the program must not run`);
    const named = missingFromOutput(r.out);
    assert.equal(named === staged.entrypoint ? report.binaries[0]!.interpreter : named, n.soname.startsWith('ld-') ? report.binaries[0]!.interpreter : n.soname, r.out);
  }
});

test('the static hello runs FROM scratch: the binary and the accounts, nothing else', async () => {
  const { code, stdout, stderr } = await cli(['needs', bin.static, '--image', TAGS.static, '--smoke']);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /statically linked: needs nothing but itself \(FROM scratch\)/);
  assert.match(stdout, /hello from an owned base\n$/);
  assert.deepEqual(imageEntries(TAGS.static), ['etc/group', 'etc/passwd', 'usr/local/bin/hello-static']);
  const user = sh('docker', ['image', 'inspect', '-f', '{{.Config.User}}', TAGS.static]).out.trim();
  assert.equal(user, 'nonroot');
  assert.equal(sh('docker', ['run', '--rm', '--entrypoint', '/usr/local/bin/hello-static', TAGS.static]).out, 'hello from an owned base\n');
});

test('the NSS program resolves root by name in its minimal image', async () => {
  const { code, stdout, stderr } = await cli(['needs', bin.nss, '--image', TAGS.nss, '--smoke']);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /nsswitch\.conf +\/etc\/nsswitch\.conf/);
  assert.match(stdout, /uid 0 is root; root is uid 0\n$/);
  assert.equal(sh('docker', ['run', '--rm', '--network', 'none', TAGS.nss]).out, 'uid 0 is root; root is uid 0\n');
});

test('--root IMAGE: the minimal image itself is a root; its status.d names the packages', async () => {
  const { code, stdout, stderr } = await cli(['needs', '/usr/local/bin/hello', '--root', TAGS.dyn, '--format', 'json']);
  assert.equal(code, 0, stderr);
  const json = JSON.parse(stdout) as { binaries: { path: string; needed: { soname: string; package: string | null }[]; missing: unknown[] }[] };
  assert.equal(json.binaries[0]!.path, '/usr/local/bin/hello');
  assert.deepEqual(json.binaries[0]!.needed.map((n) => n.package), ['libc6', 'libc6']);
  assert.deepEqual(json.binaries[0]!.missing, []);
  const none = await cli(['needs', '/usr/local/bin/hello', '--root', `ownbase-test-needs-absent:${run}`]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--root ownbase-test-needs-absent:\d+: /);
});
