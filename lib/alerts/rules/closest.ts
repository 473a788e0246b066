/**
 * "Did you mean" for a mistyped key of the rules file. Kept apart so that one shared helper (lib/settings) can
 * take its place.
 */

/** A likely intended key for a typo: same letters ignoring case, `_` and `-`, or within two edits. */
export function closest(key: string, known: readonly string[]): string | null {
  const normal = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  let best: string | null = null;
  let bestDistance = normal(key).length <= 3 ? 2 : 3;
  for (const candidate of known) {
    const distance = editDistance(normal(key), normal(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, counting a swap of two neighbouring letters as one edit (`domian` → `domain`). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0]!.push(j);
        continue;
      }
      const row = rows[i]!;
      const up = rows[i - 1]!;
      let d = Math.min(up[j]! + 1, row[j - 1]! + 1, up[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
  }
  return rows[a.length]![b.length]!;
}
