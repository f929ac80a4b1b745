import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The default local engine socket. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** TLS towards a `tcp://` engine. */
export interface EngineTls {
  /** The folder of `ca.pem`, `cert.pem` and `key.pem` (those present are used), as `DOCKER_CERT_PATH` names it. */
  readonly certDir?: string;
  /** Check the engine's certificate (`DOCKER_TLS_VERIFY`; a docker context without `SkipTLSVerify`). */
  readonly verify: boolean;
}

/** Which engine ownbase talks to, and why that one. */
export interface EngineEndpoint {
  /** What the docker CLI takes as `-H`: `unix:///…`, `tcp://…`, `ssh://…`. */
  readonly host: string;
  readonly source: 'setting' | 'DOCKER_HOST' | 'context' | 'default';
  /** The docker CLI context it came from. */
  readonly context?: string;
  /** Only for a TCP engine, when TLS is asked for. */
  readonly tls?: EngineTls;
}

export interface EndpointInputs {
  /** `ownbase.docker.host`; empty or undefined: not set. */
  readonly setting?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The user's home folder (the docker CLI's config is `~/.docker` unless DOCKER_CONFIG says otherwise). */
  readonly home: string;
  /** Reads a file as text; undefined when it cannot be read. */
  readonly readFile: (path: string) => string | undefined;
}

const TLS_FILES = ['ca.pem', 'cert.pem', 'key.pem'] as const;
const nonEmpty = (v: string | undefined): string | undefined => (v !== undefined && v.trim() !== '' ? v.trim() : undefined);
/** TCP in any of the forms the docker CLI takes (`tcp://`, `http(s)://`, a bare `host:port`). */
const isTcpHost = (host: string): boolean => /^(tcp|https?):\/\//i.test(host) || (!host.includes('://') && !host.startsWith('/'));

/**
 * The engine as the docker CLI would pick it, with ownbase's setting first: `ownbase.docker.host`, else
 * `DOCKER_HOST` (both with TLS from `DOCKER_TLS_VERIFY`, `DOCKER_TLS` and `DOCKER_CERT_PATH`), else the current
 * docker context (`DOCKER_CONTEXT`, else `currentContext` in the CLI's config.json; its endpoint in
 * `contexts/meta/<sha256 of the name>/meta.json`, its TLS material in `contexts/tls/<sha256>/docker/`), else the
 * default socket. The extension's views, its builds and the CLI all resolve the engine here.
 */
export function engineEndpoint(i: EndpointInputs): EngineEndpoint {
  const configDir = nonEmpty(i.env['DOCKER_CONFIG']) ?? join(i.home, '.docker');
  const withEnvTls = (host: string, source: 'setting' | 'DOCKER_HOST'): EngineEndpoint => {
    const tls = isTcpHost(host) ? envTls(i.env, configDir) : undefined;
    return { host, source, ...(tls && { tls }) };
  };
  const setting = nonEmpty(i.setting);
  if (setting) return withEnvTls(setting, 'setting');
  const envHost = nonEmpty(i.env['DOCKER_HOST']);
  if (envHost) return withEnvTls(envHost, 'DOCKER_HOST');
  const context = nonEmpty(i.env['DOCKER_CONTEXT']) ?? currentContext(i.readFile(join(configDir, 'config.json')));
  if (context && context !== 'default') {
    const dir = createHash('sha256').update(context).digest('hex');
    const docker = contextEndpoint(i.readFile(join(configDir, 'contexts', 'meta', dir, 'meta.json')));
    if (docker) {
      const certDir = join(configDir, 'contexts', 'tls', dir, 'docker');
      const material = TLS_FILES.some((f) => i.readFile(join(certDir, f)) !== undefined);
      const tls = isTcpHost(docker.host) && (material || docker.skipTlsVerify) ? { ...(material && { certDir }), verify: !docker.skipTlsVerify } : undefined;
      return { host: docker.host, source: 'context', context, ...(tls && { tls }) };
    }
  }
  return { host: `unix://${DEFAULT_DOCKER_SOCKET}`, source: 'default' };
}

