import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recipeErrors } from '../../../src/core/recipe/validate';
import { lintRecipe } from '../../../src/core/recipe/lint';
import { completeRecipe } from '../../../src/core/recipe/completion';
import { hoverRecipe } from '../../../src/core/recipe/hover';
import { parseVerifySize } from '../../../src/core/recipe/verify';
import { checkRanges, checksOf } from '../../../src/core/checks';

const BASE = { image: 'owned/a:1', distro: 'debian', suite: 'bookworm' };

test('a full verify: section is valid', () => {
  const verify = {
    builtins: { setuid: false },
    commands: [{ name: 'tls', argv: ['openssl', 'version'], exitCode: 0, stdout: ['^OpenSSL 3\\.'], stderrExcludes: ['error'], timeout: 10, user: 'nobody' }],
    files: [{ path: '/etc/ssl/certs/ca-certificates.crt', mode: '0644', owner: 'root:root', contents: ['BEGIN CERTIFICATE'] },
      { path: '/usr/share/doc/*', exists: false }, { path: '/usr/bin/apt-get', executableBy: '65534' }],
    metadata: { env: { LANG: 'C.UTF-8' }, cmd: ['/bin/bash'], entrypoint: [], workdir: '', user: '', exposedPorts: ['2222', '53/udp'], labels: { a: 'b' } },
    size: { max: '100MB', maxCompressed: 31457280 },
  };
  assert.deepEqual(recipeErrors({ ...BASE, verify }), []);
});

test('verify: what the schema and the validator refuse, each at its field', () => {
  const errors = recipeErrors({
    ...BASE,
    verify: {
      commands: [{ argv: [], stdout: ['(unclosed'] }, { argv: ['true'], exitcode: 1 }, { argv: ['true'], timeout: 0 }],
      files: [{ path: 'etc/passwd' }, { path: '/a', mode: 644 }, { path: '/b', exists: false, mode: '0644' }],
      size: { max: '10 parsecs' },
      builtins: { apt: 'yes' },
    },
  }).map((e) => [e.code, e.path.join('.'), e.message]);
  const at = (path: string) => errors.filter((e) => e[1] === path).map((e) => e[2]);
  assert.match(at('verify.commands.0.argv')[0]!, /name the program to run/);
  assert.match(at('verify.commands.0.stdout.0')[0]!, /'\(unclosed' is not a regular expression: .*Unterminated group/);
  assert.match(at('verify.commands.1.exitcode')[0]!, /Unknown field 'exitcode' in verify\.commands\[1\]\. Did you mean 'exitCode'\?/);
  assert.match(at('verify.commands.2.timeout')[0]!, /out of range \(1–3600\)/);
  assert.match(at('verify.files.0.path')[0]!, /A path is absolute/);
  assert.match(at('verify.files.1.mode')[0]!, /expected a string, got a number\. Quote it/);
  assert.match(at('verify.files.2.exists')[0]!, /must be absent has no mode, owner or contents/);
  assert.match(at('verify.size.max')[0]!, /A size is bytes or a number with a unit/);
  assert.match(at('verify.builtins.apt')[0]!, /expected true or false/);
  assert.ok(errors.every((e) => e[0] === 'OB201'));
});

test('a bad verify regex is an OB201 diagnostic at its line', () => {
  const text = 'image: owned/a:1\ndistro: debian\nsuite: bookworm\nverify:\n  commands:\n    - argv: [cat, /etc/debian_version]\n      stdout: ["^12[."]\n';
  const d = lintRecipe(text).filter((x) => x.code === 'OB201');
  assert.equal(d.length, 1);
  assert.deepEqual(d[0]!.range.start, { line: 6, character: 15 });
  assert.equal(d[0]!.severity, 'error');
});

test('sizes: bytes, decimal and binary units', () => {
  assert.equal(parseVerifySize(1234), 1234);
  assert.equal(parseVerifySize('80MB'), 80_000_000);
  assert.equal(parseVerifySize('1.5 GB'), 1_500_000_000);
  assert.equal(parseVerifySize('512KiB'), 524_288);
  assert.equal(parseVerifySize('10 parsecs'), undefined);
});

