import rawSchema from './schema.json';
import { didYouMean } from './didYouMean';
import { oneLine, pathKey, type PathSegment } from './path';

/**
 * A validator for the subset of JSON Schema (draft-07) that `schema.json` uses. The schema is compiled once,
 * on first use; a keyword outside the subset is a programming error and throws at compile time (a test
 * compiles it), so the file can never silently stop being enforced.
 */

type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

export interface CompiledSchema {
  readonly types?: readonly JsonType[];
  readonly enum?: readonly unknown[];
  readonly properties?: ReadonlyMap<string, CompiledSchema>;
  readonly required: readonly string[];
  /** false: no other keys; a schema: what other keys' values must be; undefined: anything. */
  readonly additional?: false | CompiledSchema;
  readonly propertyNames?: CompiledSchema;
  readonly items?: CompiledSchema;
  readonly pattern?: RegExp;
  readonly patternErrorMessage?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly anyOf?: readonly CompiledSchema[];
  readonly title?: string;
  readonly description?: string;
  readonly examples?: readonly unknown[];
  readonly default?: unknown;
}

export type SchemaIssueKind = 'type' | 'enum' | 'required' | 'unknown-key' | 'pattern' | 'key-pattern' | 'range' | 'min-length';

export interface SchemaIssue {
  readonly kind: SchemaIssueKind;
  /** Where: the value's path; for 'unknown-key' and 'key-pattern' the key's; for 'required' the mapping's. */
  readonly path: readonly PathSegment[];
  readonly message: string;
  readonly value?: unknown;
  /** 'required': the missing field. */
  readonly property?: string;
  /** 'unknown-key' and 'enum': the closest allowed key or value. */
  readonly suggestion?: string;
  /** 'type': the types the schema accepts. */
  readonly expected?: readonly JsonType[];
}

const KNOWN_KEYWORDS = new Set(['$schema', 'title', 'description', 'default', 'examples', 'type', 'enum', 'properties', 'required',
  'additionalProperties', 'propertyNames', 'items', 'pattern', 'patternErrorMessage', 'minimum', 'maximum', 'minLength', 'anyOf']);

type Raw = Record<string, unknown>;

function compile(raw: Raw, where: string): CompiledSchema {
  for (const k of Object.keys(raw)) if (!KNOWN_KEYWORDS.has(k)) throw new Error(`schema.json: keyword '${k}' at ${where || '/'} is not supported by the recipe validator`);
  const sub = (r: unknown, w: string): CompiledSchema => compile(r as Raw, w);
  const props = raw['properties'] as Record<string, unknown> | undefined;
  const additional = raw['additionalProperties'];
  const type = raw['type'];
  return {
    ...(type !== undefined && { types: (Array.isArray(type) ? type : [type]) as JsonType[] }),
    ...(raw['enum'] !== undefined && { enum: raw['enum'] as unknown[] }),
    ...(props && { properties: new Map(Object.entries(props).map(([k, v]) => [k, sub(v, `${where}/properties/${k}`)])) }),
    required: (raw['required'] as string[] | undefined) ?? [],
    ...(additional === false && { additional: false as const }),
    ...(typeof additional === 'object' && additional !== null && { additional: sub(additional, `${where}/additionalProperties`) }),
    ...(raw['propertyNames'] !== undefined && { propertyNames: sub(raw['propertyNames'], `${where}/propertyNames`) }),
    ...(raw['items'] !== undefined && { items: sub(raw['items'], `${where}/items`) }),
    ...(typeof raw['pattern'] === 'string' && { pattern: new RegExp(raw['pattern'], 'u') }),
    ...(typeof raw['patternErrorMessage'] === 'string' && { patternErrorMessage: raw['patternErrorMessage'] }),
    ...(typeof raw['minimum'] === 'number' && { minimum: raw['minimum'] }),
    ...(typeof raw['maximum'] === 'number' && { maximum: raw['maximum'] }),
    ...(typeof raw['minLength'] === 'number' && { minLength: raw['minLength'] }),
    ...(Array.isArray(raw['anyOf']) && { anyOf: raw['anyOf'].map((s, i) => sub(s, `${where}/anyOf/${i}`)) }),
    ...(typeof raw['title'] === 'string' && { title: raw['title'] }),
    ...(typeof raw['description'] === 'string' && { description: raw['description'] }),
    ...(Array.isArray(raw['examples']) && { examples: raw['examples'] }),
    ...('default' in raw && { default: raw['default'] }),
  };
}

let compiled: CompiledSchema | undefined;
/** The recipe schema, compiled once. */
export function recipeSchema(): CompiledSchema {
  return compiled ??= compile(rawSchema as Raw, '');
}

