import type { RuleDoc } from '../kernel/diagnostic';
import { DOCKERFILE_RULES } from '../dockerfile/rules';
import { RECIPE_RULE_DOCS } from '../recipe/ruleDocs';
import { GENERATED_DOCKERFILE_DESCRIPTION } from '../shell/generatedDockerfile';
import { ENCODING_CODE, ENCODING_DESCRIPTION } from './encoding';
import { IGNORE_REASON_CODE, IGNORE_REASON_DESCRIPTION } from '../kernel/policy';

export type { RuleDoc } from '../kernel/diagnostic';

/** Every rule ownbase reports, for SARIF rule metadata, settings and the README's rule reference. */
export const RULES: readonly RuleDoc[] = [
  { code: ENCODING_CODE, name: 'not-utf8', defaultSeverity: 'error', description: ENCODING_DESCRIPTION },
  { code: IGNORE_REASON_CODE, name: 'ignore-without-reason', defaultSeverity: 'warning', description: IGNORE_REASON_DESCRIPTION },
  ...DOCKERFILE_RULES.map(({ code, name, defaultSeverity, description }) => ({ code, name, defaultSeverity, description })),
  ...RECIPE_RULE_DOCS,
  { code: 'OB301', name: 'generated-dockerfile', defaultSeverity: 'warning', description: GENERATED_DOCKERFILE_DESCRIPTION },
];

/** The codes of a rule policy that name no rule (a typo switches nothing off, so callers say so). */
export function unknownRuleCodes(rules: Readonly<Record<string, unknown>>): string[] {
  const known = new Set(RULES.map((r) => r.code));
  return Object.keys(rules).filter((c) => !known.has(c.toUpperCase()));
}
