import { oneLine, pathKey, type PathSegment } from './path';

/**
 * What `verify:` values mean beyond their schema: how its regular expressions and sizes are read. The validator
 * rejects what these cannot read, and src/core/checks reads them the same way.
 */

/** `^` and `$` match at each line of an output or a file, as a reader of the output expects. */
export const VERIFY_REGEX_FLAGS = 'm';

/** A `verify` regular expression, or why it is none. */
export function verifyRegex(source: string): RegExp | string {
  try { return new RegExp(source, VERIFY_REGEX_FLAGS); } catch (err) {
    return err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : String(err);
  }
}

const UNITS: Readonly<Record<string, number>> = {
  '': 1, B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3,
};

/** Bytes of a `verify.size` value: a number of bytes, or `80MB`, `1.5GB`, `512MiB`; undefined when unreadable. */
export function parseVerifySize(v: number | string): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(B|kB|KB|MB|GB|KiB|MiB|GiB)?$/.exec(v);
  return m ? Math.round(Number(m[1]) * UNITS[m[2] ?? '']!) : undefined;
}

const REGEX_LISTS: readonly string[] = ['stdout', 'stdoutExcludes', 'stderr', 'stderrExcludes'];

/** Problems of a `verify` value the schema cannot say: a regular expression that does not compile, an empty argv. */
export function verifyProblems(verify: unknown): { path: PathSegment[]; message: string }[] {
  const out: { path: PathSegment[]; message: string }[] = [];
  if (typeof verify !== 'object' || verify === null) return out;
  const v = verify as Record<string, unknown>;
  const regexes = (list: unknown, at: PathSegment[]): void => {
    if (!Array.isArray(list)) return;
    list.forEach((s: unknown, i) => {
      if (typeof s !== 'string') return;
      const r = verifyRegex(s);
      if (typeof r === 'string') out.push({ path: [...at, i], message: `${pathKey([...at, i])}: '${oneLine(s)}' is not a regular expression: ${r}.` });
    });
  };
  if (Array.isArray(v['commands'])) {
    v['commands'].forEach((c: unknown, i) => {
      if (typeof c !== 'object' || c === null) return;
      const cmd = c as Record<string, unknown>;
      const at: PathSegment[] = ['verify', 'commands', i];
      if (Array.isArray(cmd['argv']) && cmd['argv'].length === 0) {
        out.push({ path: [...at, 'argv'], message: `${pathKey([...at, 'argv'])}: name the program to run, e.g. [apt-get, --version].` });
      }
      for (const k of REGEX_LISTS) regexes(cmd[k], [...at, k]);
    });
  }
  if (Array.isArray(v['files'])) {
    v['files'].forEach((f: unknown, i) => {
      if (typeof f !== 'object' || f === null) return;
      const file = f as Record<string, unknown>;
      const at: PathSegment[] = ['verify', 'files', i];
      regexes(file['contents'], [...at, 'contents']);
      if (file['exists'] === false && ['mode', 'owner', 'executableBy', 'contents'].some((k) => file[k] !== undefined)) {
        out.push({ path: [...at, 'exists'], message: `${pathKey([...at, 'exists'])}: a path that must be absent has no mode, owner or contents to check.` });
      }
    });
  }
  return out;
}
