import type { Position, Range } from '../kernel/diagnostic';
import { LineIndex } from '../kernel/text';
import { findArch } from '../kernel/arch';
import { parseRecipe } from './parse';
import type { PathSegment } from './path';
import { schemaAt, type CompiledSchema } from './schema';
import { suiteLabel, SUITES } from './suites';
import type { Distro } from './types';

export interface RecipeCompletion {
  readonly label: string;
  readonly kind: 'value' | 'key';
  readonly detail?: string;
  /** What the completion replaces (single line, contains the position). */
  readonly range?: Range;
  /** Text to insert when it differs from the label: `packages: ` for a new key, ` debian` right after a colon. */
  readonly insertText?: string;
}

const COMPONENTS: Readonly<Record<Distro, readonly string[]>> = {
  debian: ['main', 'contrib', 'non-free', 'non-free-firmware'],
  ubuntu: ['main', 'restricted', 'universe', 'multiverse'],
};

const indentOf = (line: string): number => /^ */.exec(line)![0].length;
const isBlank = (line: string): boolean => /^\s*(#.*)?$/.test(line);
const KEY_LINE = /^ *([A-Za-z_][\w-]*) *:[ \t]*(#.*)?$/;

/**
 * The keys of the mappings that enclose a line at `indent`, outermost first (`['config']`), found from
 * the lines above; undefined when an enclosing line is not a plain `key:`. `orEqual` admits a parent at the
 * same indentation, as for `key:\n- item`.
 */
function enclosingKeys(lines: LineIndex, line: number, indent: number, orEqual = false): string[] | undefined {
  const keys: string[] = [];
  let want = indent;
  let equal = orEqual;
  for (let l = line - 1; l >= 0 && (want > 0 || equal); l--) {
    const text = lines.lineText(l);
    if (isBlank(text)) continue;
    const ind = indentOf(text);
    if (ind > want || (ind === want && (!equal || /^ *-( |$)/.test(text)))) continue;
    const m = KEY_LINE.exec(text);
    if (!m) return undefined;
    keys.unshift(m[1]!);
    want = ind;
    equal = false;
  }
  return want > 0 || equal ? undefined : keys;
}

function firstSentence(s: string | undefined): string | undefined {
  if (!s) return undefined;
  return s.split(/(?<!\be\.g|\bi\.e)\.\s+(?=[A-Z])/)[0]!.replace(/`/g, '').replace(/\.?$/, '.');
}

function distroOf(value: unknown): Distro | undefined {
  const d = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['distro'] : undefined;
  return d === 'debian' || d === 'ubuntu' ? d : undefined;
}

function valuesFor(path: readonly PathSegment[], schema: CompiledSchema | undefined, distro: Distro | undefined): { label: string; detail?: string }[] {
  if (path.length === 1 && path[0] === 'suite') {
    return SUITES.filter((s) => s.current && (!distro || s.distro === distro)).map((s) => ({ label: s.name, detail: suiteLabel(s) }));
  }
  if (!schema) return [];
  if (schema.enum) {
    return schema.enum.map(String).map((v) => {
      const arch = path[0] === 'arch' ? findArch(v) : undefined;
      return arch ? { label: v, detail: `qemu-${arch.qemu}-static when foreign` } : { label: v };
    });
  }
  if (schema.types?.includes('boolean')) return [{ label: 'true' }, { label: 'false' }];
  return [];
}

function valueAt(value: unknown, path: readonly PathSegment[]): unknown {
  let v = value;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** Completions at a position of a recipe: keys at the top level and under config; values of distro, suite, arch, variant, builder, slim and components. */
export function completeRecipe(text: string, position: Position): RecipeCompletion[] {
  const lines = new LineIndex(text);
  if (position.line < 0 || position.line >= lines.lineCount) return [];
  const line = lines.lineText(position.line);
  const ch = Math.max(0, Math.min(position.character, line.length));
  const before = line.slice(0, ch);
  const after = line.slice(ch);
  if (/(^|\s)#/.test(before)) return [];
  const at = (start: number, end: number): Range => ({ start: { line: position.line, character: start }, end: { line: position.line, character: end } });
  const tokenEnd = ch + /^[^\s#,\]]*/.exec(after)![0].length;
  const parsed = () => parseRecipe(text).value;

  const key = /^( *)([A-Za-z_][\w-]*|)$/.exec(before);
  if (key) {
    const indent = key[1]!.length;
    const parents = indent === 0 ? [] : enclosingKeys(lines, position.line, indent);
    if (!parents) return [];
    const props = schemaAt(parents)?.properties;
    if (!props) return [];
    const wordEnd = ch + /^[\w-]*/.exec(after)![0].length;
    const hasColon = /^[\w-]* *:/.test(after);
    const present = valueAt(parsed(), parents);
    const current = line.slice(indent, wordEnd);
    return [...props].filter(([name]) => name === current || typeof present !== 'object' || present === null || !Object.hasOwn(present, name))
      .map(([name, s]) => ({
        label: name, kind: 'key' as const, range: at(indent, wordEnd),
        ...(firstSentence(s.description) !== undefined && { detail: firstSentence(s.description)! }),
        ...(!hasColon && { insertText: `${name}: ` }),
      }));
  }

  const value = /^( *)([A-Za-z_][\w-]*) *:([ \t]*)([^\s#'"[{]*)$/.exec(before);
  if (value) {
    const parents = value[1]!.length === 0 ? [] : enclosingKeys(lines, position.line, value[1]!.length);
    if (!parents) return [];
    const path = [...parents, value[2]!];
    const start = ch - value[4]!.length;
    const space = value[3] === '' ? ' ' : '';
    return valuesFor(path, schemaAt(path), distroOf(parsed())).map((v) => ({
      label: v.label, kind: 'value' as const, range: at(start, tokenEnd), ...(v.detail !== undefined && { detail: v.detail }),
      ...(space && { insertText: `${space}${v.label}` }),
    }));
  }

  const item = /^( *)-[ \t]+([^\s#'"]*)$/.exec(before);
  const flow = /^( *)([A-Za-z_][\w-]*) *: *\[([^\]#]*?[,[ ]|)([^\s,[\]#]*)$/.exec(before);
  let listPath: string[] | undefined;
  let partial = '';
  if (item) {
    listPath = enclosingKeys(lines, position.line, item[1]!.length, true);
    partial = item[2]!;
  } else if (flow) {
    const parents = flow[1]!.length === 0 ? [] : enclosingKeys(lines, position.line, flow[1]!.length);
    listPath = parents && [...parents, flow[2]!];
    partial = flow[4]!;
  }
  if (listPath && listPath.length === 1 && listPath[0] === 'components') {
    const doc = parsed();
    const distro = distroOf(doc);
    const have = valueAt(doc, ['components']);
    const taken = new Set(Array.isArray(have) ? have.filter((c) => c !== partial) : []);
    const names = distro ? COMPONENTS[distro] : [...new Set([...COMPONENTS.debian, ...COMPONENTS.ubuntu])];
    return names.filter((n) => !taken.has(n)).map((n) => ({ label: n, kind: 'value' as const, range: at(ch - partial.length, tokenEnd) }));
  }
  return [];
}
