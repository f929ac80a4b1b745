import type { Position, Range } from '../kernel/diagnostic';
import type { LineIndex } from '../kernel/text';

/**
 * A one-pass Dockerfile scanner: parser directives, comments, line continuations (with comment and blank lines
 * inside them), heredoc bodies, instruction keywords, arguments and `--flags`, each with its exact range.
 *
 * Why not dockerfile-ast in the hot path: it recomputes positions for every argument and parses a 1,000-line
 * file in ~15 ms on this kind of machine, three times the editor's budget. dockerfile-ast stays the reference:
 * test/unit/dockerfile/scan.test.ts checks this scanner against it instruction by instruction.
 */

export interface Token { readonly value: string; readonly range: Range }
export interface Flag { readonly name: string; readonly value: string; readonly range: Range; readonly valueRange?: Range }

export interface ScannedInstruction {
  /** Upper-case keyword. */
  readonly keyword: string;
  readonly keywordRange: Range;
  /** From the keyword to the end of the instruction's last line, heredoc bodies included. */
  readonly range: Range;
  /** Arguments after the flags, continuations joined; quotes are kept as written. */
  readonly args: readonly Token[];
  /** The arguments joined by single spaces. */
  readonly argsText: string;
  readonly flags: readonly Flag[];
  /** Heredoc bodies (RUN, COPY, ADD), in order. */
  readonly heredocs: readonly { readonly name: string; readonly body: Range }[];
}

export interface ScannedDockerfile {
  readonly escape: string;
  readonly instructions: readonly ScannedInstruction[];
}

const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);
const DIRECTIVE = /^\s*#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(\S*)\s*$/;
/** A shell word that opens a heredoc, as BuildKit reads them: `<<EOF`, `<<-"EOF"`, `3<<EOF`. */
const HEREDOC_WORD = /^\d*<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_.-]*)\2/;
const FLAGGED = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);
const HEREDOC_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD']);

const isSpace = (c: number) => c === 32 || c === 9;
function isBlankOrComment(text: string, start: number, end: number): boolean {
  let i = start;
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  return i === end || text.charCodeAt(i) === 35; // '#'
}

export function scanDockerfile(lines: LineIndex): ScannedDockerfile {
  const text = lines.text;
  let escape = '\\';
  let line = 0;
  // Parser directives: only at the very top, before any blank line, comment or instruction.
  const seen = new Set<string>();
  for (; line < lines.lineCount; line++) {
    const m = DIRECTIVE.exec(lines.lineText(line));
    // An unknown directive is a comment, and a comment ends the directives (as BuildKit reads them).
    if (!m || !KNOWN_DIRECTIVES.has(m[1]!.toLowerCase()) || seen.has(m[1]!.toLowerCase())) break;
    seen.add(m[1]!.toLowerCase());
    if (m[1]!.toLowerCase() === 'escape' && (m[2] === '\\' || m[2] === '`')) escape = m[2];
  }
  const escapeCode = escape.charCodeAt(0);
  const instructions: ScannedInstruction[] = [];

  while (line < lines.lineCount) {
    if (isBlankOrComment(text, lines.lineStart(line), lines.lineEnd(line))) { line++; continue; }
    // The logical line, made of slices of physical lines; `segments` maps a logical index back to a position.
    let logical = '';
    const segments: Segment[] = [];
    let end = 0;
    let l = line;
    for (;;) {
      const start = lines.lineStart(l);
      let contentEnd = lines.lineEnd(l);
      while (contentEnd > start && isSpace(text.charCodeAt(contentEnd - 1))) contentEnd--;
      const continues = contentEnd > start && text.charCodeAt(contentEnd - 1) === escapeCode && l + 1 < lines.lineCount;
      segments.push({ logical: logical.length, line: l });
      logical += text.slice(start, continues ? contentEnd - 1 : contentEnd);
      end = contentEnd;
      if (!continues) break;
      l++;
      while (l < lines.lineCount && isBlankOrComment(text, lines.lineStart(l), lines.lineEnd(l))) l++;
      if (l >= lines.lineCount) { l--; break; }
    }
    const k0 = skipSpaces(logical, 0);
    if (k0 >= logical.length) { line = l + 1; continue; } // only escapes and blanks: nothing to instruct
    let k1 = k0;
    while (k1 < logical.length && !isSpace(logical.charCodeAt(k1))) k1++;
    const keyword = logical.slice(k0, k1).toUpperCase();
    const keywordRange = { start: positionOf(segments, k0), end: positionOf(segments, k1 - 1, true) };
    const heredocs: { name: string; body: Range }[] = [];
    if (HEREDOC_INSTRUCTIONS.has(keyword) && logical.includes('<<')) {
      // Only whole words open a heredoc: `echo "<<EOF"` and `$((1<<N))` do not.
      for (const word of tokenize(logical, k1, segments, escapeCode)) {
        const m = HEREDOC_WORD.exec(word.value);
        if (!m) continue;
        const stripTabs = m[1] === '-';
        const name = m[3]!;
        const bodyStart = l + 1;
        let t = bodyStart;
        while (t < lines.lineCount && (stripTabs ? lines.lineText(t).replace(/^\t+/, '') : lines.lineText(t)) !== name) t++;
        if (t >= lines.lineCount) continue; // never closed: not taken as a heredoc, so it cannot swallow the file
        heredocs.push({ name, body: { start: { line: bodyStart, character: 0 }, end: { line: t, character: 0 } } });
        l = t;
        end = lines.lineEnd(t);
      }
    }
    instructions.push(new LazyInstruction(keyword, keywordRange, { start: keywordRange.start, end: lines.positionAt(end) },
      heredocs, logical, k1, segments, escapeCode));
    line = l + 1;
  }
  return { escape, instructions };
}

