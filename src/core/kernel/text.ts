import type { Position, Range } from './diagnostic';

/**
 * Maps offsets to positions and back for one text. Lines end at \r\n, \n or a lone \r, as in VS Code and LSP:
 * a position ownbase reports must be the position the editor shows, whatever the file's line ends.
 */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }
  get lineCount(): number { return this.starts.length; }
  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid; else hi = mid - 1;
    }
    // An offset inside a line break (between \r and \n) is the end of its line.
    return { line: lo, character: Math.min(o, this.lineEnd(lo)) - this.starts[lo]! };
  }
  offsetAt(p: Position): number {
    if (p.line >= this.starts.length) return this.text.length;
    if (p.line < 0) return 0;
    return Math.min(this.starts[p.line]! + Math.max(0, p.character), this.lineEnd(p.line));
  }
  lineStart(line: number): number { return this.starts[line] ?? this.text.length; }
  /** Offset of the end of a line's content, before its line break (\r\n, \n or \r). */
  lineEnd(line: number): number {
    if (line + 1 >= this.starts.length) return this.text.length;
    const next = this.starts[line + 1]!;
    return next - (next >= 2 && this.text.charCodeAt(next - 1) === 10 && this.text.charCodeAt(next - 2) === 13 ? 2 : 1);
  }
  lineText(line: number): string { return this.text.slice(this.starts[line], this.lineEnd(line)); }
  rangeOf(start: number, end: number): Range { return { start: this.positionAt(start), end: this.positionAt(end) }; }
  lineRange(line: number): Range { return this.rangeOf(this.starts[line]!, this.lineEnd(line)); }
  /** The text's line break: the first one found, else \n. */
  get eol(): string {
    const i = this.starts[1];
    if (i === undefined) return '\n';
    return this.text.charCodeAt(i - 1) === 13 ? '\r' : i >= 2 && this.text.charCodeAt(i - 2) === 13 ? '\r\n' : '\n';
  }
}

/** Applies non-overlapping edits to a text (as an editor would), last first so positions stay valid. */
export function applyEdits(text: string, edits: readonly { range: Range; newText: string }[]): string {
  const index = new LineIndex(text);
  const sorted = edits.map((e) => ({ start: index.offsetAt(e.range.start), end: index.offsetAt(e.range.end), newText: e.newText }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** A text cut to at most `max` characters (an ellipsis marks the cut), so that messages stay bounded. */
export function clip(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Up to `max` items joined by ', ', then "and N more". */
export function listSome(items: readonly string[], max: number): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** Where a byte sequence stops being UTF-8: the index of the first byte that is not part of a valid sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  const n = bytes.length;
  for (let i = 0; i < n;) {
    const b = bytes[i]!;
    if (b < 0x80) { i++; continue; }
    let need: number, min: number, max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) { need = 1; min = 0x80; }
    else if (b === 0xe0) { need = 2; min = 0xa0; }
    else if (b >= 0xe1 && b <= 0xef) { need = 2; min = 0x80; if (b === 0xed) max = 0x9f; } // no surrogates
    else if (b === 0xf0) { need = 3; min = 0x90; }
    else if (b >= 0xf1 && b <= 0xf4) { need = 3; min = 0x80; if (b === 0xf4) max = 0x8f; }
    else return i;
    const second = bytes[i + 1];
    if (second === undefined || second < min || second > max) return i;
    for (let k = 2; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return undefined;
}

/** A file's bytes as text, and where the first byte that is not UTF-8 is (an offset into the text). */
export interface DecodedText {
  readonly text: string;
  readonly invalidUtf8?: { readonly offset: number; readonly byte: number };
}

/** Decodes UTF-8 as an editor would (bad bytes become U+FFFD) and says where the first bad byte is. */
export function decodeUtf8(bytes: Uint8Array): DecodedText {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const text = decoder.decode(bytes);
  const bad = firstInvalidUtf8(bytes);
  if (bad === undefined) return { text };
  // The bytes before the bad one are valid, so their decoded length is its offset in the text.
  return { text, invalidUtf8: { offset: decoder.decode(bytes.subarray(0, bad)).length, byte: bytes[bad]! } };
}
