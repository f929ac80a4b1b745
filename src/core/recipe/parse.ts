import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';
import type { Diagnostic, Position, Range } from '../kernel/diagnostic';
import { LineIndex } from '../kernel/text';
import { pathKey, type PathSegment } from './path';
import { validateRecipeValue, type SchemaIssue } from './schema';
import type { Recipe } from './types';

/** Where one field of the recipe is in the text. */
export interface NodeInfo {
  readonly path: readonly PathSegment[];
  readonly kind: 'scalar' | 'map' | 'seq' | 'alias';
  /** Flow style (`[a, b]`, `{ a: b }`) for a collection. */
  readonly flow: boolean;
  /** The quote of a quoted scalar. */
  readonly quote?: '"' | "'";
  /** Number of items (list) or entries (mapping) recorded under this node. */
  readonly children: number;
  /** The value node. */
  readonly range: Range;
  readonly start: number;
  readonly end: number;
  /** The key of the entry whose value this is. */
  readonly keyRange?: Range;
  readonly keyStart?: number;
  readonly keyEnd?: number;
}

export interface ParsedRecipe {
  readonly text: string;
  readonly lines: LineIndex;
  /** The first document as plain data (mappings are objects, lists arrays); null when empty. */
  readonly value: unknown;
  /** Present when the text is valid YAML and matches the schema. Semantic rules may still report errors. */
  readonly recipe?: Recipe;
  /** YAML syntax problems (OB200). */
  readonly diagnostics: Diagnostic[];
  /** Schema problems of `value`; the OB201 rule reports them. */
  readonly issues: readonly SchemaIssue[];
  /** Field path (`packages[2]`, `config.env.LANG`, '' for the document) to where it is. */
  readonly nodes: ReadonlyMap<string, NodeInfo>;
}

export const YAML_SYNTAX = 'OB200';

const MAX_DEPTH = 64;
const KEY_AT = /^(?:"[^"\n]*"|'[^'\n]*'|[^\s:#][^:\n#]*?)(?=[ \t]*:(?:\s|$))/;
const MAX_VALUES = 100_000;
const MAX_SYNTAX = 100;

class LimitError extends Error {
  constructor(message: string, readonly offset: number) { super(message); }
}

const keyString = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** A range inside the text: characters clamped to the line's content, so a range never points past a line. */
export function clampedRange(lines: LineIndex, start: number, end: number): Range {
  const at = (o: number): Position => {
    const p = lines.positionAt(o);
    const len = lines.lineText(p.line).length;
    return p.character > len ? { line: p.line, character: len } : p;
  };
  const s = at(Math.min(start, end));
  return { start: s, end: at(Math.max(start, end)) };
}

/** Turns YAML nodes into plain data with bounded depth and alias expansion; no prototype keys, no warnings. */
class Converter {
  private count = 0;
  private readonly active = new Set<YamlNode>();
  constructor(private readonly doc: Document.Parsed, private readonly text: string) {}

  convert(node: unknown, depth: number): unknown {
    if (node === null || node === undefined) return null;
    if (++this.count > MAX_VALUES) throw new LimitError(`The recipe expands to more than ${MAX_VALUES} values (aliases?)`, rangeStart(node));
    if (depth > MAX_DEPTH) throw new LimitError(`The recipe nests deeper than ${MAX_DEPTH} levels`, rangeStart(node));
    if (isScalar(node)) {
      const v = node.value;
      if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
      return node.range ? this.text.slice(node.range[0], node.range[1]) : String(v);
    }
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) throw new LimitError(`Unknown alias *${node.source}: define the anchor &${node.source} before using it`, rangeStart(node));
      if (this.active.has(target)) throw new LimitError(`Alias *${node.source} refers to a value that contains it`, rangeStart(node));
      this.active.add(target);
      try { return this.convert(target, depth + 1); } finally { this.active.delete(target); }
    }
    if (isSeq(node)) return node.items.map((item) => this.convert(item, depth + 1));
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) this.set(out, pair.key, pair.value, depth);
      return out;
    }
    if (isPair(node)) {
      const out: Record<string, unknown> = {};
      this.set(out, node.key, node.value, depth);
      return out;
    }
    return null;
  }

  keyOf(key: unknown): string {
    if (key === null || key === undefined) return '';
    if (isScalar(key)) return keyString(key.value);
    const r = (key as { range?: [number, number, number] }).range;
    return r ? this.text.slice(r[0], r[1]) : '';
  }

  private set(out: Record<string, unknown>, key: unknown, value: unknown, depth: number): void {
    const k = this.keyOf(key);
    // `__proto__` is an ordinary key here, never the prototype.
    Object.defineProperty(out, k, { value: this.convert(value, depth + 1), enumerable: true, writable: true, configurable: true });
  }
}

