import type { Diagnostic } from '../kernel/diagnostic';
import { applyPolicy, ruleIsOn, type PolicyOptions } from '../kernel/policy';
import { parseDockerfile, type DockerfileModel } from './model';
import { qemuExceptionStages } from './qemu';
import type { LintContext, OwnedImage } from './rule';
import { DOCKERFILE_RULES } from './rules';

export interface DockerfileLintOptions extends PolicyOptions {
  readonly ownedImages?: readonly OwnedImage[];
  readonly ownedPatterns?: readonly string[];
  readonly path?: string;
  readonly fileExists?: (path: string) => boolean;
}

/** What the rules and fixes read of one Dockerfile. */
export function contextOf(model: DockerfileModel, options: DockerfileLintOptions): LintContext {
  return {
    model,
    ownedImages: options.ownedImages ?? [],
    ownedPatterns: options.ownedPatterns ?? [],
    qemuStages: qemuExceptionStages(model),
    fixes: options.fixes !== false,
    ...(options.path !== undefined && { path: options.path }),
    ...(options.fileExists && { fileExists: options.fileExists }),
  };
}

/** Diagnostics of a parsed Dockerfile; a rule switched off by the policy does not run. */
export function lintDockerfileModel(model: DockerfileModel, options: DockerfileLintOptions = {}): Diagnostic[] {
  const ctx = contextOf(model, options);
  return applyPolicy(DOCKERFILE_RULES.filter((r) => ruleIsOn(options, r.code)).flatMap((r) => r.check(ctx)), model.lines, options);
}

/** Diagnostics of a Dockerfile's text. Never throws on any input. */
export function lintDockerfile(text: string, options: DockerfileLintOptions = {}): Diagnostic[] {
  return lintDockerfileModel(parseDockerfile(text), options);
}
