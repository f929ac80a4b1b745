import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintDockerfile } from './withFixes';
import { lintShellScript } from '../../../src/core/shell/lint';
import { applyEdits } from '../../../src/core/kernel/text';
import type { Diagnostic } from '../../../src/core/kernel/diagnostic';

const GCC = [
  'FROM gcc:12 AS build',
  'WORKDIR /src',
  'COPY hello.c .',
  'RUN gcc -O2 -o hello hello.c',
  '',
  'FROM busybox:glibc',
  'COPY --from=build /src/hello /hello',
  'CMD ["/hello"]',
].join('\n');

const codes = (ds: readonly Diagnostic[]) => ds.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`);

test('OB101 on every FROM after the first, naming the cost and the external images', () => {
  const ds = lintDockerfile(GCC).filter((d) => d.code === 'OB101');
  assert.equal(ds.length, 1);
  const d = ds[0]!;
  assert.equal(d.severity, 'warning');
  assert.deepEqual(d.range, { start: { line: 5, character: 0 }, end: { line: 5, character: 18 } });
  assert.match(d.message, /^FROM 2 of 2: each FROM adds dependencies, vulnerabilities and code to maintain/);
  assert.match(d.message, /pulls 2 external images \(gcc:12, busybox:glibc\)/);
  assert.deepEqual(d.related?.map((r) => [r.range.start.line, r.message]), [[0, 'FROM gcc:12 AS build']]);
});

test('OB103 on external images no recipe builds; a recipe or an ownedImages pattern owns them', () => {
  assert.deepEqual(codes(lintDockerfile(GCC).filter((d) => d.code === 'OB103')), ['OB103@0:5', 'OB103@5:5']);
  const owned = lintDockerfile(GCC, {
    ownedImages: [{ image: 'docker.io/library/gcc:13', distro: 'debian', suite: 'bookworm', recipePath: '/w/gcc.ownbase.yaml' }],
    ownedPatterns: ['busy*'],
  });
  assert.deepEqual(owned.filter((d) => d.code === 'OB103'), []);
});

test('OB102: the qemu-user-static stage is the accepted exception and gets no OB101', () => {
  const text = [
    'FROM multiarch/qemu-user-static:x86_64-aarch64 AS qemu',
    'FROM arm64v8/debian:bookworm-slim',
    'COPY --from=qemu /usr/bin/qemu-aarch64-static /usr/bin/qemu-aarch64-static',
    'RUN apt-get update',
  ].join('\n');
  const ds = lintDockerfile(text);
  assert.deepEqual(codes(ds), ['OB102@0:0', 'OB103@1:5']);
  assert.match(ds[0]!.message, /deprecated upstream/);
  assert.match(ds[0]!.message, /binfmt/);
  assert.match(ds[0]!.message, /--foreign/);
  // The same image not copied from is an ordinary second FROM.
  const notCopied = lintDockerfile('FROM multiarch/qemu-user-static AS qemu\nFROM debian:bookworm\n');
  assert.deepEqual(codes(notCopied), ['OB103@0:5', 'OB104@0:5', 'OB101@1:0', 'OB103@1:5']);
  assert.ok(!codes(notCopied).some((c) => c.startsWith('OB102')));
});

test('OB104: no tag or latest after ARG resolution; a digest pins; the fix pins the tag', () => {
  const text = 'ARG BASE=debian\nFROM ${BASE}\nFROM debian:latest\nFROM debian@sha256:0123\nFROM debian:trixie\n';
  const ds = lintDockerfile(text, { rules: { OB101: 'off', OB103: 'off' } });
  assert.deepEqual(codes(ds), ['OB104@1:5', 'OB104@2:5']);
  assert.match(ds[0]!.message, /has no tag/);
  assert.match(ds[1]!.message, /uses the tag latest/);
  assert.equal(ds[0]!.fixes?.some((f) => f.title.startsWith('Pin tag')), false, 'a FROM written with ARGs is not rewritten');
  const pin = ds[1]!.fixes!.find((f) => f.title.startsWith('Pin tag'))!;
  assert.equal(pin.safe, true);
  assert.equal(applyEdits(text, pin.changes[0]!.edits!), text.replace('FROM debian:latest', 'FROM debian:trixie'));
});

test('OB104 pins to the tag the workspace recipe builds', () => {
  const text = 'FROM owned/bookworm-slim\n';
  const ds = lintDockerfile(text, { ownedImages: [{ image: 'owned/bookworm-slim:12', distro: 'debian', suite: 'bookworm', recipePath: '/w/r.ownbase.yaml' }] });
  assert.deepEqual(codes(ds), ['OB104@0:5']);
  assert.equal(applyEdits(text, ds[0]!.fixes![0]!.changes[0]!.edits!), 'FROM owned/bookworm-slim:12\n');
});

test('OB105: an ARG with no default in FROM', () => {
  const ds = lintDockerfile('ARG TAG\nFROM debian:${TAG}\n');
  const d = ds.find((x) => x.code === 'OB105')!;
  assert.deepEqual(d.range, { start: { line: 1, character: 5 }, end: { line: 1, character: 18 } });
  assert.match(d.message, /\$TAG with no default/);
  const undeclared = lintDockerfile('FROM debian:${NOPE}\n').find((x) => x.code === 'OB105')!;
  assert.match(undeclared.message, /not declared by an ARG before the first FROM/);
});

test('suppression comment on the line above and per-rule severity settings', () => {
  const text = 'FROM gcc:12 AS build\n# ownbase-ignore OB101, OB103\nFROM busybox:glibc\n';
  const ds = lintDockerfile(text);
  assert.deepEqual(codes(ds), ['OB103@0:5']);
  const raised = lintDockerfile(GCC, { rules: { OB101: 'error', OB103: 'off' } });
  assert.deepEqual(raised.map((d) => [d.code, d.severity]), [['OB101', 'error']]);
});

test('every diagnostic offers "Ignore OBxxx for this line", which suppresses it', () => {
  const d = lintDockerfile(GCC).find((x) => x.code === 'OB101')!;
  const ignore = d.fixes!.find((f) => f.title === 'Ignore OB101 for this line')!;
  const fixed = applyEdits(GCC, ignore.changes[0]!.edits!);
  assert.equal(fixed.split('\n')[5], '# ownbase-ignore OB101');
  assert.deepEqual(lintDockerfile(fixed).filter((x) => x.code === 'OB101'), []);
});

test('OB301: a heredoc that writes a Dockerfile with shell variables', () => {
  const script = '#!/bin/sh\nset -eu\ncat > Dockerfile.generated <<EOF\nFROM $BASE\nRUN apt-get install -y ${PKGS}\nEOF\ndocker build .\n';
  const ds = lintShellScript(script);
  assert.deepEqual(codes(ds), ['OB301@2:0']);
  assert.deepEqual(ds[0]!.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 32 } });
  assert.match(ds[0]!.message, /generates Dockerfile\.generated .*\(\$BASE, \$\{PKGS\)/);
  assert.deepEqual(lintShellScript("cat > Dockerfile <<'EOF'\nFROM $BASE\nEOF\n"), [], 'a quoted delimiter expands nothing');
  assert.deepEqual(lintShellScript('cat > notes.txt <<EOF\n$X\nEOF\n'), []);
  assert.deepEqual(codes(lintShellScript('cat <<-EOF | tee build/app.Dockerfile\n\tFROM $B\n\tEOF\n')), ['OB301@0:0']);
});

test('a second "Ignore" adds its code to the comment above, so both stay suppressed; CRLF files keep CRLF', () => {
  const text = 'FROM alpine\r\n';
  const first = lintDockerfile(text).find((d) => d.code === 'OB103')!.fixes!.find((f) => f.title === 'Ignore OB103 for this line')!;
  const once = applyEdits(text, first.changes[0]!.edits!);
  assert.equal(once, '# ownbase-ignore OB103\r\nFROM alpine\r\n');
  const second = lintDockerfile(once).find((d) => d.code === 'OB104')!.fixes!.find((f) => f.title === 'Ignore OB104 for this line')!;
  const twice = applyEdits(once, second.changes[0]!.edits!);
  assert.equal(twice, '# ownbase-ignore OB103, OB104\r\nFROM alpine\r\n');
  assert.deepEqual(lintDockerfile(twice), []);
});

test('"<<" inside quotes or arithmetic opens no heredoc; an unterminated one swallows nothing', () => {
  const text = 'FROM debian:bookworm\nRUN echo "use <<EOF to start a heredoc" && echo $((1<<FOO))\nFROM alpine:latest\nFROM busybox\n';
  assert.deepEqual(codes(lintDockerfile(text)).filter((c) => c.startsWith('OB101')), ['OB101@2:0', 'OB101@3:0']);
  const open = 'FROM debian:bookworm\nRUN cat <<EOF\nFROM alpine:latest\n';
  assert.deepEqual(codes(lintDockerfile(open)).filter((c) => c.startsWith('OB101')), ['OB101@2:0']);
});

test('OB101 is information once every FROM is owned: a recipe, an ownedImages pattern, scratch or an earlier stage', () => {
  const text = 'FROM owned/build:12 AS build\nRUN make\nFROM build AS test\nRUN make test\nFROM scratch\nCOPY --from=build /out/app /app\n';
  const owned = { ownedImages: [{ image: 'owned/build:12', distro: 'debian', suite: 'bookworm', recipePath: '/w/build.ownbase.yaml' }], ownedPatterns: [] };
  const ds = lintDockerfile(text, owned).filter((d) => d.code === 'OB101');
  assert.deepEqual(ds.map((d) => [d.range.start.line, d.severity]), [[2, 'information'], [4, 'information']]);
  assert.match(ds[0]!.message, /^FROM 2 of 3: every FROM in this file is owned/);
  // One FROM not owned: back to a warning on every FROM after the first, as before.
  const mixed = lintDockerfile(text.replace('FROM scratch', 'FROM busybox:glibc'), owned).filter((d) => d.code === 'OB101');
  assert.deepEqual(mixed.map((d) => d.severity), ['warning', 'warning']);
  // A pattern owns the image just as a recipe does; the user's configured severity still wins.
  const byPattern = lintDockerfile(text, { ownedImages: [], ownedPatterns: ['owned/*'] }).filter((d) => d.code === 'OB101');
  assert.deepEqual(byPattern.map((d) => d.severity), ['information', 'information']);
  const raised = lintDockerfile(text, { ...owned, rules: { OB101: 'error' } }).filter((d) => d.code === 'OB101');
  assert.deepEqual(raised.map((d) => d.severity), ['error', 'error']);
});
