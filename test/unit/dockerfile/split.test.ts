import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { lintDockerfile } from './withFixes';
import { applyEdits } from '../../../src/core/kernel/text';
import type { Fix } from '../../../src/core/kernel/diagnostic';
import { parseRecipe } from '../../../src/core/recipe';
import { recipeErrors } from '../../../src/core/recipe/validate';

const examples = (() => { let d = __dirname; while (!existsSync(join(d, 'package.json'))) d = dirname(d); return join(d, 'examples'); })();

function splitOf(text: string, path: string): Fix | undefined {
  return lintDockerfile(text, { path, fileExists: () => false, ownedImages: [] })
    .flatMap((d) => d.fixes ?? []).find((f) => f.title.startsWith('Split'));
}

test('split of examples/gcc-hello: gcc on an owned build base, the final stage on a runtime base of the copied binary', () => {
  const path = join(examples, 'gcc-hello/Dockerfile');
  const text = readFileSync(path, 'utf8');
  const fix = splitOf(text, path)!;
  assert.equal(fix.title, 'Split: owned build base owned/gcc-hello-build:bookworm, runtime ≈ 2.2 MB instead of busybox:glibc (the toolchain stays out of the image)');
  const [build, runtime, dockerfile] = fix.changes;
  assert.equal(build!.path, join(examples, 'gcc-hello/gcc-hello-build.ownbase.yaml'));
  const b = parseRecipe(build!.create!.newText).recipe!;
  assert.deepEqual([b.image, b.distro, b.suite, b.profile, b.packages?.includes('gcc')], ['owned/gcc-hello-build:bookworm', 'debian', 'bookworm', undefined, true]);
  assert.equal(runtime!.path, join(examples, 'gcc-hello/gcc-hello-runtime.ownbase.yaml'));
  const r = parseRecipe(runtime!.create!.newText);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.recipe, {
    image: 'owned/gcc-hello-runtime:bookworm', distro: 'debian', suite: 'bookworm', profile: 'runtime',
    runtime: { binaries: [{ path: '/src/hello', stage: 'build', dockerfile: 'Dockerfile', to: '/hello' }], user: 'nonroot' },
  });
  assert.match(runtime!.create!.newText.replace(/\n# /g, ' '), /Expected about 2\.2 MB for a C program on glibc, instead of busybox:glibc/);
  assert.equal(applyEdits(text, dockerfile!.edits!), `# The multi-stage build of the argument: a ~1 GB gcc image to compile, busybox:glibc to run.
# Two FROMs: two images whose dependencies and vulnerabilities you inherit.
FROM owned/gcc-hello-build:bookworm AS build
WORKDIR /src
COPY hello.c .
RUN gcc -O2 -o hello hello.c

# ownbase: runtime base owned/gcc-hello-runtime:bookworm (gcc-hello-runtime.ownbase.yaml): the binary, its loader and libraries, about 2.2 MB for a C program on glibc; was busybox:glibc
FROM owned/gcc-hello-runtime:bookworm
COPY --from=build /src/hello /hello
CMD ["/hello"]
`);
});

test('split of examples/go-scratch: the Go build on an owned base, the final stage stays FROM scratch', () => {
  const path = join(examples, 'go-scratch/Dockerfile');
  const text = readFileSync(path, 'utf8');
  const fix = splitOf(text, path)!;
  assert.equal(fix.title, 'Split: owned build base owned/go-scratch-build:bookworm, runtime FROM scratch: the binary alone (the toolchain stays out of the image)');
  assert.equal(fix.changes.length, 2);
  const b = parseRecipe(fix.changes[0]!.create!.newText).recipe!;
  assert.ok(b.packages?.includes('golang-go'), String(b.packages));
  const out = applyEdits(text, fix.changes[1]!.edits!);
  assert.deepEqual(out.split('\n').filter((l) => l.startsWith('FROM')), ['FROM owned/go-scratch-build:bookworm AS build', 'FROM scratch']);
  assert.match(out, /\nCOPY --from=build \/out\/app \/app\nENTRYPOINT \["\/app"\]\n$/);
});

test('no split when the final stage runs something, or copies what is not a plain file', () => {
  const path = '/w/app/Dockerfile';
  assert.equal(splitOf('FROM gcc:12 AS build\nRUN make\nFROM debian:bookworm\nCOPY --from=build /app /app\nRUN /app --selftest\n', path), undefined);
  assert.equal(splitOf('FROM gcc:12 AS build\nRUN make\nFROM debian:bookworm\nCOPY --from=build /out/ /app/\n', path), undefined);
  assert.equal(splitOf('FROM gcc:12\nRUN make\n', path), undefined);
});

test('a runtime binary taken from a stage is named by its absolute path there', () => {
  const base = { image: 'a/b:1', distro: 'debian', suite: 'bookworm', profile: 'runtime' };
  assert.deepEqual(recipeErrors({ ...base, runtime: { binaries: [{ path: 'src/hello', stage: 'build' }] } }).map((p) => p.message),
    ["runtime.binaries: with stage:, path is the binary's absolute path in that stage's image, not 'src/hello'."]);
});