function rangeStart(node: unknown): number {
  return (node as { range?: [number, number, number] }).range?.[0] ?? 0;
}

function walkNodes(doc: Document.Parsed, conv: Converter, lines: LineIndex): Map<string, NodeInfo> {
  const nodes = new Map<string, NodeInfo>();
  const visit = (node: YamlNode, path: PathSegment[], depth: number, key?: { start: number; end: number }): void => {
    const r = node.range;
    if (!r) return;
    let children = 0;
    if (depth < MAX_DEPTH) {
      if (isMap(node)) {
        for (const pair of node.items) {
          const k = pair.key as YamlNode | null;
          const kr = k?.range;
          const childKey = kr ? { start: kr[0], end: kr[1] } : undefined;
          const child = [...path, conv.keyOf(k)];
          children++;
          if (pair.value && (pair.value as YamlNode).range) visit(pair.value as YamlNode, child, depth + 1, childKey);
          else if (childKey) record(child, 'scalar', false, undefined, childKey.end, childKey.end, childKey, 0);
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, i) => {
          children++;
          if (item && !isPair(item)) visit(item as YamlNode, [...path, i], depth + 1);
        });
      }
    }
    const kind = isMap(node) ? 'map' : isSeq(node) ? 'seq' : isAlias(node) ? 'alias' : 'scalar';
    const flow = (isMap(node) || isSeq(node)) && node.flow === true;
    const quote = isScalar(node) ? node.type === 'QUOTE_DOUBLE' ? '"' : node.type === 'QUOTE_SINGLE' ? "'" : undefined : undefined;
    record(path, kind, flow, quote, r[0], r[1], key, children);
  };
  const record = (path: PathSegment[], kind: NodeInfo['kind'], flow: boolean, quote: NodeInfo['quote'], start: number, end: number,
    key: { start: number; end: number } | undefined, children: number): void => {
    const id = pathKey(path);
    if (nodes.has(id)) return;
    nodes.set(id, {
      path, kind, flow, children, range: clampedRange(lines, start, end), start, end,
      ...(quote && { quote }),
      ...(key && { keyRange: clampedRange(lines, key.start, key.end), keyStart: key.start, keyEnd: key.end }),
    });
  };
  if (doc.contents) visit(doc.contents as YamlNode, [], 0);
  return nodes;
}

function syntaxDiagnostic(lines: LineIndex, start: number, end: number, message: string, severity: 'error' | 'warning'): Diagnostic {
  // An empty range is hard to see; widen it to the character it points at when there is one on the line.
  let e = end;
  if (e <= start) {
    const p = lines.positionAt(start);
    e = p.character < lines.lineText(p.line).length ? start + 1 : start;
  }
  return { code: YAML_SYNTAX, severity, message, range: clampedRange(lines, start, e) };
}

