import type { RuleDoc } from '../kernel/diagnostic';
import { DOCKERFILE_RULES } from '../dockerfile/rules';
import { RECIPE_RULE_DOCS } from '../recipe/ruleDocs';
import { GENERATED_DOCKERFILE_DESCRIPTION } from '../shell/generatedDockerfile';

export type { RuleDoc } from '../kernel/diagnostic';

/** Every rule ownbase reports, for SARIF rule metadata, settings and the README's rule reference. */
export const RULES: readonly RuleDoc[] = [
  ...DOCKERFILE_RULES.map(({ code, name, defaultSeverity, description }) => ({ code, name, defaultSeverity, description })),
  ...RECIPE_RULE_DOCS,
  { code: 'OB301', name: 'generated-dockerfile', defaultSeverity: 'warning', description: GENERATED_DOCKERFILE_DESCRIPTION },
];
