import { request, type IncomingMessage } from 'node:http';
import type { EngineEndpoint } from './endpoint';

/**
 * `GET /images/REF/get` (what `docker save REF` reads) straight on the engine's unix socket, without the
 * engine client: loading dockerode costs a fifth of a second, a tenth of reading the bookworm image. Only
 * for an engine on a local socket (`unix://PATH` or a bare path); anything else (TCP, TLS, SSH) is the
 * client's, and so is every failure here: undefined means "ask the client", which also words the error.
 */
export async function openSaveStream(endpoint: EngineEndpoint, ref: string, signal?: AbortSignal): Promise<IncomingMessage | undefined> {
  const host = endpoint.host.trim();
  const socketPath = host.startsWith('unix://') ? host.slice('unix://'.length) : host.startsWith('/') ? host : undefined;
  if (socketPath === undefined || socketPath === '') return undefined;
  return new Promise((resolve) => {
    const req = request({ socketPath, path: `/images/${ref.split('/').map(encodeURIComponent).join('/')}/get`, method: 'GET', ...(signal ? { signal } : {}) }, (res) => {
      if (res.statusCode === 200) { resolve(res); return; }
      res.resume();
      resolve(undefined);
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}
