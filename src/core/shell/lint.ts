import type { Diagnostic } from '../kernel/diagnostic';
import { applyPolicy, ruleIsOn, type PolicyOptions } from '../kernel/policy';
import { LineIndex } from '../kernel/text';
import { generatedDockerfile } from './generatedDockerfile';

/** Diagnostics of a shell script. Never throws on any input. */
export function lintShellScript(text: string, options: PolicyOptions = {}): Diagnostic[] {
  const lines = new LineIndex(text);
  return applyPolicy(ruleIsOn(options, 'OB301') ? generatedDockerfile(lines) : [], lines, options);
}
