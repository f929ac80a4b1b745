// TLS fixtures for the engine's tests: a CA, a server certificate for 127.0.0.1 and a client certificate made by
// openssl, and a docker CLI config folder with a context whose TLS material is where the docker CLI keeps it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsFiles { readonly dir: string; readonly ca: string; readonly serverCert: string; readonly serverKey: string; readonly clientCert: string; readonly clientKey: string }

const openssl = (cwd: string, ...args: string[]): void => { execFileSync('openssl', args, { cwd, stdio: 'pipe' }); };
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A CA, and a server (SAN IP 127.0.0.1, localhost) and a client certificate it signed, valid for a day. */
export function makeTlsFiles(dir: string): TlsFiles {
  mkdirSync(dir, { recursive: true });
  openssl(dir, 'req', '-x509', ...EC, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=ownbase-test-ca');
  for (const [name, ext] of [['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth'], ['client', 'extendedKeyUsage=clientAuth']] as const) {
    writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
    openssl(dir, 'req', ...EC, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=ownbase-test-${name}`);
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}-cert.pem`, '-days', '1', '-extfile', `${name}.ext`);
  }
  const p = (n: string): string => join(dir, n);
  return { dir, ca: p('ca.pem'), serverCert: p('server-cert.pem'), serverKey: p('server-key.pem'), clientCert: p('client-cert.pem'), clientKey: p('client-key.pem') };
}

export const contextDirName = (context: string): string => createHash('sha256').update(context).digest('hex');

/**
 * Writes a docker CLI context as `docker context create` does: `contexts/meta/<sha256>/meta.json` and, with `tls`,
 * the client's ca.pem, cert.pem and key.pem in `contexts/tls/<sha256>/docker/`. `current` makes it the current one.
 */
export function writeDockerContext(configDir: string, name: string, host: string, opts: { tls?: TlsFiles; skipTlsVerify?: boolean; current?: boolean } = {}): string {
  const dir = contextDirName(name);
  mkdirSync(join(configDir, 'contexts', 'meta', dir), { recursive: true });
  writeFileSync(join(configDir, 'contexts', 'meta', dir, 'meta.json'), JSON.stringify({
    Name: name, Metadata: { Description: 'ownbase test' }, Endpoints: { docker: { Host: host, SkipTLSVerify: opts.skipTlsVerify === true } },
  }));
  const tlsDir = join(configDir, 'contexts', 'tls', dir, 'docker');
  if (opts.tls) {
    mkdirSync(tlsDir, { recursive: true });
    writeFileSync(join(tlsDir, 'ca.pem'), readFileSync(opts.tls.ca));
    writeFileSync(join(tlsDir, 'cert.pem'), readFileSync(opts.tls.clientCert));
    writeFileSync(join(tlsDir, 'key.pem'), readFileSync(opts.tls.clientKey), { mode: 0o600 });
  }
  if (opts.current) writeFileSync(join(configDir, 'config.json'), JSON.stringify({ auths: {}, currentContext: name }));
  return tlsDir;
}
