import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../src/core/dockerfile/model';
import { splitImageRef, canonicalRepository } from '../../../src/core/kernel/imageRef';
import { expandVariables } from '../../../src/core/dockerfile/expand';

test('stages: names, FROM kinds, COPY --from targets', () => {
  const m = parseDockerfile([
    'ARG BASE=debian',
    'ARG TAG',
    'FROM ${BASE}:bookworm AS build',
    'RUN make',
    'FROM build AS test',
    'FROM $BASE:$TAG',
    'FROM scratch',
    'COPY --from=build /out/app /app',
    'COPY --from=0 /etc/passwd /etc/passwd',
    'COPY --from=alpine:3 /bin/sh /bin/sh',
  ].join('\n'));
  assert.equal(m.stages.length, 4);
  assert.deepEqual(m.stages.map((s) => s.from.kind), ['external', 'stage', 'unresolved', 'scratch']);
  assert.equal(m.stages[0]!.name, 'build');
  assert.equal(m.stages[0]!.from.resolved, 'debian:bookworm');
  assert.deepEqual(m.stages[0]!.from.image, { path: 'debian', tag: 'bookworm' });
  assert.equal(m.stages[1]!.from.stageIndex, 0);
  assert.deepEqual(m.stages[2]!.from.unresolvedArgs, ['TAG']);
  const copies = m.stages[3]!.copyFroms;
  assert.deepEqual(copies.map((c) => [c.from, c.stageIndex, c.sources, c.dest]), [
    ['build', 0, ['/out/app'], '/app'],
    ['0', 0, ['/etc/passwd'], '/etc/passwd'],
    ['alpine:3', undefined, ['/bin/sh'], '/bin/sh'],
  ]);
  assert.deepEqual(copies[0]!.fromRange, { start: { line: 7, character: 12 }, end: { line: 7, character: 17 } });
  assert.deepEqual(m.stages[0]!.range, { start: { line: 2, character: 0 }, end: { line: 3, character: 8 } });
});

test('heredoc bodies are never instructions; lower-case keywords, CRLF and the escape directive are read', () => {
  const text = '# escape=`\r\nfrom debian:bookworm\r\nRUN <<EOF\r\nFROM not-an-instruction\r\nEOF\r\nrun apt-get update && `\r\n  apt-get install -y gcc\r\nFROM busybox:glibc\r\n';
  const m = parseDockerfile(text);
  assert.equal(m.escape, '`');
  assert.equal(m.stages.length, 2);
  assert.deepEqual(m.stages[0]!.instructions.map((i) => i.keyword), ['FROM', 'RUN', 'RUN']);
  assert.deepEqual(m.stages[1]!.from.instruction.range, { start: { line: 7, character: 0 }, end: { line: 7, character: 18 } });
  assert.deepEqual(m.stages[1]!.from.rawRange, { start: { line: 7, character: 5 }, end: { line: 7, character: 18 } });
});

test('--platform is read and the image argument is the one after the flags', () => {
  const m = parseDockerfile('FROM --platform=linux/arm64 registry.example:5000/team/base:1.2@sha256:abc AS b\n');
  const f = m.stages[0]!.from;
  assert.equal(f.platform, 'linux/arm64');
  assert.equal(f.raw, 'registry.example:5000/team/base:1.2@sha256:abc');
  assert.deepEqual(f.image, { registry: 'registry.example:5000', path: 'team/base', tag: '1.2', digest: 'sha256:abc' });
  assert.deepEqual(f.rawRange, { start: { line: 0, character: 28 }, end: { line: 0, character: 74 } });
});

test('image names: engine splitting and one canonical repository', () => {
  assert.deepEqual(splitImageRef('localhost:5000/x'), { registry: 'localhost:5000', path: 'x' });
  assert.deepEqual(splitImageRef('owned/focal:20.04'), { path: 'owned/focal', tag: '20.04' });
  assert.equal(canonicalRepository(splitImageRef('busybox:glibc')), 'docker.io/library/busybox');
  assert.equal(canonicalRepository(splitImageRef('docker.io/library/busybox')), 'docker.io/library/busybox');
  assert.equal(canonicalRepository(splitImageRef('owned/focal:20.04')), 'docker.io/owned/focal');
});

test('variable expansion follows the builder: defaults, alternatives, missing names', () => {
  const vars: Record<string, string> = { A: 'x', EMPTY: '' };
  const look = (n: string) => vars[n];
  assert.deepEqual(expandVariables('$A/${A}:${B:-dflt}', look), { value: 'x/x:dflt', missing: [] });
  assert.deepEqual(expandVariables('${A:+set}${B:+set}', look), { value: 'set', missing: [] });
  assert.deepEqual(expandVariables('img:${TAG}', look), { value: 'img:', missing: ['TAG'] });
});

test('a file with no FROM, only garbage, gives no stages and no exception', () => {
  for (const text of ['', '\n\n', 'RUN x', '\\\n\\\n', 'FROM', 'FROM --platform=x', '\u0000\u0001FROM\u00ff']) {
    const m = parseDockerfile(text);
    assert.ok(Array.isArray(m.stages));
  }
  assert.equal(parseDockerfile('FROM').stages[0]?.from.kind, 'unresolved');
});