/** Distinct syntax diagnostics, at most MAX_SYNTAX: one broken line can make the parser report every line after it. */
function capped(lines: LineIndex, ds: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of ds) {
    const id = `${d.message}@${d.range.start.line}:${d.range.start.character}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(d);
  }
  if (out.length <= MAX_SYNTAX) return out;
  const last = out[MAX_SYNTAX - 1]!;
  return [...out.slice(0, MAX_SYNTAX), { code: YAML_SYNTAX, severity: 'error', range: last.range,
    message: `${out.length - MAX_SYNTAX} more YAML errors after this one are not shown.` }];
}

/**
 * Parses a recipe's text: YAML syntax diagnostics (OB200) with their positions, the value as plain data,
 * schema issues, the range of every field, and the typed recipe when the text is valid. Never throws.
 */
export function parseRecipe(text: string): ParsedRecipe {
  const lines = new LineIndex(text);
  const diagnostics: Diagnostic[] = [];
  let value: unknown = null;
  let nodes = new Map<string, NodeInfo>();
  try {
    const docs = parseAllDocuments(text, { prettyErrors: false, logLevel: 'silent', uniqueKeys: true, strict: true });
    const syntax: Diagnostic[] = [];
    for (const doc of docs) {
      for (const e of doc.errors) {
        // yaml points at a duplicate key's first character; the whole key reads better.
        const key = e.code === 'DUPLICATE_KEY' ? KEY_AT.exec(text.slice(e.pos[0], e.pos[0] + 1024))?.[0] : undefined;
        const message = e.code === 'RESOURCE_EXHAUSTION' ? 'The recipe nests too deeply to be read as YAML.' : e.message;
        syntax.push(syntaxDiagnostic(lines, e.pos[0], key ? e.pos[0] + key.length : e.pos[1], message, 'error'));
      }
      for (const w of doc.warnings) syntax.push(syntaxDiagnostic(lines, w.pos[0], w.pos[1], w.message, 'warning'));
    }
    diagnostics.push(...capped(lines, syntax));
    const second = docs[1];
    if (second) {
      const at = lines.positionAt(second.range[0]);
      diagnostics.push({
        code: YAML_SYNTAX, severity: 'error', range: clampedRange(lines, second.range[0], lines.offsetAt({ line: at.line, character: Number.MAX_SAFE_INTEGER })),
        message: 'A recipe is one YAML document: this second document is ignored. Move it to its own .ownbase.yaml file.',
      });
    }
    const first = docs[0];
    if (first) {
      const conv = new Converter(first, text);
      try {
        value = conv.convert(first.contents, 0);
      } catch (err) {
        if (!(err instanceof LimitError)) throw err;
        diagnostics.push(syntaxDiagnostic(lines, err.offset, err.offset, `${err.message}.`, 'error'));
        value = undefined;
      }
      nodes = walkNodes(first, conv, lines);
    }
  } catch (err) {
    diagnostics.push({ code: YAML_SYNTAX, severity: 'error', range: clampedRange(lines, 0, 0),
      message: `The recipe could not be read as YAML: ${err instanceof Error ? err.message : String(err)}` });
    value = undefined;
  }
  const issues = value === undefined ? [] : validateRecipeValue(value);
  const valid = value !== undefined && issues.length === 0 && !diagnostics.some((d) => d.severity === 'error');
  return {
    text, lines, value: value ?? null, diagnostics, issues, nodes,
    ...(valid && { recipe: value as Recipe }),
  };
}

/** The node at a path, or undefined when the text has none there. */
export function nodeAt(parsed: ParsedRecipe, path: readonly PathSegment[]): NodeInfo | undefined {
  return parsed.nodes.get(pathKey(path));
}

/**
 * Where to report something about a path: its key or value, else the nearest ancestor that is in the text,
 * else the document's first line.
 */
export function rangeFor(parsed: ParsedRecipe, path: readonly PathSegment[], part: 'key' | 'value' = 'value'): Range {
  for (let n = path.length; n >= 0; n--) {
    const node = parsed.nodes.get(pathKey(path.slice(0, n)));
    if (!node) continue;
    if (n === 0) return firstLineOf(parsed);
    return (part === 'key' && node.keyRange) || node.range;
  }
  return firstLineOf(parsed);
}

/** The first line of the document's top-level mapping (or of the text). */
export function firstLineOf(parsed: ParsedRecipe): Range {
  const root = parsed.nodes.get('');
  const line = root ? root.range.start.line : 0;
  return parsed.lines.lineRange(Math.min(line, parsed.lines.lineCount - 1));
}

/** The innermost field whose key or value contains the position (for hovers), or undefined. */
export function fieldAt(parsed: ParsedRecipe, position: Position): NodeInfo | undefined {
  const offset = parsed.lines.offsetAt(position);
  let best: NodeInfo | undefined;
  for (const n of parsed.nodes.values()) {
    if (n.path.length === 0) continue;
    const inKey = n.keyStart !== undefined && n.keyEnd !== undefined && offset >= n.keyStart && offset <= n.keyEnd;
    const inValue = offset >= n.start && offset <= n.end;
    if (!inKey && !inValue) continue;
    if (!best || n.path.length > best.path.length) best = n;
  }
  return best;
}
