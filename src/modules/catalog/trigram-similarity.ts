// Trigram word similarity as PostgreSQL's pg_trgm computes it (`word_similarity(a, b)`), in
// TypeScript, so menu search can forgive typos in memory with the behaviour it had in SQL. A
// word is a run of letters and digits, lowercased, padded with two spaces in front and one
// behind ("  pizza "); its trigrams are the three-character windows of that. word_similarity is
// the best |common| / |union| between the trigrams of `a` and a stretch of consecutive trigrams
// of `b`, found with pg_trgm's single left-to-right pass (so values agree with PostgreSQL's;
// the tests compare them).

/** The words of a text as pg_trgm and the search see them: letters and digits, lowercased. */
export function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');
}

/** The trigrams of a text, word by word, in order (duplicates kept). */
export function trigramsOf(text: string): string[] {
  const trigrams: string[] = [];
  for (const word of wordsOf(text)) {
    const chars = [' ', ' ', ...word, ' '];
    for (let i = 0; i + 3 <= chars.length; i++) trigrams.push(chars[i]! + chars[i + 1]! + chars[i + 2]!);
  }
  return trigrams;
}

/** pg_trgm's similarity of counts, in single precision as PostgreSQL computes it (float4). */
const similarity = (common: number, queryCount: number, stretchCount: number) =>
  Math.fround(common / (queryCount + stretchCount - common));

/**
 * word_similarity(query, text), with the text's trigrams given (see trigramsOf; precomputed by
 * the search index, since the same names are compared with every query).
 */
export function wordSimilarity(query: string, textTrigrams: readonly string[]): number {
  const wanted = new Set(trigramsOf(query));
  if (wanted.size === 0) return 0;
  // One pass over the text. The stretch runs from `lower` to the current trigram; for every
  // distinct trigram in it `lastSeen` holds its last position, so the stretch's distinct and
  // common counts are kept as it grows, and recomputed as its start moves right.
  const lastSeen = new Map<string, number>();
  let lower = -1;
  let distinct = 0;
  let common = 0;
  let best = 0;
  for (let i = 0; i < textTrigrams.length; i++) {
    const trigram = textTrigrams[i]!;
    const isWanted = wanted.has(trigram);
    // Before the first wanted trigram nothing counts: a stretch starts at a wanted one.
    if (lower >= 0 || isWanted) {
      if (!lastSeen.has(trigram)) {
        distinct++;
        if (isWanted) common++;
      }
      lastSeen.set(trigram, i);
    }
    if (!isWanted) continue;
    if (lower === -1) {
      lower = i;
      distinct = 1;
    }
    // The stretch ends here; try every later start and keep the best one as the new start.
    let current = similarity(common, wanted.size, distinct);
    let tryDistinct = distinct;
    let tryCommon = common;
    const previousLower = lower;
    for (let start = previousLower; start <= i; start++) {
      const candidate = similarity(tryCommon, wanted.size, tryDistinct);
      if (candidate > current) {
        current = candidate;
        distinct = tryDistinct;
        common = tryCommon;
        lower = start;
      }
      // Dropping the trigram at `start` from the stretch: it leaves the counts if this was its last place.
      const dropped = textTrigrams[start]!;
      if (lastSeen.get(dropped) === start) {
        tryDistinct--;
        if (wanted.has(dropped)) tryCommon--;
      }
    }
    best = Math.max(best, current);
    for (let start = previousLower; start < lower; start++) {
      const dropped = textTrigrams[start]!;
      if (lastSeen.get(dropped) === start) lastSeen.delete(dropped);
    }
  }
  return best;
}