/**
 * An instruction whose arguments are split only when asked for: the rules read the arguments of FROM, COPY and
 * ARG, and splitting every RUN and ENV of a large file up front made most of the scan's garbage.
 */
class LazyInstruction implements ScannedInstruction {
  private split?: { args: Token[]; flags: Flag[]; argsText: string };

  constructor(
    readonly keyword: string, readonly keywordRange: Range, readonly range: Range,
    readonly heredocs: readonly { readonly name: string; readonly body: Range }[],
    private readonly logical: string, private readonly argsFrom: number,
    private readonly segments: readonly Segment[], private readonly escapeCode: number,
  ) {}

  get args(): readonly Token[] { return this.tokens().args; }
  get flags(): readonly Flag[] { return this.tokens().flags; }
  get argsText(): string { return this.tokens().argsText; }

  private tokens(): { args: Token[]; flags: Flag[]; argsText: string } {
    if (this.split) return this.split;
    const args = tokenize(this.logical, this.argsFrom, this.segments, this.escapeCode);
    const flags: Flag[] = [];
    if (FLAGGED.has(this.keyword)) {
      while (args[0]?.value.startsWith('--')) {
        const t = args.shift()!;
        const eq = t.value.indexOf('=');
        const name = (eq >= 0 ? t.value.slice(2, eq) : t.value.slice(2)).toLowerCase();
        const value = eq >= 0 ? t.value.slice(eq + 1) : '';
        // A flag never spans a continuation in practice; its value starts on the flag's line.
        const valueRange = eq >= 0 ? { start: { line: t.range.start.line, character: t.range.start.character + eq + 1 }, end: t.range.end } : undefined;
        flags.push({ name, value, range: t.range, ...(valueRange && { valueRange }) });
      }
    }
    this.split = { args, flags, argsText: args.map((t) => t.value).join(' ') };
    return this.split;
  }
}

function skipSpaces(s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** Where a physical line's slice starts in the logical line; it starts at character 0 of `line`. */
interface Segment { readonly logical: number; readonly line: number }

/** The position of a logical index; `after` gives the position just past that character. */
function positionOf(segments: readonly Segment[], index: number, after = false): Position {
  let k = segments.length - 1;
  while (k > 0 && segments[k]!.logical > index) k--;
  return { line: segments[k]!.line, character: index - segments[k]!.logical + (after ? 1 : 0) };
}

/** Splits a logical line on whitespace outside quotes; the escape character protects the next character. */
function tokenize(logical: string, from: number, segments: readonly Segment[], escapeCode: number): Token[] {
  const tokens: Token[] = [];
  let i = from;
  const n = logical.length;
  while (i < n) {
    while (i < n && isSpace(logical.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    let quote = 0;
    while (i < n) {
      const c = logical.charCodeAt(i);
      if (quote) { if (c === quote) quote = 0; else if (c === escapeCode && i + 1 < n) i++; i++; continue; }
      if (isSpace(c)) break;
      if (c === 34 || c === 39) quote = c;
      else if (c === escapeCode && i + 1 < n) i++;
      i++;
    }
    tokens.push({ value: logical.slice(start, i), range: { start: positionOf(segments, start), end: positionOf(segments, i - 1, true) } });
  }
  return tokens;
}
