import type { Diagnostic, Fix } from '../../kernel/diagnostic';
import { replaceNode, scalarText } from '../edits';
import { parseImageRef } from '../../kernel/imageRef';
import type { ParsedRecipe } from '../parse';
import { oneLine } from '../path';
import { stringField, type Located, type RecipeRule } from './rule';

function lowercaseFix(parsed: ParsedRecipe, image: Located): Fix[] {
  const lower = image.value.toLowerCase();
  const ok = parseImageRef(lower);
  if (lower === image.value || 'error' in ok || !image.node || image.node.kind !== 'scalar') return [];
  return [{ title: `Change to '${lower}'`, kind: 'quickfix', isPreferred: true, safe: false,
    changes: [{ edits: [replaceNode(parsed, image.node, scalarText(image.node, lower))] }] }];
}

export interface ImageVerdict {
  readonly severity: Diagnostic['severity'];
  readonly message: string;
  /** Lowercasing the name may fix it. */
  readonly lowercase?: boolean;
}

/** OB205's verdict on a non-empty image name (`suite` only words the hint); undefined when it is a fine name with a tag. */
export function imageVerdict(name: string, suite?: string): ImageVerdict | undefined {
  const ref = parseImageRef(name);
  const image = oneLine(name);
  if ('error' in ref) return { severity: 'error', lowercase: true, message: `Invalid image reference '${image}': ${ref.error}.` };
  if (ref.registry !== undefined && ref.registry !== ref.registry.toLowerCase() && !/[.:]/.test(ref.registry)) {
    return { severity: 'error', lowercase: true, message: `Invalid image reference '${image}': '${ref.registry}' would be read as a registry host because it has `
      + 'uppercase letters; repository names are lowercase.' };
  }
  if (ref.digest !== undefined) {
    return { severity: 'error', message: `Invalid image reference '${image}': docker import gives the new base a name and tag; `
      + `a digest (@${ref.digest.split(':')[0]}:…) is computed from the content and cannot be assigned.` };
  }
  if (ref.tag === undefined) {
    return { severity: 'hint', message: `'${image}' has no tag, so docker import tags it :latest; a tag such as :${oneLine(suite ?? '') || 'bookworm'} `
      + 'keeps bases of different releases apart.' };
  }
  return undefined;
}

export const imageRefRule: RecipeRule = {
  code: 'OB205',
  name: 'invalid-image-reference',
  defaultSeverity: 'error',
  description: '`image` is what docker import tags the base with: it must be a valid Docker reference (lowercase '
    + 'repository path, optional registry host:port, tag of up to 128 characters) and cannot carry a digest.',
  check({ parsed }): Diagnostic[] {
    const image = stringField(parsed, 'image');
    if (!image || image.value === '') return [];
    const verdict = imageVerdict(image.value, stringField(parsed, 'suite')?.value);
    if (!verdict) return [];
    const fixes = verdict.lowercase === true ? lowercaseFix(parsed, image) : [];
    return [{ code: 'OB205', severity: verdict.severity, message: verdict.message, range: image.range, ...(fixes.length > 0 && { fixes }) }];
  },
};
