// The TypeScript word similarity against PostgreSQL's own (pg_trgm, installed by the migrations):
// same values, so search forgives the same typos it did in SQL.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test-support/harness.js';
import { trigramsOf, wordSimilarity } from './trigram-similarity.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/** PostgreSQL's word_similarity(query, text) for each pair, in one round trip. */
async function postgres(pairs: Array<[string, string]>): Promise<number[]> {
  const { rows } = await db.database.pool.query<{ similarity: number }>(
    'SELECT word_similarity(q, t)::float8 AS similarity FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS p(q, t, n) ORDER BY n',
    [pairs.map((pair) => pair[0]), pairs.map((pair) => pair[1])],
  );
  return rows.map((row) => row.similarity);
}

const ours = (pairs: Array<[string, string]>) => pairs.map(([query, text]) => wordSimilarity(query, trigramsOf(text)));

describe('word similarity', () => {
  it('when menu words and typos are compared, then the values are PostgreSQL’s, and the 0.45 line falls where it did', async () => {
    const list: Array<[string, string]> = [
      ['margarita', 'pizza margherita'],
      ['margarita', 'marinara'],
      ['margarita', 'secret margherita'],
      ['calzone', 'vegan calzone'],
      ['calzon', 'vegan calzone'],
      ['formagi', 'quattro formaggi'],
      ['peperoni', 'pepperoni'],
      ['garlic bread', 'garlic bread'],
      ['garlic bread', 'bruschetta'],
      ['tiramisu', 'tiramisù'],
      ['creme brulee', 'crème brûlée'],
      ['bread', 'garlic bread'],
      ['pizza', 'pizza margherita'],
      ['a', 'a b c'],
      ['xyz', 'pancakes'],
      ['', 'pizza'],
      ['pizza', ''],
      ['dish 17', 'dish 17 0a1b2c'],
      ['mar mar', 'marmara'],
    ];
    const expected = await postgres(list);
    const actual = ours(list);
    for (const [n, [query, text]] of list.entries()) {
      expect(actual[n], `${query} ~ ${text}`).toBeCloseTo(expected[n]!, 6);
      expect(actual[n]! >= 0.45, `${query} ~ ${text}`).toBe(expected[n]! >= 0.45);
    }
    expect(actual[0]).toBeGreaterThanOrEqual(0.45);
    expect(actual[1]).toBeLessThan(0.45);
  });

  it('when 1,000 arbitrary short texts are compared (repeated letters, several words, accents, punctuation), then the values are PostgreSQL’s', async () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'n', 'r', 'é', ' ', '-', '1'), maxLength: 14 });
    const pairs = fc.sample(fc.tuple(text, text), { numRuns: 1000, seed: 12 }) as Array<[string, string]>;
    const expected = await postgres(pairs);
    const actual = ours(pairs);
    const differences = pairs.filter((_, n) => Math.abs(actual[n]! - expected[n]!) > 1e-6);
    expect(differences).toEqual([]);
    // The sample is not trivial: many pairs share trigrams, some fully.
    expect(expected.filter((value) => value > 0).length).toBeGreaterThan(300);
    expect(expected.filter((value) => value > 0 && value < 1).length).toBeGreaterThan(150);
  });
});
