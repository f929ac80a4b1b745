import type { Diagnostic, Fix, TextEdit } from '../../kernel/diagnostic';
import { replaceKey, replaceNode, scalarText } from '../edits';
import { firstLineOf, nodeAt, rangeFor, type ParsedRecipe } from '../parse';
import { pathKey } from '../path';
import type { SchemaIssue } from '../schema';
import { semanticProblems } from '../validate';
import type { RecipeRule } from './rule';

const fix = (title: string, edit: TextEdit | undefined, safe: boolean): Fix[] =>
  edit ? [{ title, kind: 'quickfix', isPreferred: true, safe, changes: [{ edits: [edit] }] }] : [];

function fixesFor(parsed: ParsedRecipe, issue: SchemaIssue): Fix[] {
  const node = nodeAt(parsed, issue.path);
  if (!node) return [];
  const source = parsed.text.slice(node.start, node.end);
  switch (issue.kind) {
    case 'unknown-key':
      return issue.suggestion ? fix(`Rename to '${issue.suggestion}'`, replaceKey(parsed, node, issue.suggestion), true) : [];
    case 'enum': {
      const s = issue.suggestion;
      if (s === undefined || node.kind !== 'scalar') return [];
      const caseOnly = typeof issue.value === 'string' && issue.value.toLowerCase() === s.toLowerCase();
      return fix(`Change to '${s}'`, replaceNode(parsed, node, scalarText(node, s)), caseOnly);
    }
    case 'type': {
      if (node.kind !== 'scalar' || source.includes('\n')) return [];
      const expected = issue.expected ?? [];
      const v = issue.value;
      if (expected.includes('string') && (typeof v === 'number' || typeof v === 'boolean') && !node.quote) {
        return fix('Quote it as a string', replaceNode(parsed, node, JSON.stringify(source)), true);
      }
      if (expected.includes('boolean') && typeof v === 'string' && /^(y|yes|on)$/i.test(v)) return fix('Change to true', replaceNode(parsed, node, 'true'), true);
      if (expected.includes('boolean') && typeof v === 'string' && /^(n|no|off)$/i.test(v)) return fix('Change to false', replaceNode(parsed, node, 'false'), true);
      if (expected.includes('array') && typeof v === 'string' && source !== '') return fix('Make it a list', replaceNode(parsed, node, `[${source}]`), false);
      return [];
    }
    default:
      return [];
  }
}

function rangeOf(parsed: ParsedRecipe, issue: SchemaIssue) {
  switch (issue.kind) {
    case 'required': return issue.path.length === 0 ? firstLineOf(parsed) : rangeFor(parsed, issue.path, 'key');
    case 'unknown-key':
    case 'key-pattern': return rangeFor(parsed, issue.path, 'key');
    default: return rangeFor(parsed, issue.path, 'value');
  }
}

export const schemaRule: RecipeRule = {
  code: 'OB201',
  name: 'schema',
  defaultSeverity: 'error',
  description: 'The recipe must match its schema and be one the build can run: known fields only (with a did-you-mean for '
    + 'typos), the right types (packages is a list of strings), required image, distro and suite, valid package names and '
    + 'components (never shell text or options), a variant the builder runs, remove entries that are absolute paths without '
    + '.. or a wildcard in the first folder, config values on one line, ports 1–65535, an http, https or file mirror URL. '
    + 'The build refuses exactly these, with the same message.',
  check({ parsed }): Diagnostic[] {
    const out: Diagnostic[] = parsed.issues.map((issue) => {
      const fixes = fixesFor(parsed, issue);
      return { code: 'OB201', severity: 'error', message: issue.message, range: rangeOf(parsed, issue), ...(fixes.length > 0 && { fixes }) };
    });
    if (parsed.value === null || parsed.value === undefined) return out;
    const taken = new Set(parsed.issues.map((i) => pathKey(i.path)));
    for (const p of semanticProblems(parsed.value)) {
      if (p.code !== 'OB201' || taken.has(pathKey(p.path))) continue;
      out.push({ code: 'OB201', severity: 'error', message: p.message, range: rangeFor(parsed, p.path) });
    }
    return out;
  },
};
