import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { runCli } from '../../../src/cli/run';
import { parseInspectArgs } from '../../../src/cli/inspect';
import { sbomFormatOf, takeSbomArgs } from '../../../src/cli/buildSbom';
import { EXPECTED, makeRootfs, tempDir } from './support';

async function cli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { cwd, stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

test('ownbase inspect FOLDER --format json prints the documented shape and exits 0', async () => {
  const dir = tempDir('cli');
  try {
    makeRootfs(dir);
    const r = await cli(['inspect', dir, '--format', 'json'], '/');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.version, 1);
    assert.equal(j.source, `folder:${dir}`);
    assert.deepEqual(j.packages.map((p: { name: string; bytes: number }) => [p.name, p.bytes]),
      [['foo', EXPECTED.foo], ['libc6', EXPECTED.libc6], ['libbar', EXPECTED.libbar], ['vim-tiny', EXPECTED['vim-tiny']], ['coreutils', EXPECTED.coreutils]]);
    const table = await cli(['inspect', dir], '/');
    assert.equal(table.code, 0);
    assert.match(table.out, /^foo\s+1:2\.0-1\s+2\.17 kB\s+3\.07 kB\s+\S+ \S+\s+[\d.]+ kB\s+installed on purpose$/m);
    assert.match(table.out, /editor 400 B: an editor/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('over a limit exits 1 and names it; a bad source exits 2 with the reason', async () => {
  const dir = tempDir('cli-limit');
  try {
    makeRootfs(dir);
    const over = await cli(['inspect', dir, '--format', 'csv', '--max-package', 'foo=0.002', '--max-size', '1'], '/');
    assert.equal(over.code, 1);
    assert.equal(over.err, 'ownbase inspect: package foo is 2.17 kB (2170 bytes), over the limit of 2.00 kB\n');
    const ok = await cli(['inspect', dir, '--format', 'csv', '--max-package', 'foo=0.003'], '/');
    assert.equal(ok.code, 0);
    const bad = await cli(['inspect', 'archive:/nonexistent/x.tar'], '/');
    assert.equal(bad.code, 2);
    assert.equal(bad.err, 'ownbase inspect: /nonexistent/x.tar: no such archive\n');
    const cmp = await cli(['inspect', dir, '--compare', dir, '--format', 'json'], '/');
    assert.equal(cmp.code, 0, cmp.err);
    assert.deepEqual(JSON.parse(cmp.out).compare.packages, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('usage errors: no source, unknown format, bad size, SBOM with --compare', async () => {
  assert.throws(() => parseInspectArgs([]), /what to inspect/);
  assert.throws(() => parseInspectArgs(['x', '--format', 'xml']), /--format must be one of table, json, csv, spdx-json, cyclonedx-json/);
  assert.throws(() => parseInspectArgs(['x', '--max-size', 'big']), /--max-size takes a size in MB/);
  assert.throws(() => parseInspectArgs(['x', '--max-package', 'foo']), /NAME=MB/);
  assert.throws(() => parseInspectArgs(['x', '--compare', 'y', '--format', 'spdx-json']), /drop --compare/);
  assert.deepEqual(parseInspectArgs(['img', '--max-package=libc6=12.5']).limits.packages, new Map([['libc6', 12_500_000]]));
  const r = await cli(['inspect', '--format', 'xml', 'x'], '/');
  assert.equal(r.code, 2);
});

test('--exact asks for gzip -6 of every byte; the default estimates, and the table says which', async () => {
  assert.equal(parseInspectArgs(['img']).exact, false);
  assert.equal(parseInspectArgs(['img', '--exact']).exact, true);
  assert.throws(() => parseInspectArgs(['img', '--exact=yes']), /--exact takes no value/);
  const dir = tempDir('cli-exact');
  try {
    makeRootfs(dir);
    assert.match((await cli(['inspect', dir], '/')).out, /compressed \(gzip -6, estimated from samples\)/);
    assert.match((await cli(['inspect', dir, '--exact'], '/')).out, /compressed \(gzip -6\) /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('build --sbom FILE: the format from the name or --sbom-format; the other arguments pass through', () => {
  assert.equal(sbomFormatOf('out/image.spdx.json'), 'spdx-json');
  assert.equal(sbomFormatOf('bom.cdx.json'), 'cyclonedx-json');
  assert.equal(sbomFormatOf('x.cyclonedx.json'), 'cyclonedx-json');
  assert.equal(sbomFormatOf('sbom.json'), undefined);
  assert.deepEqual(takeSbomArgs(['r.yaml', '--tag', 't:1', '--sbom', 'a.cdx.json']), { rest: ['r.yaml', '--tag', 't:1'], sbom: { file: 'a.cdx.json', format: 'cyclonedx-json' } });
  assert.deepEqual(takeSbomArgs(['--sbom=sbom.json', '--sbom-format=spdx-json', 'r.yaml']), { rest: ['r.yaml'], sbom: { file: 'sbom.json', format: 'spdx-json' } });
  assert.deepEqual(takeSbomArgs(['r.yaml', '--no-cache']), { rest: ['r.yaml', '--no-cache'] });
  assert.throws(() => takeSbomArgs(['r.yaml', '--sbom', 'sbom.json']), /name it \*\.spdx\.json or \*\.cdx\.json/);
  assert.throws(() => takeSbomArgs(['r.yaml', '--sbom']), /--sbom needs a value/);
  assert.throws(() => takeSbomArgs(['r.yaml', '--sbom', 'a.json', '--sbom-format', 'xml']), /--sbom-format must be spdx-json or cyclonedx-json, not 'xml'/);
  assert.throws(() => takeSbomArgs(['r.yaml', '--sbom-format', 'spdx-json']), /--sbom-format needs --sbom FILE/);
});
