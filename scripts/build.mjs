// The one build: esbuild bundles the extension (node, cjs, `vscode` external), the CLI, the webview and,
// with --tests, every test file. `tsc --noEmit` (npm run typecheck) checks the types.
import * as esbuild from 'esbuild';
import { readdirSync, readFileSync, statSync, rmSync, existsSync, mkdirSync, copyFileSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';

const require = createRequire(import.meta.url);

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const tests = args.has('--tests');

// dockerode's ssh transport optionally loads native addons; they stay out of the bundle (ssh2 falls back to JS).
const nativeOptional = ['cpu-features', '*.node'];

const node = {
  bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  sourcemap: production ? false : 'linked', minify: production, logLevel: 'warning',
  external: ['vscode', ...nativeOptional],
  // execa and other ESM-only packages use import.meta.url; give the cjs bundle a value for it.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

function walk(dir, pred) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p, pred) : pred(p) ? [p] : [];
  });
}

// The recipe schema is contributed to VS Code (yamlValidation) from dist/.
function copyAssets() {
  mkdirSync('dist', { recursive: true });
  if (existsSync('src/core/recipe/schema.json')) copyFileSync('src/core/recipe/schema.json', 'dist/recipe.schema.json');
  if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
}

// Subcommands bundled apart from dist/cli.js, all in one dist/cli-commands.js (one copy of the core they share,
// not one per subcommand); run.ts imports './build' and gets dist/cli-commands.js's `build` at run time.
// `inspect` is a bundle of its own (dist/cli-inspect.js, a seventh of cli-commands.js): its benchmark is
// against `docker save`, and loading the other subcommands' code delayed its request to the engine by a
// fifth of a second.
const LAZY = ['build', 'script', 'needs', 'verify', 'outdated', 'test'].filter((c) => existsSync(`src/cli/${c}.ts`));
const OWN_BUNDLE = ['inspect'].filter((c) => existsSync(`src/cli/${c}.ts`));
const lazySubcommands = {
  name: 'lazy-subcommands',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^\\./(${[...LAZY, ...OWN_BUNDLE].join('|')})$`) }, (a) =>
      (a.importer.endsWith(join('src', 'cli', 'run.ts')) ? { path: a.path.slice(2), namespace: 'cli-subcommand' } : undefined));
    b.onResolve({ filter: /.*/, namespace: 'cli-subcommand' }, (a) => ({ path: a.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'cli-subcommand' }, (a) => ({
      loader: 'js', contents: OWN_BUNDLE.includes(a.path) ? `module.exports = require('./cli-${a.path}.js');\n`
        : `module.exports = require('./cli-commands.js')[${JSON.stringify(a.path)}];\n`,
    }));
  },
};
const subcommandsEntry = {
  name: 'cli-commands-entry',
  setup(b) {
    b.onResolve({ filter: /^cli-commands$/ }, () => ({ path: 'cli-commands', namespace: 'cli-commands' }));
    b.onLoad({ filter: /.*/, namespace: 'cli-commands' }, () => ({
      loader: 'ts', resolveDir: process.cwd(),
      contents: LAZY.map((c) => `export * as ${c} from './src/cli/${c}';`).join('\n'),
    }));
  },
};

// The CLI's build loads the engine client (dockerode) from dist/engine.js, the extension's bundle of it, rather
// than carrying a second copy: the .vsix ships both.
const sharedEngine = {
  name: 'shared-engine',
  setup(b) {
    b.onResolve({ filter: /core\/engine\/(connect|import)$/ }, () => ({ path: './engine.js', external: true }));
  },
};

/**
 * A CommonJS module whose exports (`names`) are getters into `require(file)[key]` (or the whole module without a
 * key): the file is required on the first use of one of them, not when the module is loaded. `esModule` marks it
 * as compiled from ESM, so a `default` export stays its own.
 */
function lazyShim(file, key, names, esModule = false) {
  const target = `require(${JSON.stringify(file)})${key === undefined ? '' : `[${JSON.stringify(key)}]`}`;
  const props = [...(esModule ? ['__esModule: { value: true }'] : []),
    ...names.map((k) => `${JSON.stringify(k)}: { enumerable: true, get: () => load()[${JSON.stringify(k)}] }`)];
  return `let m; const load = () => (m ??= ${target});\n` +
    `module.exports = Object.defineProperties({}, {\n  ${props.join(',\n  ')}\n});\n`;
}

// Packages the extension bundle does not carry: each is a bundle of its own (dist/NAME.js), required on the first use
// of one of its exports, so loading dist/extension.js at activation does not parse and run them. yaml is a third of
// what activation would load, and no recipe is parsed before activation returns.
const LAZY_PACKAGES = ['yaml'];
const lazyPackages = {
  name: 'lazy-packages',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${LAZY_PACKAGES.join('|')})$`) }, (a) => ({ path: a.path, namespace: 'lazy-package' }));
    b.onResolve({ filter: /.*/, namespace: 'lazy-package' }, (a) => ({ path: a.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-package' }, (a) => ({ loader: 'js', contents: lazyShim(`./${a.path}.js`, undefined, Object.keys(require(a.path))) }));
  },
};

// dist/extension.js carries no core code. Each src/core module it imports is a shim whose exports require
// dist/core.js on first use; dist/core.js is one bundle of those modules (entry `core`: `export * as KEY from …`
// for each), built after the extension bundle from what its shims asked for. Loading extension.js at activation
// then compiles the registrations only; the lint core, the recipe schema and the workspace model come with the first
// document, completion or view that needs them.
const CORE_DIR = join(process.cwd(), 'src', 'core');
const inCore = (p) => p.startsWith(CORE_DIR + sep);
const coreKey = (p) => relative(CORE_DIR, p).replace(/\.ts$/, '').split(sep).join('/');
const coreModules = new Map(); // absolute path -> its export names
async function exportsOf(path) {
  const r = await esbuild.build({ entryPoints: [path], bundle: true, write: false, metafile: true, format: 'esm', platform: 'node',
    packages: 'external', external: ['vscode'], logLevel: 'silent' });
  return { names: Object.values(r.metafile.outputs)[0].exports, files: Object.keys(r.metafile.inputs).map((f) => join(process.cwd(), f)) };
}
const lazyCore = {
  name: 'lazy-core',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, async (a) => {
      if (a.namespace !== 'file' || inCore(a.importer) || a.pluginData === 'lazy-core') return undefined;
      const r = await b.resolve(a.path, { kind: a.kind, importer: a.importer, resolveDir: a.resolveDir, pluginData: 'lazy-core' });
      return !r.errors.length && inCore(r.path) ? { path: r.path, namespace: 'lazy-core' } : undefined;
    });
    b.onResolve({ filter: /.*/, namespace: 'lazy-core' }, (a) => ({ path: a.path, external: true }));
    b.onStart(() => coreModules.clear());
    b.onLoad({ filter: /.*/, namespace: 'lazy-core' }, async (a) => {
      const { names, files } = await exportsOf(a.path);
      coreModules.set(a.path, names);
      return { loader: 'js', contents: lazyShim('./core.js', coreKey(a.path), names, true), watchFiles: files };
    });
  },
};
const coreEntry = {
  name: 'core-entry',
  setup(b) {
    b.onResolve({ filter: /^core$/ }, () => ({ path: 'core', namespace: 'core-entry' }));
    b.onLoad({ filter: /.*/, namespace: 'core-entry' }, () => ({
      loader: 'ts', resolveDir: process.cwd(),
      contents: [...coreModules.keys()].map((p) => `export * as ${JSON.stringify(coreKey(p))} from ${JSON.stringify(p)};`).join('\n'),
    }));
  },
};

