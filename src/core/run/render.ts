import type { BuildEvent } from './events';

/** A piece of the human text: which stream it goes to; `header` marks a step's header (a terminal shows it in bold). */
export interface TextChunk {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
  readonly header?: true;
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const secs = (s: number): string => `${s.toFixed(1)} s`;

/**
 * The human text of one build event: what `ownbase build` prints (its text mode) and what the VS Code
 * terminal shows, from the same function, so the two never drift.
 */
export function renderBuildEvent(e: BuildEvent): TextChunk[] {
  const out = (text: string): TextChunk => ({ stream: 'stdout', text });
  const err = (text: string): TextChunk => ({ stream: 'stderr', text });
  switch (e.type) {
    case 'plan': {
      const lines: TextChunk[] = [];
      if (!e.fromRootfs) {
        lines.push(out(`rootfs: ${e.rootfs}${e.keepRootfs ? ' (kept)' : ''}\n`));
        lines.push(out(`mirror: ${e.mirror ?? `${e.bootstrapTool}'s default`}${e.mirrorSource === 'host' ? " (this machine's apt sources)" : ''}\n`));
      }
      if (e.cache) {
        lines.push(out(e.cache.warm
          ? `package cache: ${e.cache.dir} holds every package this recipe took last time; only what the archives changed since is downloaded\n`
          : `package cache: ${e.cache.dir} (${e.cache.reason ?? 'cold'}); this build fills it\n`));
      }
      return lines;
    }
    case 'step-start':
      if (e.phase === 'cleanup') return [out(`--> cleanup: ${e.title}\n`)];
      return [out('\n'), { stream: 'stdout', text: `==> [${e.index}/${e.total}] ${e.title}`, header: true }, out(`\n    ${e.why}\n$ ${e.commandLine}\n`)];
    case 'output':
      return [{ stream: e.stream, text: e.text }];
    case 'step-end':
      if (e.outcome === 'succeeded') return e.phase === 'main' ? [out(`<== exit 0 (${secs(e.seconds)})\n`)] : [];
      return [err(`<== ${e.outcome}: ${e.error ?? `exit ${e.exitCode}`} (${secs(e.seconds)})\n`)];
    case 'note':
      return [e.level === 'warning' ? err(`ownbase: ${e.text}\n`) : out(`${e.text}\n`)];
    case 'check': {
      const head = `check ${e.status === 'passed' ? 'ok  ' : e.status === 'failed' ? 'FAIL' : 'skip'} ${e.title}${e.line !== undefined ? ` (line ${e.line})` : ''}\n`;
      if (e.status !== 'failed') return [out(head)];
      return [err(head), err(`${e.message.replace(/^/gm, '    ')}\n`)];
    }
    case 'result': {
      const took = secs(e.seconds);
      const lines = e.upToDate === true
        ? [out(`\n${e.tag} is up to date (${took}): ${mb(e.size)} (docker images), ${mb(e.layerGzipSize)} gzip-6 layer\n  ${e.id ?? ''}\n  FROM ${e.tag}\n`)]
        : e.archive !== undefined
        ? [out(`\nwrote ${e.archive} in ${took}: ${mb(e.size)}, ${mb(e.layerGzipSize)} gzip-6 layer\n  docker load -i ${e.archive}\n`)]
        : [out(`\nbuilt ${e.tag} in ${took}: ${mb(e.size)} (docker images), ${mb(e.layerGzipSize)} gzip-6 layer (what a registry stores)\n  ${e.id ?? ''}\n  FROM ${e.tag}\n`)];
      if (e.keptRootfs !== undefined) lines.push(out(`  rootfs kept at ${e.keptRootfs}\n`));
      if (e.updates !== undefined) lines.push(out(`${e.updates}\n`));
      return lines;
    }
    case 'error':
      return [err(e.detail ?? `ownbase: ${e.message}\n`), ...(e.hint !== undefined ? [err(`ownbase: ${e.hint}\n`)] : [])];
  }
}
