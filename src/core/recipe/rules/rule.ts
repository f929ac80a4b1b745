import type { Diagnostic, Fix, Range, Severity } from '../../kernel/diagnostic';
import { removeListItem } from '../edits';
import type { HostProbe } from '../host';
import { nodeAt, rangeFor, type NodeInfo, type ParsedRecipe } from '../parse';
import type { PathSegment } from '../path';

export interface RecipeRuleContext {
  readonly parsed: ParsedRecipe;
  /** The machine the recipe would be built on; omitted, host checks are skipped. */
  readonly host?: HostProbe;
}

export interface RecipeRule {
  readonly code: string;
  readonly name: string;
  readonly defaultSeverity: Severity;
  /** One short paragraph: what and why (README, SARIF rule help). */
  readonly description: string;
  check(ctx: RecipeRuleContext): Diagnostic[];
}

/** A string somewhere in the recipe with where it is. */
export interface Located {
  readonly value: string;
  readonly path: readonly PathSegment[];
  readonly range: Range;
  /** Absent when the value comes through an alias. */
  readonly node?: NodeInfo;
}

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;

function locate(parsed: ParsedRecipe, value: string, path: readonly PathSegment[]): Located {
  const node = nodeAt(parsed, path);
  return { value, path, range: rangeFor(parsed, path), ...(node && { node }) };
}

/** A top-level string field, when it is a string. */
export function stringField(parsed: ParsedRecipe, key: string): Located | undefined {
  const v = field(parsed.value, key);
  return typeof v === 'string' ? locate(parsed, v, [key]) : undefined;
}

/** The string items of a top-level list field (other items are the schema rule's business). */
export function stringItems(parsed: ParsedRecipe, key: string): Located[] {
  const v = field(parsed.value, key);
  if (!Array.isArray(v)) return [];
  const out: Located[] = [];
  v.forEach((item: unknown, i) => { if (typeof item === 'string') out.push(locate(parsed, item, [key, i])); });
  return out;
}

/** "Remove this entry" for an item of a top-level list. */
export function removeEntryFix(parsed: ParsedRecipe, item: Located, list: string, safe: boolean): Fix[] {
  const index = item.path[1];
  const edit = typeof index === 'number' ? removeListItem(parsed, [list], index) : undefined;
  return edit ? [{ title: `Remove '${item.value}' from ${list}`, kind: 'quickfix', isPreferred: true, safe, changes: [{ edits: [edit] }] }] : [];
}
