import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Engine from '../../core/engine';

export type EngineModule = typeof Engine;

/**
 * The engine client (src/core/engine: dockerode and its transports) is a bundle of its own,
 * dist/engine.js, required on first use: in extension.js it would multiply the activation time.
 */
export function engineLoader(extensionPath: string): () => EngineModule {
  const load = createRequire(join(extensionPath, 'package.json'));
  return () => load(join(extensionPath, 'dist', 'engine.js')) as EngineModule;
}
