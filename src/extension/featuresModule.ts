import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Features from './features';

export type FeaturesModule = typeof Features;

/**
 * The commands' implementations are dist/features.js, required on first use like dist/engine.js: loading them
 * with extension.js would put the build runner, the inspector's host, the tree's commands and New Recipe into
 * every window's activation.
 */
export function featuresLoader(extensionPath: string): () => FeaturesModule {
  const load = createRequire(join(extensionPath, 'package.json'));
  return () => load(join(extensionPath, 'dist', 'features.js')) as FeaturesModule;
}
