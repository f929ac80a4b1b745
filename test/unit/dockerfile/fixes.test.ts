import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintDockerfile } from './withFixes';
import { applyEdits } from '../../../src/core/kernel/text';
import type { Fix } from '../../../src/core/kernel/diagnostic';
import { parseRecipe } from '../../../src/core/recipe';

const GCC = `# two FROMs
FROM gcc:12 AS build
WORKDIR /src
COPY hello.c .
RUN apt-get update && apt-get install -y --no-install-recommends libssl-dev systemd && rm -rf /var/lib/apt/lists/*
RUN gcc -O2 -o hello hello.c

FROM busybox:glibc
COPY --from=build /src/hello /hello
CMD ["/hello"]
`;

const OWNED_DEBIAN = [{ image: 'owned/bookworm-slim:12', distro: 'debian', suite: 'bookworm', recipePath: '/work/bookworm-slim.ownbase.yaml' }];

function fixesOf(text: string, code: string, opts: { path?: string; existing?: string[]; owned?: typeof OWNED_DEBIAN } = {}): Fix[] {
  const d = lintDockerfile(text, {
    path: opts.path ?? '/work/gcc-hello/Dockerfile', fileExists: (p) => (opts.existing ?? []).includes(p), ownedImages: opts.owned ?? [],
  }).find((x) => x.code === code);
  assert.ok(d, `no ${code}`);
  return [...(d.fixes ?? [])];
}

test('Create owned base: recipe from the image and the installs, one FROM, COPY --from done in place', () => {
  const fix = fixesOf(GCC, 'OB101').find((f) => f.title.startsWith('Create owned base'))!;
  assert.equal(fix.title, 'Create owned base owned/gcc-hello:bookworm from this stage (one FROM instead of 2)');
  assert.equal(fix.kind, 'refactor');
  const [recipe, dockerfile] = fix.changes;
  assert.equal(recipe!.path, '/work/gcc-hello/gcc-hello.ownbase.yaml');
  const parsed = parseRecipe(recipe!.create!.newText);
  assert.deepEqual(parsed.diagnostics, []);
  assert.equal(parsed.recipe?.image, 'owned/gcc-hello:bookworm');
  assert.equal(parsed.recipe?.distro, 'debian');
  assert.equal(parsed.recipe?.suite, 'bookworm');
  assert.deepEqual(parsed.recipe?.packages, ['gcc', 'g++', 'make', 'libc6-dev', 'libssl-dev'], 'systemd is not needed in a container');
  assert.equal(dockerfile!.path, undefined, 'the Dockerfile itself is rewritten');
  assert.equal(applyEdits(GCC, dockerfile!.edits!), `# two FROMs
FROM owned/gcc-hello:bookworm
WORKDIR /src
COPY hello.c .
RUN gcc -O2 -o hello hello.c
WORKDIR /
# was: COPY --from=build /src/hello /hello
RUN if [ -d /src/hello ]; then mkdir -p /hello && cp -a /src/hello/. /hello; else mkdir -p "$(dirname /hello)" && cp -a /src/hello /hello; fi
CMD ["/hello"]
`);
});

test('Create owned base picks a free recipe name and keeps commands chained with the install', () => {
  const text = 'FROM ubuntu:20.04\nRUN apt-get update && apt-get install -y curl && curl -fsSL -o /x https://example.invalid/x\n';
  const fix = fixesOf(text, 'OB103', { path: '/w/api/Dockerfile', existing: ['/w/api/api.ownbase.yaml'] }).find((f) => f.title.startsWith('Create'))!;
  assert.equal(fix.title, 'Create owned base owned/api:focal from this stage');
  assert.equal(fix.changes[0]!.path, '/w/api/api-2.ownbase.yaml');
  const recipe = parseRecipe(fix.changes[0]!.create!.newText).recipe!;
  assert.deepEqual([recipe.distro, recipe.suite, recipe.packages], ['ubuntu', 'focal', ['curl']]);
  assert.equal(applyEdits(text, fix.changes[1]!.edits!), 'FROM owned/api:focal\nRUN curl -fsSL -o /x https://example.invalid/x\n');
});

