import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { DEFAULT_DOCKER_SOCKET, resolveEngineEndpoint, type EngineEndpoint, type EngineTls } from './endpoint';

/** Where an engine listens, parsed from `ownbase.docker.host` / `DOCKER_HOST`. */
export type EngineAddress =
  | { readonly kind: 'socket'; readonly socketPath: string }
  | { readonly kind: 'tcp'; readonly protocol: 'http' | 'https'; readonly host: string; readonly port: number }
  | { readonly kind: 'ssh'; readonly host: string; readonly port: number; readonly username?: string };

/**
 * Parses a Docker host as the docker CLI accepts it: `unix:///path`, a bare `/path`, `npipe://…`,
 * `tcp://host:port` (https when `DOCKER_TLS_VERIFY` is set or the port is 2376), `http(s)://…`, `ssh://user@host`.
 */
export function parseEngineHost(host: string, env: NodeJS.ProcessEnv = process.env): EngineAddress {
  const h = host.trim();
  if (h === '') return { kind: 'socket', socketPath: DEFAULT_DOCKER_SOCKET };
  if (h.startsWith('/')) return { kind: 'socket', socketPath: h };
  if (h.startsWith('unix://')) return { kind: 'socket', socketPath: h.slice('unix://'.length) || DEFAULT_DOCKER_SOCKET };
  if (h.startsWith('npipe://')) return { kind: 'socket', socketPath: h.slice('npipe://'.length) || '//./pipe/docker_engine' };
  let url: URL;
  try {
    url = new URL(h.includes('://') ? h : `tcp://${h}`);
  } catch {
    throw new Error(`Docker host "${host}" is not valid: use unix:///var/run/docker.sock, tcp://HOST:PORT or ssh://USER@HOST`);
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (hostname === '') throw new Error(`Docker host "${host}" names no host`);
  switch (url.protocol) {
    case 'ssh:':
      return { kind: 'ssh', host: hostname, port: url.port ? Number(url.port) : 22, ...(url.username ? { username: decodeURIComponent(url.username) } : {}) };
    case 'tcp:':
    case 'http:':
    case 'https:': {
      const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 2376 : 2375;
      const tls = url.protocol === 'https:' || (env['DOCKER_TLS_VERIFY'] ?? '').trim() !== '' || port === 2376;
      return { kind: 'tcp', protocol: tls ? 'https' : 'http', host: hostname, port };
    }
    default:
      throw new Error(`Docker host "${host}" has an unsupported scheme ${url.protocol}: use unix://, tcp:// or ssh://`);
  }
}

/** How an address is shown in messages: the socket path, or `tcp://host:port`. */
export function formatEngineAddress(a: EngineAddress): string {
  switch (a.kind) {
    case 'socket': return a.socketPath;
    case 'tcp': return `tcp://${a.host}:${a.port}`;
    case 'ssh': return `ssh://${a.username !== undefined ? `${a.username}@` : ''}${a.host}:${a.port}`;
  }
}

/**
 * A client for an engine: `target` as resolved by {@link engineEndpoint}, or a host (the setting
 * `ownbase.docker.host`, TLS from the environment), or nothing: resolved here as the docker CLI would
 * (`DOCKER_HOST`, the current docker context with its TLS material, the default socket). Connecting is lazy:
 * nothing is contacted until the first call; a TLS file named but unreadable is an error now.
 */
export function connectEngine(target?: string | EngineEndpoint): Dockerode {
  const endpoint = typeof target === 'object' ? target : resolveEngineEndpoint(target);
  // TLS is the endpoint's: the environment's applies to DOCKER_HOST and the setting, never to a context.
  const address = parseEngineHost(endpoint.host, {});
  // Every field is given explicitly: docker-modem merges its own DOCKER_HOST parsing under ours.
  switch (address.kind) {
    case 'socket':
      return new Dockerode({ socketPath: address.socketPath, host: undefined, port: undefined, protocol: undefined });
    case 'tcp': {
      const tls = endpoint.tls ?? (address.protocol === 'https' ? { verify: true } : undefined);
      return new Dockerode({
        host: address.host, port: address.port, protocol: tls ? 'https' : 'http', socketPath: undefined,
        ...(tls && tlsOptions(tls)),
      });
    }
    case 'ssh':
      return new Dockerode({
        host: address.host, port: address.port, protocol: 'ssh', socketPath: undefined,
        ...(address.username !== undefined ? { username: address.username } : {}),
        sshOptions: sshCredentials(process.env),
      });
  }
}


/** The client side of TLS: the certificates that are there; an agent that skips the check when asked to. */
function tlsOptions(tls: EngineTls): { ca?: Buffer; cert?: Buffer; key?: Buffer; agent?: Agent } {
  const pem = (name: string): Buffer | undefined => {
    if (tls.certDir === undefined) return undefined;
    try {
      return readFileSync(join(tls.certDir, name));
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ENOENT') return undefined;
      throw new Error(`Cannot read the engine's TLS file ${join(tls.certDir, name)}: ${(err as Error).message}`);
    }
  };
  const [ca, cert, key] = [pem('ca.pem'), pem('cert.pem'), pem('key.pem')];
  if ((cert === undefined) !== (key === undefined)) {
    throw new Error(`The engine's TLS folder ${tls.certDir ?? ''} has ${cert ? 'cert.pem but no key.pem' : 'key.pem but no cert.pem'}`);
  }
  const material = { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) };
  // docker-modem passes no rejectUnauthorized: an agent's own options win over the request's.
  return tls.verify ? material : { ...material, agent: new Agent({ ...material, rejectUnauthorized: false }) };
}