// `import * as vscode from 'vscode'` in each of the extension's files would copy the whole API object (some 350
// properties) into a namespace object once per file at load time: three quarters of the time loading extension.js took.
// Every file imports one module instead, which re-exports the API once.
const vscodeOnce = {
  name: 'vscode-once',
  setup(b) {
    b.onResolve({ filter: /^vscode$/ }, (a) => (a.namespace === 'vscode-once' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-once' }));
    b.onLoad({ filter: /.*/, namespace: 'vscode-once' }, () => ({ loader: 'js', contents: "export * from 'vscode';\n" }));
  },
};

// dockerode's BuildKit session (`buildImage` with registry auth) needs gRPC and protobuf, a third of the engine
// bundle; ownbase never builds through BuildKit, so they are left out and fail clearly if something ever asks.
const withoutBuildKit = {
  name: 'without-buildkit',
  setup(b) {
    b.onResolve({ filter: /^(@grpc\/grpc-js|@grpc\/proto-loader|protobufjs)$/ }, (a) => ({ path: a.path, namespace: 'left-out' }));
    b.onLoad({ filter: /.*/, namespace: 'left-out' }, (a) => ({
      loader: 'js',
      contents: `module.exports = new Proxy({}, { get(_, k) { if (k === '__esModule') return false; ` +
        `throw new Error(${JSON.stringify(`${a.path} is not bundled with ownbase (BuildKit sessions are not supported)`)}); } });\n`,
    }));
  },
};

const extensionBuild = { ...node, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist', plugins: [vscodeOnce, lazyCore] };
// After the extension bundle: its entry is what that build's shims asked for.
const coreBuild = { ...node, entryPoints: { core: 'core' }, outdir: 'dist', plugins: [coreEntry, lazyPackages] };
const builds = [
  extensionBuild,
  // The commands' implementations, required on first use (src/extension/featuresModule.ts): activation loads less.
  { ...node, entryPoints: { features: 'src/extension/features.ts' }, outdir: 'dist', plugins: [vscodeOnce, lazyPackages] },
  ...LAZY_PACKAGES.map((p) => ({ ...node, entryPoints: { [p]: require.resolve(p) }, outdir: 'dist' })),
  // The engine client (dockerode) for the extension, required on first use: it would multiply activation time.
  { ...node, entryPoints: { engine: 'src/core/engine/index.ts' }, outdir: 'dist', plugins: [withoutBuildKit] },
  { ...node, entryPoints: { inspect: 'src/core/inspect/index.ts' }, outdir: 'dist' }, // the inspector core, required on first use
  // The CLI: `ownbase lint` must start fast, so the heavy subcommands (build: the engine client, the runner) are
  // bundles of their own, loaded only when run. dist/cli.js is the package's bin.
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node\n' + node.banner.js },
    plugins: [lazySubcommands] },
  { ...node, entryPoints: { 'cli-commands': 'cli-commands' }, outdir: 'dist', plugins: [subcommandsEntry, sharedEngine] },
  ...OWN_BUNDLE.map((c) => ({ ...node, entryPoints: { [`cli-${c}`]: `src/cli/${c}.ts` }, outdir: 'dist', plugins: [sharedEngine] })),
];
if (existsSync('webview/main.ts')) {
  builds.push({
    bundle: true, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: { webview: 'webview/main.ts' },
    outdir: 'dist', sourcemap: production ? false : 'linked', minify: production, logLevel: 'warning',
  });
}
if (tests) {
  const entries = [...walk('test/unit', (p) => p.endsWith('.test.ts')), ...walk('test/integration', (p) => p.endsWith('.test.ts')),
    ...walk('test/vscode', (p) => p.endsWith('.ts')), ...walk('bench', (p) => p.endsWith('.ts'))];
  builds.push({ ...node, entryPoints: entries, outdir: 'out', outbase: '.', sourcemap: 'inline',
    external: [...node.external, 'mocha'] }); // mocha stays in node_modules: test-electron's run() loads test files through it
}

// extension.js holds no core code (lazy-core above). extension.js and features.js are two bundles in one extension
// host: a class bundled into both is two classes (`instanceof` fails across them, each has its own statics). Shared
// state lives in extension.js and is handed to features.js (Services); a module of src/extension that declares a
// class may be in one of them only. (The core's classes in core.js and features.js — a process group, an event
// decoder, errors — never cross: each call stays in its bundle.)
function checkSplit(results) {
  const inputsOf = (name) => {
    const out = results.flatMap((r) => Object.entries(r.metafile?.outputs ?? {})).find(([f]) => f === `dist/${name}.js`);
    return new Set(Object.entries(out?.[1].inputs ?? {}).filter(([, i]) => i.bytesInOutput > 0).map(([f]) => f));
  };
  const main = inputsOf('extension');
  const core = [...main].filter((f) => f.startsWith('src/core/'));
  if (core.length > 0) throw new Error(`core code in dist/extension.js (it belongs in dist/core.js, loaded on first use): ${core.join(', ')}`);
  const twice = [...inputsOf('features')].filter((f) => main.has(f) && f.startsWith('src/extension/'))
    .filter((f) => /^(export )?(abstract )?class /m.test(readFileSync(f, 'utf8')));
  if (twice.length > 0) throw new Error(`in both dist/extension.js and dist/features.js (a class there would be two classes): ${twice.join(', ')}`);
}

if (!watch) {
  rmSync('dist', { recursive: true, force: true });
  if (tests) rmSync('out', { recursive: true, force: true });
  const split = new Set(['extension', 'features']);
  const build = (b) => esbuild.build({ ...b, metafile: Object.keys(b.entryPoints).some((e) => split.has(e)) });
  checkSplit(await Promise.all(builds.map((b) => (b === extensionBuild ? build(b).then(async (r) => { await build(coreBuild); return r; }) : build(b)))));
  copyAssets();
} else {
  const core = await esbuild.context(coreBuild);
  let asked = '';
  const rebuildCore = { name: 'rebuild-core', setup(b) { b.onEnd(async () => {
    const now = JSON.stringify([...coreModules]);
    if (now !== asked) { asked = now; await core.rebuild().catch(() => {}); }
  }); } };
  extensionBuild.plugins.push(rebuildCore);
  const ctxs = [core, ...await Promise.all(builds.map((b) => esbuild.context(b)))];
  await Promise.all(ctxs.map((c) => c.watch()));
  console.log('esbuild: watching…');
}
