/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The candidate the input most likely misspells, or undefined when none is close: case-insensitive, at
 * most 1 edit for inputs up to 4 characters, 2 up to 8, 3 beyond; else a candidate of 3 or more characters
 * that starts the input or that the input starts (`enviroment` → `env`, `amd` → `amd64`).
 */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  if (input.length === 0 || input.length > 64) return undefined;
  const low = input.toLowerCase();
  const max = low.length <= 4 ? 1 : low.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const c of candidates) {
    const d = editDistance(low, c.toLowerCase());
    if (d < bestDistance) { best = c; bestDistance = d; }
  }
  if (best !== undefined || low.length < 3) return best;
  return candidates.find((c) => c.length >= 3 && (low.startsWith(c.toLowerCase()) || c.toLowerCase().startsWith(low)));
}