/** ssh-agent when there is one, else the user's default key (as ssh would try it). */
function sshCredentials(env: NodeJS.ProcessEnv): { agent?: string; privateKey?: Buffer } {
  if (env['SSH_AUTH_SOCK']) return { agent: env['SSH_AUTH_SOCK'] };
  for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    try {
      return { privateKey: readFileSync(join(homedir(), '.ssh', name)) };
    } catch {
      // the next one
    }
  }
  return {};
}

/** Where a client connects, for messages. */
export function engineAddressOf(docker: Dockerode): string {
  const modem = (docker as unknown as { modem?: { socketPath?: unknown; host?: unknown; port?: unknown; protocol?: unknown } }).modem;
  if (modem && typeof modem.socketPath === 'string' && !modem.host) return modem.socketPath;
  if (modem && typeof modem.host === 'string') {
    const scheme = modem.protocol === 'ssh' ? 'ssh' : 'tcp';
    return `${scheme}://${modem.host}${modem.port !== undefined && modem.port !== '' ? `:${String(modem.port)}` : ''}`;
  }
  return DEFAULT_DOCKER_SOCKET;
}

/** The engine could not be contacted at all (no socket, refused, permission denied, timeout). */
export class EngineUnreachableError extends Error {
  override readonly name = 'EngineUnreachableError';
  constructor(readonly address: string, override readonly cause?: unknown) {
    super(`Docker engine not reachable at ${address}: start dockerd or set ownbase.docker.host${detail(cause)}`);
  }
}

function detail(cause: unknown): string {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return code === 'EACCES' ? ' (permission denied on the socket: run as root or join the docker group)' : '';
}

/** Socket errors that only a connection gives. */
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** Errors that mean "no engine there" when connect() gives them (a missing or forbidden socket). */
const CONNECT_ERRORS = new Set(['ENOENT', 'EACCES', 'EPERM', 'ENOTSOCK']);

/**
 * True when an error means "could not talk to the engine" rather than "the engine said no" — and
 * not a local file error such as a missing rootfs (ENOENT from open or scandir).
 */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; syscall?: unknown; statusCode?: unknown } | null;
  if (!e || typeof e.code !== 'string' || e.statusCode !== undefined) return false;
  return NETWORK_ERRORS.has(e.code) || (CONNECT_ERRORS.has(e.code) && e.syscall === 'connect');
}

/** The engine answered with an error status; `message` is the engine's own words. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(message: string, readonly statusCode: number, override readonly cause?: unknown) {
    super(message);
  }
}

/**
 * Rewrites a connection failure as an {@link EngineUnreachableError} and an engine error status as
 * an {@link EngineError} saying `<action> failed: <the engine's message>`; other errors pass through.
 */
export function explainEngineError(docker: Dockerode, err: unknown, action?: string): unknown {
  if (isConnectionError(err)) return new EngineUnreachableError(engineAddressOf(docker), err);
  const e = err as { statusCode?: unknown; json?: unknown; message?: unknown } | null;
  if (e && typeof e.statusCode === 'number') {
    const json = e.json as { message?: unknown } | string | null | undefined;
    const said = typeof json === 'object' && json !== null && typeof json.message === 'string' ? json.message
      : typeof json === 'string' && json.trim() !== '' ? json.trim()
      : String(e.message ?? '').replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
    return new EngineError(action !== undefined ? `${action} failed: ${said}` : said, e.statusCode, err);
  }
  return err;
}

/** Whether the engine answers a ping within `timeoutMs`. Never throws. */
export async function engineReachable(docker: Dockerode, timeoutMs = 5000): Promise<boolean> {
  try {
    await ping(docker, timeoutMs);
    return true;
  } catch {
    return false;
  }
}

/** Pings the engine; rejects with an {@link EngineUnreachableError} when it does not answer. */
export async function assertEngineReachable(docker: Dockerode, timeoutMs = 5000): Promise<void> {
  try {
    await ping(docker, timeoutMs);
  } catch (err) {
    throw err instanceof EngineUnreachableError ? err : new EngineUnreachableError(engineAddressOf(docker), err);
  }
}

async function ping(docker: Dockerode, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('ping timed out'), { code: 'ETIMEDOUT' })), timeoutMs);
  });
  try {
    await Promise.race([docker.ping(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
