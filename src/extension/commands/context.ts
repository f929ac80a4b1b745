import type { Services } from '../services';
import type { RunRegistry } from '../terminal/runs';
import type { EngineModule } from './engineModule';
import type { KeptRootfs } from './keptRootfs';

/** What the commands share: the services, the runs in progress, the rootfs folders builds kept. */
export interface CommandContext {
  readonly services: Services;
  readonly runs: RunRegistry;
  readonly kept: KeptRootfs;
  /** dist/cli.js of this extension. */
  readonly cliPath: string;
  /** src/core/engine, loaded on first use (dist/engine.js). */
  readonly engine: () => EngineModule;
}
