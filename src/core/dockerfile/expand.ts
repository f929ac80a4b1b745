/**
 * Expands `$VAR`, `${VAR}`, `${VAR:-word}` and `${VAR:+word}` the way the builder does for FROM.
 * `lookup` returns the value, or undefined when the variable has no value; such names are reported
 * in `missing` (unless a `:-` default covers them).
 */
export function expandVariables(text: string, lookup: (name: string) => string | undefined): { value: string; missing: string[] } {
  const missing: string[] = [];
  const value = text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_m, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare)!;
      const v = lookup(name);
      if (op === ':-') return v ? v : word ?? '';
      if (op === ':+') return v ? word ?? '' : '';
      if (v === undefined) { missing.push(name); return ''; }
      return v;
    });
  return { value, missing };
}
