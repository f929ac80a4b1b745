import * as vscode from 'vscode';
import type { RuleSetting } from '../core/kernel/policy';

export const SECTION = 'ownbase';

export interface LintSettings {
  readonly rules: Record<string, RuleSetting>;
  readonly ownedPatterns: string[];
  readonly requireIgnoreReason: boolean;
}

const RULE_SETTINGS = new Set(['off', 'hint', 'information', 'warning', 'error']);

export function lintSettings(scope?: vscode.ConfigurationScope): LintSettings {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const rules: Record<string, RuleSetting> = {};
  for (const [code, value] of Object.entries(config.get<Record<string, string>>('rules') ?? {})) {
    if (RULE_SETTINGS.has(value)) rules[code.toUpperCase()] = value as RuleSetting;
  }
  return { rules, ownedPatterns: config.get<string[]>('ownedImages') ?? [], requireIgnoreReason: config.get<boolean>('requireIgnoreReason', false) };
}

export const previewRefactors = (scope?: vscode.ConfigurationScope): boolean =>
  vscode.workspace.getConfiguration(SECTION, scope).get<boolean>('previewRefactors', true);