/** The raw JSON Schema, as contributed to editors. */
export const RECIPE_JSON_SCHEMA: Readonly<Record<string, unknown>> = rawSchema;

/** The schema of the field at a path (keys and indexes), or undefined when the schema has none there. */
export function schemaAt(path: readonly PathSegment[]): CompiledSchema | undefined {
  let s: CompiledSchema | undefined = recipeSchema();
  for (const seg of path) {
    if (!s) return undefined;
    if (typeof seg === 'number') s = s.items;
    else s = s.properties?.get(seg) ?? (s.additional === false ? undefined : s.additional);
  }
  return s;
}

/** Description of the field at a path, for hovers. */
export function describeField(path: readonly PathSegment[]): string | undefined {
  return schemaAt(path)?.description;
}

const typeOf = (v: unknown): 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null' =>
  v === null || v === undefined ? 'null' : Array.isArray(v) ? 'array'
    : typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'object';

function hasType(v: unknown, t: JsonType): boolean {
  if (t === 'integer') return typeof v === 'number' && Number.isInteger(v);
  return typeOf(v) === t;
}

const SINGULAR: Record<JsonType, string> = {
  string: 'a string', number: 'a number', integer: 'a whole number', boolean: 'true or false', object: 'a mapping', array: 'a list', null: 'nothing',
};
const PLURAL: Record<JsonType, string> = {
  string: 'strings', number: 'numbers', integer: 'whole numbers', boolean: 'true/false values', object: 'mappings', array: 'lists', null: 'empty values',
};

/** What a schema accepts, in words: "a list of strings", "one of debian, ubuntu", "a port". */
export function describe(s: CompiledSchema, plural = false): string {
  if (s.title) return plural ? `${s.title}s` : `a ${s.title}`;
  if (s.enum) return `one of ${s.enum.map(String).join(', ')}`;
  if (s.anyOf) return s.anyOf.map((a) => describe(a, plural)).join(' or ');
  const t = s.types?.[0];
  if (!t) return plural ? 'values' : 'a value';
  if (t === 'array' && s.items) return `${plural ? 'lists' : 'a list'} of ${describe(s.items, true)}`;
  if (t === 'object' && s.additional && !s.properties) return `${plural ? 'mappings' : 'a mapping'} of names to ${describe(s.additional, true)}`;
  return plural ? PLURAL[t] : SINGULAR[t];
}

export function describeValue(v: unknown): string {
  switch (typeOf(v)) {
    case 'null': return 'nothing (an empty value)';
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return `${String(v)} (a boolean)`;
    case 'array': return 'a list';
    default: return 'a mapping';
  }
}

