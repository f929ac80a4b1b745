import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type Dockerode from 'dockerode';
import * as vscode from 'vscode';
import type { EngineEndpoint } from '../../core/engine/endpoint';
import type { EngineImage, EngineVersion, EventWatch } from '../../core/engine/list';
import type { EngineModule } from '../commands/engineModule';
import type { Logger } from '../logger';
import { Debouncer } from './debounce';

export type EngineState =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'reachable'; readonly endpoint: EngineEndpoint; readonly version: EngineVersion; readonly images: readonly EngineImage[] }
  | { readonly kind: 'unreachable'; readonly endpoint?: EngineEndpoint; readonly error: string };

/** `unknown` | `reachable` | `unreachable`: which welcome message the Engine view shows. */
export const ENGINE_STATE_CONTEXT = 'ownbase.engineState';


/**
 * The engine the view shows: which one, its version and its images, kept current by the engine's image
 * event stream (never by polling). When the stream ends the engine is unreachable until Retry, a setting
 * change, or — for a local socket — the socket file coming back.
 */
export class EngineWatcher implements vscode.Disposable {
  private current: EngineState = { kind: 'unknown' };
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private docker: Dockerode | undefined;
  private events: EventWatch | undefined;
  private socketWatch: FSWatcher | undefined;
  private generation = 0;
  private readonly archOf = new Map<string, string>();
  private started = false;
  private readonly relist = new Debouncer(250, () => void this.list(this.generation));
  private readonly reconnectSoon = new Debouncer(500, () => void this.connect());

  constructor(private readonly engine: () => EngineModule, private readonly setting: () => string | undefined, private readonly log: Logger) {}

  /** Sets the context key to the current state (the views' start does, after activation; every change does too). */
  publishState(): void {
    void vscode.commands.executeCommand('setContext', ENGINE_STATE_CONTEXT, this.current.kind);
  }

  get state(): EngineState { return this.current; }

  /** The engine client, when connected. */
  get client(): Dockerode | undefined { return this.current.kind === 'reachable' ? this.docker : undefined; }

  /** Connects on first use: loading the engine client at activation would slow every window down. */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.connect();
  }

  /** Connects again (Retry, a changed `ownbase.docker.host`). */
  async connect(): Promise<void> {
    this.started = true;
    const gen = ++this.generation;
    this.stopWatching();
    let endpoint: EngineEndpoint | undefined;
    try {
      const engine = this.engine();
      const setting = this.setting();
      endpoint = engine.resolveEngineEndpoint(setting);
      const docker = engine.connectEngine(endpoint);
      await engine.assertEngineReachable(docker);
      // Follow events before listing, so nothing that happens in between is missed.
      const events = await engine.watchImageEvents(docker, () => this.relist.trigger());
      if (gen !== this.generation) { events.close(); return; }
      this.docker = docker;
      this.events = events;
      void events.ended.then((err) => { if (err && gen === this.generation) this.unreachable(gen, endpoint, err); });
      const [version, images] = await Promise.all([engine.engineVersion(docker), engine.listEngineImages(docker, this.archOf)]);
      if (gen !== this.generation) return;
      this.set({ kind: 'reachable', endpoint, version, images });
      this.log.info(`engine: ${endpoint.host} (${endpoint.source}), Docker ${version.version}, ${images.length} images`);
    } catch (err) {
      this.unreachable(gen, endpoint, err);
    }
  }

  private async list(gen: number): Promise<void> {
    const s = this.current;
    if (s.kind !== 'reachable' || !this.docker || gen !== this.generation) return;
    try {
      const images = await this.engine().listEngineImages(this.docker, this.archOf);
      if (gen === this.generation) this.set({ ...s, images });
    } catch (err) {
      this.unreachable(gen, s.endpoint, err);
    }
  }

  private unreachable(gen: number, endpoint: EngineEndpoint | undefined, err: unknown): void {
    if (gen !== this.generation) return;
    this.stopWatching();
    const error = err instanceof Error ? err.message : String(err);
    this.log.warn(`engine: ${error}`);
    this.set({ kind: 'unreachable', ...(endpoint && { endpoint }), error });
    this.watchSocket(endpoint);
  }

  /** A local engine that comes back recreates its socket: reconnect then, without polling. */
  private watchSocket(endpoint: EngineEndpoint | undefined): void {
    if (!endpoint) return;
    let socket: string;
    try {
      const address = this.engine().parseEngineHost(endpoint.host);
      if (address.kind !== 'socket') return;
      socket = address.socketPath;
    } catch {
      return;
    }
    try {
      this.socketWatch = watch(dirname(socket), (_event, name) => { if (name === basename(socket)) this.reconnectSoon.trigger(); });
      this.socketWatch.on('error', () => this.socketWatch?.close());
    } catch {
      // The folder is not there or cannot be watched: Retry still works.
    }
  }

  private stopWatching(): void {
    this.events?.close();
    this.events = undefined;
    this.socketWatch?.close();
    this.socketWatch = undefined;
  }

  private set(state: EngineState): void {
    this.current = state;
    this.publishState();
    this.changed.fire();
  }

  dispose(): void {
    this.generation++;
    this.stopWatching();
    this.relist.dispose();
    this.reconnectSoon.dispose();
    this.changed.dispose();
  }
}
