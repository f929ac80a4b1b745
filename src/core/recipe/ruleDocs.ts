import type { RuleDoc } from '../kernel/diagnostic';
import { RECIPE_RULES } from './rules';

/** The recipe's rule codes for SARIF metadata, settings and the README. */
export const RECIPE_RULE_DOCS: readonly RuleDoc[] = [
  { code: 'OB200', name: 'yaml-syntax', defaultSeverity: 'error',
    description: 'The recipe must be one valid YAML document: no tabs for indentation, unique keys, closed brackets and quotes, defined aliases.' },
  ...RECIPE_RULES.map(({ code, name, defaultSeverity, description }) => ({ code, name, defaultSeverity, description })),
];