test('completion and hover come from the schema for verify:', () => {
  const text = 'image: a\nverify:\n  ';
  assert.deepEqual(completeRecipe(text, { line: 2, character: 2 }).map((c) => c.label), ['builtins', 'commands', 'files', 'metadata', 'size']);
  const hover = hoverRecipe('image: a\nverify:\n  size:\n    maxCompressed: 30MB\n', { line: 3, character: 6 });
  assert.match(hover!.markdown, /^\*\*verify\.size\.maxCompressed\*\* — The largest its layer may be gzip-compressed/);
});

test('checksOf: builtins unless switched off, then commands, files, metadata, size, each at its field', () => {
  const checks = checksOf({ verify: {
    builtins: { loader: false, apt: true },
    commands: [{ argv: ['true'] }, { name: 'named', argv: ['x'] }],
    files: [{ path: '/usr/share/doc/*', exists: false }],
    metadata: { user: 'app' },
    size: { maxCompressed: '30MB' },
  } });
  assert.deepEqual(checks.map((c) => [c.id, c.path.join('.'), c.title]), [
    ['builtins.apt', 'verify.builtins.apt', 'builtin: the package manager works'],
    ['builtins.setuid', 'verify.builtins', 'builtin: no setuid or setgid file beyond the installed packages\''],
    ['builtins.scanners', 'verify.builtins', 'builtin: /etc/os-release and the dpkg status are present'],
    ['commands[0]', 'verify.commands.0', 'command: true'],
    ['commands[1]', 'verify.commands.1', 'named'],
    ['files[0]', 'verify.files.0', 'file: /usr/share/doc/* absent'],
    ['metadata.user', 'verify.metadata.user', 'metadata: user'],
    ['size.maxCompressed', 'verify.size.maxCompressed', 'size: compressed at most 30MB'],
  ]);
  assert.deepEqual(checksOf({}).map((c) => c.id), ['builtins.apt', 'builtins.loader', 'builtins.setuid', 'builtins.scanners']);
});

test('checkRanges: each check at its key; default builtins at verify: or the first line', () => {
  const text = 'image: owned/a:1\ndistro: debian\nsuite: bookworm\nverify:\n  commands:\n    - argv: [true]\n    - name: two\n      argv: [x]\n';
  const checks = checksOf({ verify: { commands: [{ argv: ['true'] }, { name: 'two', argv: ['x'] }] } });
  const lines = [...checkRanges(text, checks)].map(([id, r]) => [id, r.start.line + 1]);
  assert.deepEqual(lines, [['builtins.apt', 4], ['builtins.loader', 4], ['builtins.setuid', 4], ['builtins.scanners', 4], ['commands[0]', 6], ['commands[1]', 7]]);
});

test('recipeCheckItems: what the Test Explorer lists, each check at its line; a broken recipe says why', async () => {
  const { recipeCheckItems } = await import('../../../src/core/checks/locate');
  const text = 'image: owned/a:1\ndistro: debian\nsuite: bookworm\nverify:\n  builtins: { setuid: false }\n  files:\n    - path: /etc/os-release\n';
  assert.deepEqual(recipeCheckItems(text).items.map((i) => [i.id, i.title, i.range.start.line]), [
    ['builtins.apt', 'builtin: the package manager works', 4],
    ['builtins.loader', 'builtin: every ELF file under /usr/bin and /usr/lib resolves its libraries', 4],
    ['builtins.scanners', 'builtin: /etc/os-release and the dpkg status are present', 4],
    ['files[0]', 'file: /etc/os-release present', 6],
  ]);
  const broken = recipeCheckItems('image: owned/a:1\nverify:\n  commands: [{ argv: oops }]\n');
  assert.deepEqual(broken.items, []);
  assert.match(broken.error!, /Missing required field 'distro'|expected a list/);
});
