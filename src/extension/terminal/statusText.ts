import type { BuildState } from '../../core/run/buildState';
import type { EngineState } from '../tree/engineWatcher';

/** What the one ownbase status-bar item shows: the running build, else the engine. No vscode here: unit-tested. */
export interface StatusView {
  readonly text: string;
  readonly tooltip: string;
  /** Shown on the warning background (the engine cannot be reached). */
  readonly warning: boolean;
  /** What a click does: show the build's terminal, show the Engine view, or retry the engine and show the view. */
  readonly click: 'showTerminal' | 'showEngine' | 'retryEngine';
}

/** The status bar's text for a running build: `$(sync~spin) ownbase: [3/7] slim`. */
export function buildStatusText(s: BuildState): string {
  if (s.state !== 'building') return '';
  if (s.cleanup !== undefined) return '$(sync~spin) ownbase: cleaning up';
  return s.step ? `$(sync~spin) ownbase: [${s.step.index}/${s.step.total}] ${s.step.kind}` : '$(sync~spin) ownbase: starting the build';
}

const SOURCE = { setting: 'the setting ownbase.docker.host', DOCKER_HOST: 'DOCKER_HOST', context: 'docker context', default: 'the default socket' } as const;

/**
 * The newest running build (with how many more run), else the engine: reachable with its version, unreachable
 * with the reason and a retry, or still connecting.
 */
export function statusView(running: readonly { readonly recipe: string; readonly state: BuildState }[], engine: EngineState, remote: boolean): StatusView {
  const newest = running.at(-1);
  if (newest && newest.state.state === 'building') {
    const more = running.length - 1;
    return {
      text: `${buildStatusText(newest.state)}${more > 0 ? ` (+${more})` : ''}`,
      tooltip: `${newest.recipe}: ${newest.state.step?.title ?? 'starting'} (click to show the terminal)`,
      warning: false, click: 'showTerminal',
    };
  }
  switch (engine.kind) {
    case 'unknown':
      return { text: '$(server) ownbase: connecting…', tooltip: 'Connecting to the Docker engine (click to show the Engine view)', warning: false, click: 'showEngine' };
    case 'reachable': {
      const { endpoint, version } = engine;
      const from = endpoint.source === 'context' ? `${SOURCE.context} ${endpoint.context ?? ''}` : SOURCE[endpoint.source];
      return {
        text: `$(${remote ? 'remote' : 'server'}) ownbase: Docker ${version.version}`,
        tooltip: `Docker engine ${version.version} (API ${version.apiVersion}, ${version.os}/${version.arch}) at ${endpoint.host}, from ${from}${remote ? '; builds make the rootfs here and import it over this connection' : ''} (click to show the Engine view)`,
        warning: false, click: 'showEngine',
      };
    }
    case 'unreachable':
      return {
        text: '$(warning) ownbase: no engine',
        tooltip: `${engine.error}${engine.endpoint ? ` (${engine.endpoint.host})` : ''}. Builds write an OCI archive instead. Click to retry.`,
        warning: true, click: 'retryEngine',
      };
  }
}
