/**
 * Path globs (`*`, `?`, `[…]` within a segment, `**` across segments) as used by `remove`, and whether two
 * of them can touch the same file.
 */

type Token = { readonly k: 'lit'; readonly c: string } | { readonly k: 'any' } | { readonly k: 'star' };

function tokens(segment: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') { if (out[out.length - 1]?.k !== 'star') out.push({ k: 'star' }); }
    else if (c === '?') out.push({ k: 'any' });
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) out.push({ k: 'lit', c });
      else { out.push({ k: 'any' }); i = close; }
    } else if (c === '\\' && i + 1 < segment.length) out.push({ k: 'lit', c: segment[++i]! });
    else out.push({ k: 'lit', c });
  }
  return out;
}

/** Whether some file name matches both segment globs (a character class counts as any character). */
export function segmentsIntersect(a: string, b: string): boolean {
  const ta = tokens(a), tb = tokens(b);
  const na = ta.length, nb = tb.length;
  const memo = new Int8Array((na + 1) * (nb + 1));
  const f = (i: number, j: number): boolean => {
    const m = memo[i * (nb + 1) + j]!;
    if (m !== 0) return m > 0;
    let r: boolean;
    const x = ta[i], y = tb[j];
    if (!x && !y) r = true;
    else if (x?.k === 'star') r = f(i + 1, j) || (j < nb && f(i, j + 1));
    else if (y?.k === 'star') r = f(i, j + 1) || (i < na && f(i + 1, j));
    else if (!x || !y) r = false;
    else r = (x.k === 'any' || y.k === 'any' || x.c === y.c) && f(i + 1, j + 1);
    memo[i * (nb + 1) + j] = r ? 1 : -1;
    return r;
  };
  return f(0, 0);
}

/** The segments of an absolute path or glob, with `.`, `..` and repeated slashes resolved. */
export function pathSegments(path: string): string[] {
  const out: string[] = [];
  for (const s of path.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop(); else out.push(s);
  }
  return out;
}

/**
 * Whether removing what `pattern` matches (recursively) removes `target` or something under it. `target` is
 * a glob too; `tree` also counts removing anything below `target`.
 */
export function removalTouches(pattern: string, target: string, tree: boolean): boolean {
  const p = pathSegments(pattern), q = pathSegments(target);
  const memo = new Map<number, boolean>();
  const f = (i: number, j: number): boolean => {
    const key = i * (q.length + 1) + j;
    const seen = memo.get(key);
    if (seen !== undefined) return seen;
    let r: boolean;
    if (i === p.length) r = true; // the pattern matched the target or one of its ancestors
    else if (p[i] === '**') r = f(i + 1, j) || (j < q.length && f(i, j + 1)) || (tree && j === q.length);
    else if (j === q.length) r = tree;
    else r = segmentsIntersect(p[i]!, q[j]!) && f(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return f(0, 0);
}
