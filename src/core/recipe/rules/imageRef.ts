import type { Diagnostic, Fix } from '../../kernel/diagnostic';
import { replaceNode, scalarText } from '../edits';
import { parseImageRef } from '../../kernel/imageRef';
import type { ParsedRecipe } from '../parse';
import { stringField, type Located, type RecipeRule } from './rule';

function lowercaseFix(parsed: ParsedRecipe, image: Located): Fix[] {
  const lower = image.value.toLowerCase();
  const ok = parseImageRef(lower);
  if (lower === image.value || 'error' in ok || !image.node || image.node.kind !== 'scalar') return [];
  return [{ title: `Change to '${lower}'`, kind: 'quickfix', isPreferred: true, safe: false,
    changes: [{ edits: [replaceNode(parsed, image.node, scalarText(image.node, lower))] }] }];
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
    const diag = (severity: Diagnostic['severity'], message: string, fixes: Fix[] = []): Diagnostic[] =>
      [{ code: 'OB205', severity, message, range: image.range, ...(fixes.length > 0 && { fixes }) }];
    const ref = parseImageRef(image.value);
    if ('error' in ref) return diag('error', `Invalid image reference '${image.value}': ${ref.error}.`, lowercaseFix(parsed, image));
    if (ref.registry !== undefined && ref.registry !== ref.registry.toLowerCase() && !/[.:]/.test(ref.registry)) {
      return diag('error', `Invalid image reference '${image.value}': '${ref.registry}' would be read as a registry host because it has `
        + 'uppercase letters; repository names are lowercase.', lowercaseFix(parsed, image));
    }
    if (ref.digest !== undefined) {
      return diag('error', `Invalid image reference '${image.value}': docker import gives the new base a name and tag; `
        + `a digest (@${ref.digest.split(':')[0]}:…) is computed from the content and cannot be assigned.`);
    }
    if (ref.tag === undefined) {
      return diag('hint', `'${image.value}' has no tag, so docker import tags it :latest; a tag such as :${stringField(parsed, 'suite')?.value || 'bookworm'} `
        + 'keeps bases of different releases apart.');
    }
    return [];
  },
};