test('Replace with owned base: a workspace recipe of the same distro family, preferred', () => {
  const fixes = fixesOf(GCC, 'OB103', { owned: OWNED_DEBIAN });
  assert.equal(fixes[0]!.title, 'Replace with owned base owned/bookworm-slim:12');
  assert.equal(fixes[0]!.isPreferred, true);
  assert.equal(applyEdits(GCC, fixes[0]!.changes[0]!.edits!).split('\n')[1], 'FROM owned/bookworm-slim:12 AS build');
  // busybox is not a Debian image: no replacement is offered for it.
  const busybox = lintDockerfile(GCC, { ownedImages: OWNED_DEBIAN }).filter((d) => d.code === 'OB103')[1]!;
  assert.equal(busybox.range.start.line, 7);
  assert.ok(!busybox.fixes?.some((f) => f.title.startsWith('Replace')));
  // Ubuntu images are not replaced by a Debian recipe.
  assert.ok(!fixesOf('FROM ubuntu:22.04\n', 'OB103', { owned: OWNED_DEBIAN }).some((f) => f.title.startsWith('Replace')));
});

test('the qemu-user-static stage is kept when a cross build is collapsed', () => {
  const text = [
    'FROM multiarch/qemu-user-static:x86_64-aarch64 AS qemu',
    'FROM arm64v8/debian:bookworm-slim',
    'COPY --from=qemu /usr/bin/qemu-aarch64-static /usr/bin/qemu-aarch64-static',
    'RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*',
    '',
  ].join('\n');
  const fix = fixesOf(text, 'OB103', { path: '/w/cross/Dockerfile' }).find((f) => f.title.startsWith('Create'))!;
  assert.equal(applyEdits(text, fix.changes[1]!.edits!), [
    'FROM multiarch/qemu-user-static:x86_64-aarch64 AS qemu',
    'FROM owned/cross:bookworm',
    'COPY --from=qemu /usr/bin/qemu-aarch64-static /usr/bin/qemu-aarch64-static',
    '',
  ].join('\n'));
  const recipe = parseRecipe(fix.changes[0]!.create!.newText).recipe!;
  assert.deepEqual([recipe.distro, recipe.suite, recipe.arch, recipe.packages], ['debian', 'bookworm', 'arm64', ['ca-certificates']]);
});

const createFix = (text: string, code = 'OB101') =>
  lintDockerfile(text, { path: '/w/app/Dockerfile', fileExists: () => false }).find((d) => d.code === code)?.fixes?.find((f) => f.title.startsWith('Create'));

test('collapse keeps RUN flags (--mount) and the command\'s own options', () => {
  const text = [
    'FROM debian:bookworm AS build',
    'RUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y --no-install-recommends gcc && make --jobs=4',
    'FROM debian:bookworm-slim',
    'COPY --from=build /out/app /usr/local/bin/',
    '',
  ].join('\n');
  const out = applyEdits(text, createFix(text)!.changes[1]!.edits!);
  assert.match(out, /^RUN --mount=type=cache,target=\/var\/cache\/apt make --jobs=4$/m);
});

test('collapse: a stage built on another resumes its WORKDIR and USER; copies run as root from the stage root', () => {
  const text = [
    'FROM golang:1.22 AS build',
    'WORKDIR /src',
    'FROM debian:bookworm-slim AS assets',
    'WORKDIR /assets',
    'USER nobody',
    'FROM build',
    'COPY --from=assets --chown=app out/index.html static/',
    'RUN ls static',
    '',
  ].join('\n');
  const out = applyEdits(text, createFix(text)!.changes[1]!.edits!);
  assert.equal(out, [
    'FROM owned/app:bookworm',
    'WORKDIR /src',
    'WORKDIR /assets',
    'WORKDIR /src',
    '# was: COPY --from=assets --chown=app out/index.html static/',
    'RUN mkdir -p static/ && for s in /out/index.html; do if [ -d "$s" ]; then cp -a "$s"/. static/ && (cd "$s" && find . -mindepth 1 -maxdepth 1 -exec chown -R app static/{} \\;); ' +
      'else cp -a "$s" static/ && chown -R app static/"$(basename "$s")"; fi; done',
    'RUN ls static',
    '',
  ].join('\n'));
});

