import { Document, isMap, isSeq, Scalar, type Pair, type YAMLMap } from 'yaml';
import type { ImageConfig, Recipe } from './types';

/** Top-level fields in the documented order (README's recipe section), each with the short comment a generated recipe carries. */
const FIELDS: readonly (readonly [keyof Recipe, string])[] = [
  ['image', 'what docker import tags'],
  ['distro', 'debian | ubuntu'],
  ['suite', 'the release to bootstrap'],
  ['arch', 'another arch means --foreign + qemu-user-static'],
  ['profile', 'base | runtime (only what runtime.binaries need)'],
  ['variant', 'debootstrap variant'],
  ['mirror', "omitted: the bootstrap tool's own default"],
  ['components', 'archive components'],
  ['packages', 'installed in the chroot after the bootstrap'],
  ['runtime', 'the binaries a runtime image holds'],
  ['remove', 'deleted from the root filesystem after the install'],
  ['config', 'applied at import (docker import --change)'],
  ['builder', 'debootstrap | mmdebstrap'],
  ['slim', 'no docs, man pages, locales or apt lists'],
];
const CONFIG_FIELDS: readonly (keyof ImageConfig)[] = ['cmd', 'entrypoint', 'env', 'workdir', 'user', 'expose', 'labels'];
const EXEC_FORM = new Set<string>(['cmd', 'entrypoint']);
const FLOW_WIDTH = 80;
const COMMENT_WIDTH = 98;

function ordered<T extends object>(obj: T, order: readonly string[]): [string, unknown][] {
  const entries = Object.entries(obj).filter(([, v]) => v !== undefined);
  const rank = (k: string): number => { const i = order.indexOf(k); return i < 0 ? order.length : i; };
  return entries.sort(([a], [b]) => rank(a) - rank(b));
}

/** Short lists of short items in flow style (`[main, universe]`), others one item per line. */
function styleLists(map: YAMLMap, indent: number): void {
  for (const pair of map.items as Pair[]) {
    const key = String((pair.key as Scalar).value);
    const value = pair.value;
    if (isSeq(value)) {
      const items = value.items as Scalar[];
      const width = indent + key.length + 4 + items.reduce((n, i) => n + String(i.value).length + 4, 0);
      value.flow = EXEC_FORM.has(key) || width <= FLOW_WIDTH;
      if (EXEC_FORM.has(key)) for (const i of items) i.type = Scalar.QUOTE_DOUBLE;
    } else if (isMap(value)) styleLists(value, indent + 2);
  }
}

function wrap(text: string): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > COMMENT_WIDTH - 2) { out.push(line); line = word; } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out;
}

/** Appends each top-level field's comment to its line, aligned. */
function annotate(yaml: string): string {
  const lines = yaml.split('\n');
  const notes = new Map<number, string>();
  for (const [key, note] of FIELDS) {
    const i = lines.findIndex((l) => l.startsWith(`${key}:`));
    if (i >= 0) notes.set(i, note);
  }
  const column = Math.min(40, Math.max(0, ...[...notes.keys()].map((i) => lines[i]!.length)) + 2);
  for (const [i, note] of notes) lines[i] = `${lines[i]!.padEnd(column - 1)} # ${note}`;
  return lines.join('\n');
}

/**
 * A recipe as clean, commented YAML in the documented field order; `comment` (wrapped) heads the file.
 * `parseRecipe(serializeRecipe(r)).recipe` deep-equals `r`.
 */
export function serializeRecipe(recipe: Recipe, comment?: string): string {
  const plain: Record<string, unknown> = {};
  for (const [k, v] of ordered(recipe, FIELDS.map(([f]) => f))) {
    plain[k] = k === 'config' && typeof v === 'object' && v !== null ? Object.fromEntries(ordered(v, CONFIG_FIELDS)) : v;
  }
  const doc = new Document(plain);
  if (isMap(doc.contents)) styleLists(doc.contents, 0);
  const body = annotate(doc.toString({ flowCollectionPadding: false, lineWidth: 0 }));
  const head = comment ? `${wrap(comment).map((l) => (l ? `# ${l}` : '#')).join('\n')}\n` : '';
  return head + body;
}

/** `NAME.ownbase.yaml`, else `NAME-2.ownbase.yaml`, …: the first file name `exists` says is free (NAME may carry the extension). */
export function freeRecipeName(name: string, exists: (fileName: string) => boolean): string {
  const stem = name.replace(/\.ownbase\.ya?ml$/, '');
  for (let n = 1; ; n++) {
    const fileName = `${stem}${n === 1 ? '' : `-${n}`}.ownbase.yaml`;
    if (!exists(fileName)) return fileName;
  }
}
