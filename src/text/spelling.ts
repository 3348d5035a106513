/**
 * The word among `candidates` a mistyped `word` was most likely meant to be: the nearest by edits (insert, delete,
 * substitute a letter), case ignored, at most `maxEdits` away; null when none is that close (another word, not a typo).
 */
export function closestWord(word: string, candidates: Iterable<string>, maxEdits = 2): string | null {
  let best: string | null = null;
  let bestDistance = maxEdits + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}
