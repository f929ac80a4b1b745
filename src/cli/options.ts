// The one reading of a subcommand's options over node:util parseArgs tokens (`--flag value`, `--flag=value`), with
// the usage errors every subcommand gives in the same words. build.ts has its own (parseBuildArgs).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usageError';

export type OptionItem<N extends string> =
  | { readonly kind: 'positional'; readonly value: string }
  | { readonly kind: 'flag'; readonly name: N; readonly flag: string }
  | { readonly kind: 'option'; readonly name: N; readonly flag: string; readonly value: string };

/**
 * `args` as positionals, boolean flags and options with their non-empty value, in order. Throws a UsageError for
 * an unknown option, a boolean given a value, or an option without one.
 */
export function readOptions<O extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: O): OptionItem<Extract<keyof O, string>>[] {
  const { tokens } = parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true });
  const out: OptionItem<Extract<keyof O, string>>[] = [];
  for (const t of tokens) {
    if (t.kind === 'option-terminator') continue;
    if (t.kind === 'positional') {
      if (t.value.startsWith('-') && t.value !== '-') throw new UsageError(`unknown option '${t.value}'`);
      out.push({ kind: 'positional', value: t.value });
      continue;
    }
    const flag = t.rawName;
    if (!Object.hasOwn(options, t.name) || !flag.startsWith('--')) throw new UsageError(`unknown option '${args[t.index]}'`);
    const name = t.name as Extract<keyof O, string>;
    if (options[name]!.type === 'boolean') {
      if (t.value !== undefined) throw new UsageError(`${flag} takes no value`);
      out.push({ kind: 'flag', name, flag });
      continue;
    }
    if (t.value === undefined || t.value === '') throw new UsageError(`${flag} needs a value`);
    out.push({ kind: 'option', name, flag, value: t.value });
  }
  return out;
}
