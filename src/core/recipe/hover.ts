import type { Position, Range } from '../kernel/diagnostic';
import { fieldAt, parseRecipe } from './parse';
import { pathKey } from './path';
import { describeField } from './schema';
import { updateSuites } from './suites';
import { findSuite, suiteLabel } from './suites';

export interface RecipeHover { readonly markdown: string; readonly range: Range }

/** What the field under the cursor means (from the schema), and for a suite which release it is. */
export function hoverRecipe(text: string, position: Position): RecipeHover | undefined {
  const parsed = parseRecipe(text);
  const node = fieldAt(parsed, position);
  if (!node) return undefined;
  const description = describeField(node.path);
  if (!description) return undefined;
  const lines = [`**${pathKey(node.path)}** — ${description}`];
  const suite = parsed.value && typeof parsed.value === 'object' ? (parsed.value as Record<string, unknown>)['suite'] : undefined;
  const found = pathKey(node.path) === 'suite' && typeof suite === 'string' ? findSuite(suite) : undefined;
  if (found) lines.push(`\`${String(suite)}\` is ${suiteLabel(found)}.`);
  const key = pathKey(node.path);
  if ((key === 'updates' || key === 'security_mirror') && typeof suite === 'string') {
    const distro = (parsed.value as Record<string, unknown>)['distro'];
    const u = typeof distro === 'string' ? updateSuites(distro, suite) : {};
    const names = [u.updates, u.security].filter((x): x is string => x !== undefined).map((x) => `\`${x}\``);
    lines.push(names.length > 0 ? `For \`${suite}\`: ${names.join(' and ')}.` : `\`${suite}\` has no updates or security suites.`);
  }
  return { markdown: lines.join('\n\n'), range: node.keyRange ?? node.range };
}
