import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedTag, formatJunit, imageFacts, reportOf, userSpec, type CheckResult } from '../../../src/core/checks';

// sax (the XML parser xml2js uses) reads the JUnit file back as a CI system would: strictly.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sax = require('sax') as { parser(strict: boolean): SaxParser };
interface SaxParser {
  onopentag: (tag: { name: string; attributes: Record<string, string> }) => void;
  onclosetag: (name: string) => void;
  ontext: (text: string) => void;
  onerror: (err: Error) => void;
  write(xml: string): { close(): void };
}

interface Element { name: string; attributes: Record<string, string>; children: Element[]; text: string }

function parseXml(xml: string): Element {
  const p = sax.parser(true);
  const root: Element = { name: '#document', attributes: {}, children: [], text: '' };
  const stack = [root];
  p.onopentag = (t) => { const e = { name: t.name, attributes: t.attributes, children: [], text: '' }; stack.at(-1)!.children.push(e); stack.push(e); };
  p.onclosetag = () => { stack.pop(); };
  p.ontext = (t) => { stack.at(-1)!.text += t; };
  p.onerror = (e) => { throw e; };
  p.write(xml).close();
  return root.children[0]!;
}

const result = (id: string, status: CheckResult['status'], message: string, extra: Partial<CheckResult> = {}): CheckResult =>
  ({ id, kind: 'command', title: `title of ${id}`, path: [], status, message, durationMs: 1500, ...extra });

test('JUnit: parsed back, the suite counts, the cases, the failure and skip messages (escaped text survives)', () => {
  const nasty = 'stdout does not match /^<ok> & "fine"$/\u0007';
  const report = reportOf('owned/base:1', 'engine', [
    result('builtins.apt', 'passed', 'apt 2.6'),
    result('commands[0]', 'failed', `${nasty}\nstdout:\n12.5`, { expected: 'stdout matching /^11/', actual: 'stdout:\n12.5' }),
    result('metadata.user', 'skipped', 'a rootfs has no image configuration'),
  ], 4500, 'examples/a.ownbase.yaml');
  const doc = parseXml(formatJunit([report], new Map([['commands[0]', 12]])));
  assert.equal(doc.name, 'testsuites');
  assert.deepEqual([doc.attributes['tests'], doc.attributes['failures'], doc.attributes['skipped']], ['3', '1', '1']);
  const [suite] = doc.children;
  assert.equal(suite!.name, 'testsuite');
  assert.deepEqual([suite!.attributes['name'], suite!.attributes['tests'], suite!.attributes['failures'], suite!.attributes['skipped'], suite!.attributes['time']],
    ['owned/base:1', '3', '1', '1', '4.500']);
  const cases = suite!.children;
  assert.deepEqual(cases.map((c) => [c.name, c.attributes['name'], c.children.map((x) => x.name).join()]), [
    ['testcase', 'builtins.apt: title of builtins.apt', ''],
    ['testcase', 'commands[0]: title of commands[0]', 'failure'],
    ['testcase', 'metadata.user: title of metadata.user', 'skipped'],
  ]);
  const failure = cases[1]!.children[0]!;
  assert.equal(failure.attributes['message'], 'stdout does not match /^<ok> & "fine"$/', 'the first line, the control character dropped');
  assert.equal(failure.text, 'stdout does not match /^<ok> & "fine"$/\nstdout:\n12.5\n\nexpected:\nstdout matching /^11/\n\nactual:\nstdout:\n12.5');
  assert.deepEqual([cases[1]!.attributes['file'], cases[1]!.attributes['line']], ['examples/a.ownbase.yaml', '12']);
  assert.equal(cases[2]!.children[0]!.attributes['message'], 'a rootfs has no image configuration');
});

test('failedTag keeps the repository and registry, and suffixes the tag', () => {
  assert.equal(failedTag('owned/bookworm-slim:12'), 'owned/bookworm-slim:12-failed');
  assert.equal(failedTag('owned/base'), 'owned/base:latest-failed');
  assert.equal(failedTag('registry.example:5000/base/deb:1.2'), 'registry.example:5000/base/deb:1.2-failed');
  assert.equal(failedTag(`a:${'t'.repeat(128)}`).length, 'a:'.length + 128, 'a tag stays within 128 characters');
});

test('imageFacts: the engine config normalised (env split at the first =, ports sorted, absent lists empty)', () => {
  assert.deepEqual(imageFacts({ Env: ['PATH=/usr/bin', 'A=b=c'], Cmd: ['/bin/bash'], Entrypoint: null, WorkingDir: '', User: 'app',
    ExposedPorts: { '53/udp': {}, '2222/tcp': {} }, Labels: { x: 'y' } }), {
    env: { PATH: '/usr/bin', A: 'b=c' }, labels: { x: 'y' }, exposedPorts: ['2222/tcp', '53/udp'], cmd: ['/bin/bash'], entrypoint: [], workdir: '', user: 'app',
  });
});

test('userSpec resolves names in the rootfs (never the host), with the user\'s groups', () => {
  const root = mkdtempSync(join(tmpdir(), 'ownbase-userspec-'));
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\napp:x:1234:1234::/app:/bin/sh\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\napp:x:1234:\nshadow:x:42:app\nstaff:x:50:other,app\n');
  assert.deepEqual(userSpec(root, 'app'), ['--userspec=1234:1234', '--groups=1234,42,50']);
  assert.deepEqual(userSpec(root, 'app:staff'), ['--userspec=1234:50', '--groups=50,42']);
  assert.deepEqual(userSpec(root, '4321'), ['--userspec=4321:4321', '--groups=4321']);
  assert.throws(() => userSpec(root, 'nobody'), /no user nobody in .*etc\/passwd/);
});