test('collapse is not offered when a COPY flag cannot be reproduced in place', () => {
  const text = 'FROM gcc:12 AS build\nRUN make\nFROM busybox:glibc\nCOPY --from=build --chmod=755 /out/app /app\n';
  assert.equal(createFix(text), undefined);
});

test('one default Debian suite: Pin tag of debian:latest and Create owned base of an unsuffixed gcc tag agree', () => {
  const pin = lintDockerfile('FROM debian\n').find((d) => d.code === 'OB104')!.fixes!.find((f) => f.title.startsWith('Pin tag'))!;
  assert.equal(pin.title, 'Pin tag: debian:trixie');
  const create = lintDockerfile('FROM gcc:14\nRUN make\n', { path: '/w/app/Dockerfile', fileExists: () => false })
    .find((d) => d.code === 'OB103')!.fixes!.find((f) => f.title.startsWith('Create'))!;
  assert.equal(create.title, 'Create owned base owned/app:trixie from this stage');
  assert.equal(parseRecipe(create.changes[0]!.create!.newText).recipe?.suite, 'trixie');
});

const VENV = [
  'FROM python:3.12-slim-bookworm AS build-venv',
  'RUN python3 -m venv /venv && /venv/bin/pip install --disable-pip-version-check flask',
  'FROM python:3.12-slim-bookworm',
  'COPY --from=build-venv --chown=app /venv /venv',
  'COPY app.py /app/app.py',
  'RUN /usr/local/bin/python -m compileall /app && /venv/bin/python -c "import flask"',
  'ENTRYPOINT ["/usr/local/bin/python", "/app/app.py"]',
  '',
].join('\n');

test('collapse drops a copy whose source is its own destination (cp -a /venv/. /venv would fail), keeping --chown', () => {
  const out = applyEdits(VENV, createFix(VENV)!.changes[1]!.edits!);
  const lines = out.split('\n');
  assert.equal(lines[2], '# was: COPY --from=build-venv --chown=app /venv /venv (the same path once the stages are one: nothing to copy)');
  assert.equal(lines[3], "RUN chown -R app /venv");
  assert.doesNotMatch(out, /cp -a/);
  // Relative to the WORKDIR, the same: `COPY --from=b out /srv/out` after `WORKDIR /srv` copies onto itself.
  const rel = 'FROM golang:1.22 AS b\nWORKDIR /srv\nRUN make\nFROM b\nWORKDIR /srv\nCOPY --from=b /srv/out out\n';
  assert.match(applyEdits(rel, createFix(rel)!.changes[1]!.edits!), /^# was: COPY --from=b \/srv\/out out \(the same path once the stages are one: nothing to copy\)$/m);
  // A different destination is still copied.
  const other = VENV.replace('/venv /venv', '/venv /opt/venv');
  assert.match(applyEdits(other, createFix(other)!.changes[1]!.edits!), /cp -a \/venv\/\. \/opt\/venv/);
});

test('collapse notes each /usr/local path only the upstream image had, at the line that uses it', () => {
  const out = applyEdits(VENV, createFix(VENV)!.changes[1]!.edits!);
  const lines = out.split('\n');
  const note = '# ownbase: check /usr/local/bin/python: python:3.12-slim-bookworm has it, but Debian packages install nothing under /usr/local, so the owned base will not';
  assert.deepEqual(lines.flatMap((l, i) => (l === note ? [i] : [])), [5, 7]);
  assert.match(lines[6]!, /^RUN \/usr\/local\/bin\/python -m compileall/);
  assert.match(lines[8]!, /^ENTRYPOINT \["\/usr\/local\/bin\/python"/);
  // A /usr/local path the file itself puts there is not noted.
  const own = 'FROM gcc:12 AS build\nRUN make\nFROM debian:bookworm-slim\nCOPY --from=build /out/app /usr/local/bin/app\nCMD ["/usr/local/bin/app"]\n';
  assert.doesNotMatch(applyEdits(own, createFix(own)!.changes[1]!.edits!), /# ownbase: check/);
});
