// Runs inside the real VS Code (through scripts/vscode-test.mjs) on a workspace that triggers no activation:
// times ownbase's activation, then how long the first diagnostics of a Dockerfile take to appear.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import Module from 'node:module';
import { join, relative } from 'node:path';
import { format } from 'node:util';
import * as vscode from 'vscode';

const log = (...args: unknown[]) => console.log((process.env.OWNBASE_TEST_CONSOLE_TAG ?? '') + format(...args));

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension('ownbase.ownbase');
  if (!ext) throw new Error('ownbase.ownbase is not loaded');
  if (ext.isActive) throw new Error('ownbase is already active: the bench workspace must not trigger activation');
  const profile = process.env.OWNBASE_TEST_CPUPROFILE ? profiler() : undefined;
  const cpu = watchOwnCode(ext.extensionPath);
  let t = performance.now();
  await ext.activate();
  const activation = performance.now() - t;
  cpu.stop();
  if (profile) writeFileSync(process.env.OWNBASE_TEST_CPUPROFILE!, JSON.stringify(profile.stop()));
  const uri = vscode.Uri.file(join(process.env.OWNBASE_TEST_WORKSPACE!, 'Dockerfile'));
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('FROM gcc:12 AS build\nRUN make\nFROM busybox:glibc\n'));
  t = performance.now();
  await vscode.workspace.openTextDocument(uri);
  while (vscode.languages.getDiagnostics(uri).length === 0) {
    if (performance.now() - t > 10_000) throw new Error('no diagnostics within 10 s');
    await new Promise((r) => setTimeout(r, 5));
  }
  const firstDiagnostics = performance.now() - t;
  log(`activation in the real VS Code (${vscode.env.appName} ${vscode.version}), code loading included: ` +
    `${activation.toFixed(1)} ms (target ≤ 50 ms, ratio ${(activation / 50).toFixed(2)}×)`);
  const parts = ownParts(ext.id);
  if (parts) {
    log(`  of which ownbase's: loading dist/extension.js ${parts.load} ms, activate() ${parts.activate} ms (${parts.load + parts.activate} ms, ` +
      `target ≤ 50 ms, ratio ${((parts.load + parts.activate) / 50).toFixed(2)}×); the rest is VS Code's (its extension context and ` +
      `messages to the window, longer on a busy machine)`);
  }
  const own = cpu.result();
  if (own) {
    log(`  the extension host's main-thread CPU time in them (less sensitive to other load on the machine): loading ` +
      `${own.load.toFixed(1)} ms, activate() ${own.activate.toFixed(1)} ms; bundles loaded: ${own.loaded.join(', ')}`);
  }
  log(`first diagnostics of an opened Dockerfile: ${firstDiagnostics.toFixed(0)} ms (polled every 5 ms)`);
}

/**
 * The extension host's own marks (1 ms resolution) around loading the extension's code and calling activate():
 * the parts ownbase controls, apart from VS Code's wait for the window, which grows with the machine's load.
 */
function ownParts(id: string): { load: number; activate: number } | undefined {
  const perf = (globalThis as { MonacoPerformanceMarks?: { getMarks(): { name: string; startTime: number }[] } }).MonacoPerformanceMarks;
  const marks = new Map(perf?.getMarks().map((m) => [m.name, m.startTime]) ?? []);
  const at = (what: string): number | undefined => marks.get(`code/extHost/${what}/${id}`);
  const [willLoad, didLoad, willActivate, didActivate] = ['willLoadExtensionCode', 'didLoadExtensionCode', 'willActivateExtension', 'didActivateExtension'].map(at);
  if (willLoad === undefined || didLoad === undefined || willActivate === undefined || didActivate === undefined) return undefined;
  return { load: didLoad - willLoad, activate: didActivate - willActivate };
}

/**
 * OWNBASE_TEST_CPUPROFILE=FILE (passed on by the harness like every OWNBASE_TEST_* variable): the extension host's
 * CPU profile (.cpuprofile, 50 µs samples) from just before activation to its end, for finding what loading and
 * activate() spend their time on. The figures printed beside it include the profiler's own cost.
 */
function profiler(): { stop(): object } {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): unknown => {
    let result: unknown;
    session.post(method, params, (err, r) => { if (err) throw err; result = r; });
    return result;
  };
  post('Profiler.enable');
  post('Profiler.setSamplingInterval', { interval: 50 });
  post('Profiler.start');
  return { stop: () => { const { profile } = post('Profiler.stop') as { profile: object }; session.disconnect(); return profile; } };
}

type JsLoader = (module: { exports: Record<string, unknown> }, filename: string) => void;

/**
 * Main-thread CPU time (Node ≥ 23.9's process.threadCpuUsage) spent loading the extension's bundles and in its
 * activate(): on a machine shared with other work the marks above measure the wait for a core as well. Hooks the
 * CommonJS loader the extension host loads extensions with, for this one activation.
 */
function watchOwnCode(root: string): { stop(): void; result(): { load: number; activate: number; loaded: string[] } | undefined } {
  const threadCpu = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage?.bind(process);
  const extensions = (Module as unknown as { _extensions: Record<string, JsLoader> })._extensions;
  const original = extensions['.js']!;
  if (!threadCpu) return { stop() {}, result: () => undefined };
  const ms = (): number => { const u = threadCpu(); return (u.user + u.system) / 1000; };
  let load = 0;
  let activate = 0;
  let depth = 0;
  let activating = false;
  const loaded: string[] = [];
  extensions['.js'] = function (this: unknown, module, filename) {
    if (!filename.startsWith(root)) return original.call(this, module, filename);
    loaded.push(relative(root, filename));
    const start = ms();
    depth++;
    try {
      original.call(this, module, filename);
    } finally {
      depth--;
      if (depth === 0 && !activating) load += ms() - start; // inside activate(), it counts there
    }
    const exported = module.exports;
    if (typeof exported.activate === 'function') {
      const activateFn = exported.activate as (...args: unknown[]) => unknown;
      module.exports = {
        ...exported,
        activate(...args: unknown[]) {
          const s = ms();
          activating = true;
          try { return activateFn(...args); } finally { activating = false; activate += ms() - s; }
        },
      };
    }
  };
  return { stop() { extensions['.js'] = original; }, result: () => ({ load, activate, loaded }) };
}
