import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Inspect from '../../core/inspect';

export type InspectModule = typeof Inspect;

/** The inspector core is dist/inspect.js, required on first use like dist/engine.js: activation stays small. */
export function inspectLoader(extensionPath: string): () => InspectModule {
  const load = createRequire(join(extensionPath, 'package.json'));
  return () => load(join(extensionPath, 'dist', 'inspect.js')) as InspectModule;
}
