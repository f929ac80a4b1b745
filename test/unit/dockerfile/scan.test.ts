import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerfileParser, ModifiableInstruction } from 'dockerfile-ast';
import { scanDockerfile } from '../../../src/core/dockerfile/scan';
import { LineIndex } from '../../../src/core/kernel/text';

/** What both parsers must agree on: keyword, where it starts and ends, the arguments and flags with their ranges. */
function viaScanner(text: string) {
  const s = scanDockerfile(new LineIndex(text));
  return {
    escape: s.escape,
    instructions: s.instructions.map((i) => ({
      keyword: i.keyword, keywordRange: i.keywordRange, range: i.range,
      // dockerfile-ast lists a heredoc's body words as arguments; the scanner keeps bodies apart (see below).
      args: i.heredocs.length > 0 ? [] : i.args.map((a) => [a.value, a.range]),
      flags: i.flags.map((f) => [f.name, f.value, f.range]),
    })),
  };
}

function viaDockerfileAst(text: string) {
  const d = DockerfileParser.parse(text);
  return {
    escape: d.getEscapeCharacter(),
    instructions: d.getInstructions().map((i) => ({
      keyword: i.getKeyword().toUpperCase(), keywordRange: i.getInstructionRange(), range: i.getRange(),
      args: i.getArguments().some((a) => a.getValue().startsWith('<<')) ? [] : i.getArguments().map((a) => [a.getValue(), a.getRange()]),
      flags: i instanceof ModifiableInstruction ? i.getFlags().map((f) => [f.getName().toLowerCase(), f.getValue() ?? '', f.getRange()]) : [],
    })),
  };
}

const CASES: Record<string, string> = {
  'plain multi-stage': 'FROM gcc:12 AS build\nWORKDIR /src\nCOPY hello.c .\nRUN gcc -o hello hello.c\n\nFROM busybox:glibc\nCOPY --from=build /src/hello /hello\nCMD ["/hello"]\n',
  'continuations with indentation': 'FROM debian:bookworm\nRUN apt-get update && \\\n    apt-get install -y --no-install-recommends \\\n      gcc make \\\n  && rm -rf /var/lib/apt/lists/*\n',
  'comment and blank line inside a continuation': 'FROM debian\nRUN echo a \\\n# a comment\n    b \\\n\n    c\nUSER nobody\n',
  'escape directive and CRLF': '# escape=`\r\nFROM debian:bookworm\r\nRUN echo a `\r\n  b\r\nCOPY --chown=1:1 --from=x C:\\a /b\r\n',
  'lower-case keywords and flags': 'from --platform=linux/arm64 debian:bookworm as b\nrun --mount=type=cache,target=/var/cache/apt apt-get update\ncopy --link --from=b /a /b\n',
  'heredocs are bodies, not instructions': 'FROM debian\nRUN <<EOF\nFROM not-an-instruction\napt-get update\nEOF\nRUN <<-"END" bash\n\techo hi\n\tEND\nCMD ["sh"]\n',
  'ARG before FROM and quoted values': 'ARG BASE="debian:bookworm"\nARG TAG\nFROM ${BASE}\nENV A="x" B=z\nLABEL a="1"\n',
  'trailing whitespace after the escape': 'FROM debian\nRUN echo a \\   \n  b\n',
  'no trailing newline': 'FROM debian\nRUN true',
};

for (const [name, text] of Object.entries(CASES)) {
  test(`scanner agrees with dockerfile-ast: ${name}`, () => {
    assert.deepEqual(viaScanner(text), viaDockerfileAst(text));
  });
}

test('heredoc body ranges and several heredocs on one line', () => {
  const s = scanDockerfile(new LineIndex('FROM x\nCOPY <<A <<B /dst/\na\nA\nb\nB\nRUN true\n'));
  assert.deepEqual(s.instructions.map((i) => i.keyword), ['FROM', 'COPY', 'RUN']);
  assert.deepEqual(s.instructions[1]!.heredocs.map((h) => [h.name, h.body.start.line, h.body.end.line]), [['A', 2, 3], ['B', 4, 5]]);
  assert.deepEqual(s.instructions[1]!.range, { start: { line: 1, character: 0 }, end: { line: 5, character: 1 } });
});

test('quoted arguments keep their spaces (dockerfile-ast splits them; the builder does not)', () => {
  const s = scanDockerfile(new LineIndex('FROM x\nENV A="x y" B=\'1 2\' C=z\n'));
  assert.deepEqual(s.instructions[1]!.args.map((a) => a.value), ['A="x y"', "B='1 2'", 'C=z']);
  assert.deepEqual(s.instructions[1]!.args[1]!.range, { start: { line: 1, character: 12 }, end: { line: 1, character: 19 } });
});

test('scanner agrees with dockerfile-ast on 500 generated Dockerfiles', () => {
  let seed = 7;
  const r = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const LINES = [
    'FROM debian:bookworm', 'from gcc:12 AS build', 'FROM --platform=linux/arm64 busybox:glibc', 'RUN apt-get update',
    'RUN apt-get install -y \\\n    gcc \\\n    make', 'COPY --from=build /a /b', 'copy --chown=1:1 a b', 'WORKDIR /src', '# comment',
    '', '   ', 'ENV A=1 B=2', 'CMD ["/bin/sh", "-c", "x"]', 'RUN echo a \\\n# inner comment\n  b', 'ARG V=1', 'USER nobody',
    'RUN --mount=type=cache,target=/c true', 'HEALTHCHECK --interval=5s CMD true', 'EXPOSE 80/tcp 443', '\tRUN\ttabbed\targs',
  ];
  for (let n = 0; n < 500; n++) {
    const eol = r() < 0.2 ? '\r\n' : '\n';
    const lines = Array.from({ length: 1 + Math.floor(r() * 25) }, () => pick(LINES));
    const text = lines.join('\n').split('\n').join(eol) + (r() < 0.5 ? eol : '');
    assert.deepEqual(viaScanner(text), viaDockerfileAst(text), `generated file ${n}:\n${text}`);
  }
});

test('parser directives: known ones only, and a comment or an unknown one ends them', () => {
  assert.equal(scanDockerfile(new LineIndex('# syntax=docker/dockerfile:1\n# escape=`\nFROM x\n')).escape, '`');
  assert.equal(scanDockerfile(new LineIndex('# foo=bar\n# escape=`\nFROM x\n')).escape, '\\');
  assert.equal(scanDockerfile(new LineIndex('# a comment\n# escape=`\nFROM x\n')).escape, '\\');
});
