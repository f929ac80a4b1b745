import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { endpointEnv, engineEndpoint, type EngineEnv } from '../../core/engine/endpoint';
import type { Builder } from '../../core/recipe/types';
import { machineValue } from './machineSetting';

/** sudo reads the password from stdin (-S), which the build terminal forwards without echo. */
export const DEFAULT_ELEVATION = ['sudo', '-S', '-p', '[sudo] password for %u: '] as const;

export interface BuildSettings {
  /** undefined: the recipe's `builder`, else the CLI's default (mmdebstrap when installed, else debootstrap). */
  readonly builder?: Builder;
  readonly elevation: readonly string[];
  readonly workDir?: string;
  readonly cacheDir?: string;
  readonly keepRootfs: boolean;
  readonly dockerHost?: string;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/**
 * The build settings for a recipe. Where a build writes as root and what elevates it are machine-scoped: read from
 * the user's settings only, so a workspace cannot set them.
 */
export function buildSettings(scope?: vscode.ConfigurationScope): BuildSettings {
  const build = vscode.workspace.getConfiguration('ownbase.build', scope);
  const builder = build.get<string>('builder');
  const elevation = machineValue<unknown>(build, 'elevationCommand');
  const workDir = text(machineValue(build, 'workDir'));
  const cacheDir = text(machineValue(build, 'cacheDir'));
  const dockerHost = text(vscode.workspace.getConfiguration('ownbase.docker', scope).get('host'));
  return {
    ...(builder === 'debootstrap' || builder === 'mmdebstrap' ? { builder } : {}),
    elevation: Array.isArray(elevation) && elevation.every((w) => typeof w === 'string') ? elevation as string[] : [...DEFAULT_ELEVATION],
    ...(workDir !== undefined && { workDir }),
    ...(cacheDir !== undefined && { cacheDir }),
    keepRootfs: machineValue<unknown>(build, 'keepRootfs') === true,
    ...(dockerHost !== undefined && { dockerHost }),
  };
}

/**
 * The engine a CLI run started here must use, as variables: the one the Owned Bases view resolves (the setting,
 * DOCKER_HOST, the docker context with its TLS material, the default socket), passed explicitly because sudo
 * resets the environment and root has another home, so it would not find the user's docker context.
 */
export function engineEnvFor(scope?: vscode.ConfigurationScope): EngineEnv {
  const setting = dockerHostSetting(scope);
  const readFile = (path: string): string | undefined => { try { return readFileSync(path, 'utf8'); } catch { return undefined; } };
  return endpointEnv(engineEndpoint({ ...(setting !== undefined && { setting }), env: process.env, home: homedir(), readFile }));
}

/** The docker host setting alone (import, export, commit talk to the engine in-process). */
export const dockerHostSetting = (scope?: vscode.ConfigurationScope): string | undefined =>
  text(vscode.workspace.getConfiguration('ownbase.docker', scope).get('host'));