/**
 * TLS as the docker tools read it from the environment: `DOCKER_TLS_VERIFY` (any value) verifies, `DOCKER_TLS`
 * or a `DOCKER_CERT_PATH` alone use TLS without verifying; the certificates are in `DOCKER_CERT_PATH`, else the
 * docker config folder.
 */
function envTls(env: Readonly<Record<string, string | undefined>>, configDir: string): EngineTls | undefined {
  const verify = nonEmpty(env['DOCKER_TLS_VERIFY']) !== undefined;
  const certPath = nonEmpty(env['DOCKER_CERT_PATH']);
  if (!verify && nonEmpty(env['DOCKER_TLS']) === undefined && certPath === undefined) return undefined;
  return { certDir: certPath ?? configDir, verify };
}

/** The variables that carry an engine to another process (the CLI, `docker`), every one named: unset ones are removed. */
export const ENGINE_ENV_NAMES = ['DOCKER_HOST', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY', 'DOCKER_TLS', 'DOCKER_CONTEXT'] as const;
export type EngineEnv = Readonly<Record<(typeof ENGINE_ENV_NAMES)[number], string | undefined>>;

/**
 * The environment that makes another process resolve `e` exactly: its host in `DOCKER_HOST` (which wins over any
 * context), its TLS material and whether to verify; nothing else that could pick another engine.
 */
export function endpointEnv(e: EngineEndpoint): EngineEnv {
  return {
    DOCKER_HOST: e.host,
    DOCKER_CERT_PATH: e.tls?.certDir,
    DOCKER_TLS_VERIFY: e.tls?.verify ? '1' : undefined,
    DOCKER_TLS: e.tls && !e.tls.verify ? '1' : undefined,
    DOCKER_CONTEXT: undefined,
  };
}

/**
 * Whether the engine runs on another machine (TCP to another host, or SSH): a build then makes the rootfs
 * here and sends it over the connection.
 */
export function isRemoteEndpoint(host: string): boolean {
  const h = host.trim();
  if (h === '' || h.startsWith('/') || /^(unix|npipe):\/\//i.test(h)) return false;
  if (/^ssh:\/\//i.test(h)) return true;
  let hostname: string;
  try {
    hostname = new URL(h.includes('://') ? h : `tcp://${h}`).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return false;
  }
  return !(hostname === '' || hostname === 'localhost' || hostname === '::1' || /^127\./.test(hostname));
}

function currentContext(config: string | undefined): string | undefined {
  const c = jsonObject(config)?.['currentContext'];
  return typeof c === 'string' ? nonEmpty(c) : undefined;
}

function contextEndpoint(meta: string | undefined): { host: string; skipTlsVerify: boolean } | undefined {
  const endpoints = jsonObject(meta)?.['Endpoints'];
  const docker = typeof endpoints === 'object' && endpoints !== null ? (endpoints as Record<string, unknown>)['docker'] : undefined;
  if (typeof docker !== 'object' || docker === null) return undefined;
  const { Host: host, SkipTLSVerify: skip } = docker as Record<string, unknown>;
  return typeof host === 'string' && host.trim() !== '' ? { host: host.trim(), skipTlsVerify: skip === true } : undefined;
}

function jsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The engine engineEndpoint picks for this process: ownbase's setting when given, else this process's environment
 * and the user's docker CLI config. The CLI, the extension and connectEngine resolve it here.
 */
export function resolveEngineEndpoint(setting?: string): EngineEndpoint {
  return engineEndpoint({ ...(setting !== undefined && { setting }), env: process.env, home: homedir(), readFile: readText });
}

const readText = (path: string): string | undefined => { try { return readFileSync(path, 'utf8'); } catch { return undefined; } };

/** The path of a local engine socket (`unix://PATH` or a bare path), else undefined. */
export function localSocket(endpoint: EngineEndpoint): string | undefined {
  const host = endpoint.host.trim();
  const path = host.startsWith('unix://') ? host.slice('unix://'.length) : host.startsWith('/') ? host : undefined;
  return path === '' ? undefined : path;
}

/** The engine API's path for an image operation (`json`, `get`): each part of the reference encoded, its slashes kept. */
export const imageApiPath = (ref: string, op: 'json' | 'get'): string => `/images/${ref.split('/').map(encodeURIComponent).join('/')}/${op}`;
