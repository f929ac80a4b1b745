import { shJoin } from '../../core/build/quote';

/** The Node.js that runs the extension: plain node in code-server, Electron in desktop VS Code. */
export interface NodeRuntime {
  readonly execPath: string;
  /** Electron must be told to behave as node (ELECTRON_RUN_AS_NODE=1). */
  readonly electron: boolean;
}

export const currentRuntime = (): NodeRuntime => ({ execPath: process.execPath, electron: process.versions['electron'] !== undefined });

export interface LaunchRequest {
  readonly runtime: NodeRuntime;
  /** dist/cli.js of this extension. */
  readonly cliPath: string;
  /** The CLI's arguments: `build RECIPE …`. */
  readonly args: readonly string[];
  /** Arguments for the machine reading the output (`--progress json`): passed after `args`, not shown. */
  readonly machineArgs?: readonly string[];
  /** argv prefix that runs the rest as root (`ownbase.build.elevationCommand`); empty or undefined: as is. */
  readonly elevation?: readonly string[];
  /** `ownbase.docker.host`; empty or undefined: DOCKER_HOST as inherited. Ignored when `engineEnv` is given. */
  readonly dockerHost?: string;
  /**
   * The engine the extension resolved, as variables (`endpointEnv`): they replace the inherited ones of the same
   * names (an undefined value removes one), so the CLI talks to the engine the view shows.
   */
  readonly engineEnv?: Readonly<Record<string, string | undefined>>;
  /** The environment to start from (the extension host's). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface Launch {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly elevated: boolean;
  /** The argv as a user reads it: `sudo … ownbase build RECIPE`, for display only. */
  readonly display: string;
}

/** What the CLI reads from its environment to find the engine. */
const ENGINE_ENV = ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH'] as const;

/**
 * How to run the extension's own CLI with the node that runs the extension, optionally through an
 * elevation command. sudo and pkexec reset the environment, so what the CLI needs is passed through
 * env(1) as arguments after the elevation prefix; nothing is ever joined into a shell string.
 */
export function cliLaunch(r: LaunchRequest): Launch {
  const needed: [string, string][] = [];
  if (r.runtime.electron) needed.push(['ELECTRON_RUN_AS_NODE', '1']);
  const engine = r.engineEnv ?? Object.fromEntries(ENGINE_ENV.map((k) => [k, k === 'DOCKER_HOST' && r.dockerHost ? r.dockerHost : r.env[k]]));
  for (const [k, v] of Object.entries(engine)) if (v) needed.push([k, v]);
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.env)) if (v !== undefined && !(r.engineEnv && k in r.engineEnv)) base[k] = v;
  const command = [r.runtime.execPath, r.cliPath, ...r.args, ...(r.machineArgs ?? [])];
  const shown = ['ownbase', ...r.args];
  if (!r.elevation || r.elevation.length === 0) {
    return { argv: command, env: { ...base, ...Object.fromEntries(needed) }, elevated: false, display: shJoin(shown) };
  }
  const assignments = needed.map(([k, v]) => `${k}=${v}`);
  const visible = assignments.filter((a) => !a.startsWith('ELECTRON_RUN_AS_NODE='));
  return {
    argv: [...r.elevation, 'env', ...assignments, ...command],
    env: base,
    elevated: true,
    display: shJoin([...r.elevation, ...(visible.length > 0 ? ['env', ...visible] : []), ...shown]),
  };
}

/** The elevation prefix to use: none when already root or when the setting is empty. */
export function elevationFor(isRoot: boolean, setting: readonly string[] | undefined): readonly string[] | undefined {
  if (isRoot || !setting || setting.length === 0) return undefined;
  return setting;
}
