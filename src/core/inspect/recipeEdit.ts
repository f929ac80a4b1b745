import type { TextEdit } from '../kernel/diagnostic';
import { edit, removeListItem, scalarText } from '../recipe/edits';
import { nodeAt, parseRecipe } from '../recipe/parse';

/** What the inspector proposes to take out of an image, in the recipe's terms. */
export interface Removal {
  /** A package name, or a container class id. */
  readonly name: string;
  /** `remove:` globs that drop it when the recipe does not ask for it by name. */
  readonly remove: readonly string[];
}

export type RemovalEdit =
  | { readonly ok: true; readonly edits: TextEdit[]; readonly summary: string }
  | { readonly ok: false; readonly reason: string };

/**
 * The recipe edit that removes `r` from the image: a package the recipe asks for leaves `packages:`;
 * anything else gets its globs appended to `remove:` (created at the end when missing; globs already
 * listed are not repeated). The rest of the text (comments, order, style) stays as it is.
 */
export function recipeRemovalEdit(text: string, r: Removal): RemovalEdit {
  const parsed = parseRecipe(text);
  if (!parsed.recipe) return { ok: false, reason: 'the recipe has errors; fix them first' };
  const asked = parsed.recipe.packages ?? [];
  const index = asked.indexOf(r.name);
  if (index >= 0) {
    const e = removeListItem(parsed, ['packages'], index);
    return e ? { ok: true, edits: [e], summary: `drop ${r.name} from packages:` } : { ok: false, reason: 'the packages: list is written in a way this edit does not handle' };
  }
  const listed = new Set(parsed.recipe.remove ?? []);
  const globs = r.remove.filter((g, i) => !listed.has(g) && r.remove.indexOf(g) === i);
  if (globs.length === 0) return { ok: false, reason: r.remove.length === 0 ? `nothing to remove for ${r.name}` : `remove: lists all of ${r.name} already` };
  const summary = `add ${globs.length === 1 ? globs[0] : `${globs.length} paths`} to remove: (${r.name})`;
  const list = nodeAt(parsed, ['remove']);
  const quote = (g: string): string => scalarText(undefined, g);
  if (!list) {
    const sep = text === '' || text.endsWith('\n') ? '' : '\n';
    return { ok: true, edits: [edit(parsed, text.length, text.length, `${sep}remove:\n${globs.map((g) => `  - ${quote(g)}\n`).join('')}`)], summary };
  }
  if (list.kind !== 'seq') return { ok: false, reason: 'remove: is not a list' };
  if (list.flow) {
    const close = text.lastIndexOf(']', list.end);
    if (close < list.start) return { ok: false, reason: 'the remove: list is written in a way this edit does not handle' };
    return { ok: true, edits: [edit(parsed, close, close, `${list.children > 0 ? ', ' : ''}${globs.map(quote).join(', ')}`)], summary };
  }
  const last = nodeAt(parsed, ['remove', list.children - 1]);
  if (!last) return { ok: false, reason: 'the remove: list is written in a way this edit does not handle' };
  const line = parsed.lines.positionAt(last.start).line;
  const lineStart = parsed.lines.offsetAt({ line, character: 0 });
  const indent = /^[ \t]*-[ \t]+/.exec(text.slice(lineStart, last.start))?.[0];
  if (indent === undefined) return { ok: false, reason: 'the remove: list is written in a way this edit does not handle' };
  const end = parsed.lines.lineEnd(parsed.lines.positionAt(Math.max(last.start, last.end - (text[last.end - 1] === '\n' ? 1 : 0))).line);
  return { ok: true, edits: [edit(parsed, end, end, globs.map((g) => `\n${indent}${quote(g)}`).join(''))], summary };
}
