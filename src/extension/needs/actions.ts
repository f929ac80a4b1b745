import { basename, dirname, join } from 'node:path';
import type { NeedsJson } from '../../core/elf/needs';

export const CREATE_RECIPE = 'Create Runtime Recipe';
export const BUILD_IMAGE = 'Build Minimal Image';

/**
 * What the needs answer offers: nothing when the binary cannot be read or a library is missing, or
 * the workspace is untrusted (both run the CLI); a runtime recipe only for a dynamic binary (a static
 * one runs FROM scratch: Build Minimal Image makes that).
 */
export function needsActions(json: NeedsJson, trusted: boolean): string[] {
  const b = json.binaries[0];
  if (!trusted || b === undefined || b.error !== undefined || b.missing.length > 0) return [];
  return b.static ? [BUILD_IMAGE] : [CREATE_RECIPE, BUILD_IMAGE];
}

/** The recipe a binary gets by default: `NAME.ownbase.yaml` beside it (lower case, safe characters). */
export function defaultRecipePath(binary: string): string {
  const stem = basename(binary).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'app';
  return join(dirname(binary), `${stem}.ownbase.yaml`);
}
