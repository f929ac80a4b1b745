import type { Diagnostic } from '../../../src/core/kernel/diagnostic';
import { fixesOf, lintText, type LintOptions } from '../../../src/core/lint';

/** A Dockerfile's diagnostics, each with the fixes an editor gets when it asks for them (as the extension does). */
export function lintDockerfile(text: string, options: LintOptions = {}): Diagnostic[] {
  const ds = lintText('dockerfile', text, { ...options, fixes: false });
  const fixes = fixesOf('dockerfile', text, ds, options);
  return ds.map((d, i) => ({ ...d, fixes: fixes[i]! }));
}