const YAML11_BOOLEANS = /^(y|yes|n|no|on|off)$/i;
const SHELL_META = /[;&|$`<>(){}\\!*?"'\s]/u;
const MAX_ISSUES = 200;

const show = (v: unknown): string => {
  const s = oneLine(typeof v === 'string' ? v : JSON.stringify(v) ?? String(v));
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
};

function where(path: readonly PathSegment[]): string {
  return path.length === 0 ? 'The recipe' : pathKey(path);
}

class Validator {
  readonly issues: SchemaIssue[] = [];
  private add(issue: SchemaIssue): void { if (this.issues.length < MAX_ISSUES) this.issues.push(issue); }

  check(v: unknown, s: CompiledSchema, path: PathSegment[]): void {
    if (this.issues.length >= MAX_ISSUES) return;
    if (s.anyOf) { this.anyOf(v, s, path); return; }
    if (s.enum) {
      if (!s.enum.includes(v)) this.enumIssue(v, s.enum, path);
      return;
    }
    if (s.types && !s.types.some((t) => hasType(v, t))) { this.typeIssue(v, s, path); return; }
    if (typeof v === 'string') this.string(v, s, path);
    else if (typeof v === 'number') this.number(v, s, path);
    else if (Array.isArray(v)) { if (s.items) v.forEach((item, i) => this.check(item, s.items!, [...path, i])); }
    else if (typeOf(v) === 'object') this.object(v as Record<string, unknown>, s, path);
  }

  private anyOf(v: unknown, s: CompiledSchema, path: PathSegment[]): void {
    const branches = s.anyOf!;
    const runs = branches.map((b) => { const sub = new Validator(); sub.check(v, b, path); return sub.issues; });
    if (runs.some((r) => r.length === 0)) return;
    // A branch that accepts the value's type failed on a finer point (range, pattern): that is the useful message.
    const typed = branches.findIndex((b) => !b.types || b.types.some((t) => hasType(v, t)));
    if (typed >= 0) { runs[typed]!.forEach((i) => this.add(i)); return; }
    this.typeIssue(v, s, path);
  }

  private enumIssue(v: unknown, allowed: readonly unknown[], path: PathSegment[]): void {
    const names = allowed.map(String);
    const field = path.length > 0 ? String(path[path.length - 1]) : 'value';
    const suggestion = typeof v === 'string' ? didYouMean(v, names) : undefined;
    const message = typeof v === 'string'
      ? `'${show(v)}' is not a valid ${field}: expected one of ${names.join(', ')}.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`
      : `${where(path)}: expected one of ${names.join(', ')}, got ${describeValue(v)}.`;
    this.add({ kind: 'enum', path, message, value: v, ...(suggestion !== undefined && { suggestion }) });
  }

  private typeIssue(v: unknown, s: CompiledSchema, path: PathSegment[]): void {
    const expected = s.types ?? [];
    let hint = '';
    if (expected.includes('boolean') && typeof v === 'string' && YAML11_BOOLEANS.test(v)) hint = ` YAML 1.2 reads '${v}' as a string: write true or false.`;
    else if (expected.includes('string') && (typeof v === 'number' || typeof v === 'boolean')) hint = ' Quote it to make it a string.';
    else if (expected.includes('array') && typeof v === 'string') hint = ` Write a list, e.g. [${show(v)}].`;
    const message = path.length === 0
      ? `A recipe is a mapping of fields (image, distro, suite, …), got ${describeValue(v)}.`
      : `${where(path)}: expected ${describe(s)}, got ${describeValue(v)}.${hint}`;
    this.add({ kind: 'type', path, message, value: v, expected });
  }

  private string(v: string, s: CompiledSchema, path: PathSegment[]): void {
    if (s.minLength !== undefined && v.length < s.minLength) {
      this.add({ kind: 'min-length', path, message: `${where(path)} must not be empty.`, value: v });
      return;
    }
    if (s.pattern && !s.pattern.test(v)) {
      const meta = SHELL_META.exec(v)?.[0];
      const shell = meta !== undefined && !/\s/.test(meta) ? ` It contains the shell metacharacter '${meta}': nothing in a recipe goes through a shell.` : '';
      const message = `${where(path)}: '${show(v)}' is not valid. ${s.patternErrorMessage ?? `It must match ${s.pattern.source}.`}${shell}`;
      this.add({ kind: 'pattern', path, message, value: v });
    }
  }

  private number(v: number, s: CompiledSchema, path: PathSegment[]): void {
    if ((s.minimum !== undefined && v < s.minimum) || (s.maximum !== undefined && v > s.maximum)) {
      const range = s.minimum !== undefined && s.maximum !== undefined ? `${s.minimum}–${s.maximum}` : s.minimum !== undefined ? `≥ ${s.minimum}` : `≤ ${s.maximum}`;
      this.add({ kind: 'range', path, message: `${where(path)}: ${v} is out of range (${range}).`, value: v });
    }
  }

  private object(v: Record<string, unknown>, s: CompiledSchema, path: PathSegment[]): void {
    for (const r of s.required) {
      if (Object.hasOwn(v, r)) continue;
      const rs = s.properties?.get(r);
      const example = rs?.examples?.[0] !== undefined ? ` (e.g. ${r}: ${String(rs.examples[0])})` : rs?.enum ? ` (${rs.enum.map(String).join(' or ')})` : '';
      this.add({ kind: 'required', path, property: r, message: `Missing required field '${r}'${example}.` });
    }
    const known = s.properties ? [...s.properties.keys()] : [];
    for (const [k, val] of Object.entries(v)) {
      const child = [...path, k];
      if (s.propertyNames?.pattern && !s.propertyNames.pattern.test(k)) {
        this.add({ kind: 'key-pattern', path: child, value: k,
          message: `${where(path)}: '${show(k)}' is not a valid name. ${s.propertyNames.patternErrorMessage ?? ''}`.trimEnd() });
      }
      const ps = s.properties?.get(k);
      if (ps) { this.check(val, ps, child); continue; }
      if (s.additional === false) {
        const suggestion = didYouMean(k, known.filter((n) => !Object.hasOwn(v, n)));
        const inside = path.length === 0 ? '' : ` in ${pathKey(path)}`;
        const message = `Unknown field '${show(k)}'${inside}.${suggestion ? ` Did you mean '${suggestion}'?` : ` Known fields: ${known.join(', ')}.`}`;
        this.add({ kind: 'unknown-key', path: child, value: k, message, ...(suggestion !== undefined && { suggestion }) });
      } else if (s.additional) this.check(val, s.additional, child);
    }
  }
}

/** Validates a parsed recipe (the document's value; an empty document counts as an empty mapping). */
export function validateRecipeValue(value: unknown): SchemaIssue[] {
  const v = new Validator();
  v.check(value === null || value === undefined ? {} : value, recipeSchema(), []);
  return v.issues;
}
