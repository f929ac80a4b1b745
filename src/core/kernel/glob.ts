/**
 * One path component's glob as glob(3) matches it, as a regex: `*`, `?`, `[…]` (`[!…]` or `[^…]` negated); a leading
 * dot must be matched literally. The checks' file patterns and ld.so.conf's `include` use it.
 */
export function globRegex(part: string): RegExp {
  let re = '';
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = part.indexOf(']', i + 2);
      if (end < 0) { re += '\\['; continue; }
      let body = part.slice(i + 1, end);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      re += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${part.startsWith('.') ? '' : '(?!\\.)'}${re}$`);
}
