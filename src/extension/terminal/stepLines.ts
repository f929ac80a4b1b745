/**
 * Reads the CLI's build output (src/cli/build.ts `printer`) for what the progress notification
 * shows: `==> [i/n] title` starts a step, `--> cleanup: title` a cleanup, `built NAME in …` the end.
 */
export type StepLine =
  | { readonly kind: 'step'; readonly index: number; readonly total: number; readonly title: string }
  | { readonly kind: 'cleanup'; readonly title: string }
  | { readonly kind: 'built'; readonly image: string };

const STEP = /^==> \[(\d+)\/(\d+)\] (.+)$/;
const CLEANUP = /^--> cleanup: (.+)$/;
const BUILT = /^built (\S+) in /;

export function parseStepLine(line: string): StepLine | undefined {
  let m = STEP.exec(line);
  if (m) return { kind: 'step', index: Number(m[1]), total: Number(m[2]), title: m[3]! };
  m = CLEANUP.exec(line);
  if (m) return { kind: 'cleanup', title: m[1]! };
  m = BUILT.exec(line);
  if (m) return { kind: 'built', image: m[1]! };
  return undefined;
}

/** Cuts a stream into lines; a line ends at \n, and a \r rewrites it (progress counters). */
export class LineSplitter {
  private rest = '';

  push(text: string): string[] {
    const parts = (this.rest + text).split('\n');
    this.rest = parts.pop()!;
    return parts.map((l) => l.slice(l.lastIndexOf('\r', l.length - 2) + 1).replace(/\r$/, ''));
  }

  flush(): string[] {
    const last = this.rest;
    this.rest = '';
    return last === '' ? [] : [last];
  }
}
