/** Sizes and ages as the view shows them; decimal units like `docker images`. */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

/** `0 B`, `812 B`, `1.5 kB`, `56.3 MB`, `1.07 GB`: three significant digits from kB up. */
export function formatBytes(bytes: number): string {
  let v = Math.abs(bytes);
  let u = 0;
  while (v >= 1000 && u < UNITS.length - 1) { v /= 1000; u++; }
  const digits = u === 0 ? 0 : v >= 100 ? 0 : v >= 10 ? 1 : 2;
  let text = v.toFixed(digits);
  if (u > 0 && text.includes('.')) text = text.replace(/\.?0+$/, '');
  return `${bytes < 0 ? '-' : ''}${text} ${UNITS[u]}`;
}

/** `+1.2 MB`, `-300 kB`, `±0 B`. */
export function formatDelta(delta: number): string {
  if (delta === 0) return '±0 B';
  return delta > 0 ? `+${formatBytes(delta)}` : formatBytes(delta);
}

const SPANS: readonly (readonly [number, string])[] = [
  [365 * 86_400_000, 'year'], [30 * 86_400_000, 'month'], [7 * 86_400_000, 'week'],
  [86_400_000, 'day'], [3_600_000, 'hour'], [60_000, 'minute'],
];

/** `just now`, `1 minute ago`, `3 days ago`, `2 years ago`. */
export function formatAge(created: number, now: number): string {
  const ms = Math.max(0, now - created);
  for (const [span, name] of SPANS) {
    const n = Math.floor(ms / span);
    if (n >= 1) return `${n} ${name}${n === 1 ? '' : 's'} ago`;
  }
  return 'just now';
}
