import type { ImageConfig } from '../recipe/types';
import type { Platform } from '../kernel/arch';

/** The `config` object of an OCI / Docker image config, in the engine's field names. */
export interface ContainerConfig {
  Cmd?: string[];
  Entrypoint?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Labels?: Record<string, string>;
}

/** An image config (application/vnd.oci.image.config.v1+json), as `docker load` reads it. */
export interface ImageConfigJson {
  created: string;
  architecture: string;
  variant?: string;
  os: string;
  config: ContainerConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history: { created: string; created_by: string; comment?: string }[];
}

/** `80` → `80/tcp`, `"53/udp"` → `53/udp`; throws on anything that is not a port. */
export function exposedPort(p: number | string): string {
  const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/i.exec(String(p).trim());
  const port = m ? Number(m[1]) : NaN;
  if (!m || port < 1 || port > 65535) throw new Error(`expose: "${String(p)}" is not a port (1-65535, optionally /tcp, /udp or /sctp)`);
  return `${port}/${(m[2] ?? 'tcp').toLowerCase()}`;
}

/** `{ LANG: "C.UTF-8" }` → `["LANG=C.UTF-8"]`, in the recipe's order. */
export function envList(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([k, v]) => {
    if (k === '' || k.includes('=')) throw new Error(`env: "${k}" is not a variable name`);
    return `${k}=${v}`;
  });
}

/**
 * The container config of an image: the recipe's config with `labels` merged over its own labels
 * (provenance wins). Absent fields stay absent, like `docker import` without `--change`.
 */
export function containerConfig(config: ImageConfig, labels: Readonly<Record<string, string>> = {}): ContainerConfig {
  const c: ContainerConfig = {};
  if (config.cmd) c.Cmd = [...config.cmd];
  if (config.entrypoint) c.Entrypoint = [...config.entrypoint];
  if (config.env && Object.keys(config.env).length > 0) c.Env = envList(config.env);
  if (config.workdir) c.WorkingDir = config.workdir;
  if (config.user) c.User = config.user;
  if (config.expose && config.expose.length > 0) {
    c.ExposedPorts = Object.fromEntries([...new Set(config.expose.map(exposedPort))].sort().map((p) => [p, {}]));
  }
  const allLabels = { ...config.labels, ...labels };
  if (Object.keys(allLabels).length > 0) c.Labels = allLabels;
  return c;
}

export interface ImageConfigInput {
  readonly platform: Platform;
  readonly config: ImageConfig;
  readonly labels?: Readonly<Record<string, string>>;
  /** `sha256:<hex>` of the uncompressed layer tar. */
  readonly diffId: string;
  readonly created: Date;
  readonly createdBy?: string;
}

/** A one-layer image config. Field order is fixed so equal inputs give equal bytes (and image ids). */
export function imageConfigJson(i: ImageConfigInput): ImageConfigJson {
  const created = i.created.toISOString();
  return {
    created,
    architecture: i.platform.architecture,
    ...(i.platform.variant !== undefined ? { variant: i.platform.variant } : {}),
    os: i.platform.os,
    config: containerConfig(i.config, i.labels),
    rootfs: { type: 'layers', diff_ids: [i.diffId] },
    history: [{ created, created_by: i.createdBy ?? 'ownbase import', comment: 'rootfs imported by ownbase' }],
  };
}

/** Dockerfile instructions (`docker commit --change` / `docker import --change`) for a config. */
export function configChanges(config: ImageConfig, labels: Readonly<Record<string, string>> = {}): string[] {
  const c = containerConfig(config, labels);
  const out: string[] = [];
  if (c.Entrypoint) out.push(`ENTRYPOINT ${JSON.stringify(c.Entrypoint)}`);
  if (c.Cmd) out.push(`CMD ${JSON.stringify(c.Cmd)}`);
  for (const kv of c.Env ?? []) {
    const i = kv.indexOf('=');
    out.push(`ENV ${kv.slice(0, i)}=${dockerfileQuote(kv.slice(i + 1))}`);
  }
  if (c.WorkingDir) out.push(`WORKDIR ${dockerfileQuote(c.WorkingDir)}`);
  if (c.User) out.push(`USER ${dockerfileQuote(c.User)}`);
  for (const p of Object.keys(c.ExposedPorts ?? {})) out.push(`EXPOSE ${p}`);
  for (const [k, v] of Object.entries(c.Labels ?? {})) out.push(`LABEL ${dockerfileQuote(k)}=${dockerfileQuote(v)}`);
  return out;
}

/** A double-quoted Dockerfile word with no variable expansion; newlines cannot be expressed. */
export function dockerfileQuote(v: string): string {
  if (/[\r\n]/.test(v)) throw new Error(`${JSON.stringify(v)}: a line break cannot go into a Dockerfile instruction`);
  return `"${v.replace(/[\\"$]/g, '\\$&')}"`;
}
