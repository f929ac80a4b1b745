import type { TextEdit } from '../kernel/diagnostic';
import { clampedRange, nodeAt, type NodeInfo, type ParsedRecipe } from './parse';
import type { PathSegment } from './path';

/** Text edits on a recipe that keep the rest of its text (comments, order, style) as it is. */

const PLAIN_SAFE = /^[A-Za-z0-9_/.][A-Za-z0-9_/.:@+=~-]*$/;

/** A scalar's text in the node's own quoting: plain stays plain when it can. */
export function scalarText(node: NodeInfo | undefined, value: string): string {
  if (node?.quote === "'") return `'${value.replace(/'/g, "''")}'`;
  if (node?.quote === '"' || !PLAIN_SAFE.test(value)) return JSON.stringify(value);
  return value;
}

export function edit(parsed: ParsedRecipe, start: number, end: number, newText: string): TextEdit {
  return { range: clampedRange(parsed.lines, start, end), newText };
}

/** Replaces a node's whole text. */
export function replaceNode(parsed: ParsedRecipe, node: NodeInfo, newText: string): TextEdit {
  return edit(parsed, node.start, node.end, newText);
}

/** Replaces a key's text. */
export function replaceKey(parsed: ParsedRecipe, node: NodeInfo, newKey: string): TextEdit | undefined {
  if (node.keyStart === undefined || node.keyEnd === undefined) return undefined;
  return edit(parsed, node.keyStart, node.keyEnd, newKey);
}

const lineStartOf = (parsed: ParsedRecipe, offset: number): number => parsed.lines.offsetAt({ line: parsed.lines.positionAt(offset).line, character: 0 });

/**
 * Removes item `index` of the list at `listPath`, with its separator (flow) or its whole line (block).
 * An only item leaves an empty list (`[]`). Undefined when the list's text is too unusual to edit safely.
 */
export function removeListItem(parsed: ParsedRecipe, listPath: readonly PathSegment[], index: number): TextEdit | undefined {
  const list = nodeAt(parsed, listPath);
  if (!list || list.kind !== 'seq') return undefined;
  // Only the item and its neighbours are looked up: removing each of n items stays linear in n.
  const at = (i: number): NodeInfo | undefined | null =>
    (i < 0 || i >= list.children ? undefined : nodeAt(parsed, [...listPath, i]) ?? null);
  const item = at(index);
  const prev = at(index - 1);
  const next = at(index + 1);
  if (!item || prev === null || next === null) return undefined;
  if (list.flow) {
    if (next) return edit(parsed, item.start, next.start, '');
    if (prev) return edit(parsed, prev.end, item.end, '');
    return edit(parsed, item.start, item.end, '');
  }
  const text = parsed.text;
  const lineStart = lineStartOf(parsed, item.start);
  if (!/^[ \t]*-[ \t]+$/.test(text.slice(lineStart, item.start)) && !(item.start === item.end && /^[ \t]*-[ \t]*$/.test(text.slice(lineStart, item.start)))) return undefined;
  const last = parsed.lines.positionAt(Math.max(item.start, item.end - (text[item.end - 1] === '\n' ? 1 : 0))).line;
  if (list.children === 1 && list.keyEnd !== undefined) {
    return edit(parsed, list.keyEnd, parsed.lines.lineEnd(last), ': []');
  }
  const end = last + 1 < parsed.lines.lineCount ? parsed.lines.offsetAt({ line: last + 1, character: 0 }) : text.length;
  return edit(parsed, lineStart, end, '');
}
