// Test helper: every SQL statement the process sends while some work runs (to count queries, or
// to prove that none runs).
import type pg from 'pg';

export interface RecordedQuery {
  text: string;
  values: unknown[];
}

/**
 * Records every SQL statement sent by any pg client of this process while `run` runs (the app
 * and the test share the process under app.inject). Returns what `run` returned and the list.
 */
export async function recordQueries<T>(
  pgModule: typeof pg,
  run: () => Promise<T>,
): Promise<{ result: T; queries: RecordedQuery[] }> {
  const queries: RecordedQuery[] = [];
  const proto = pgModule.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [first, second] = args;
    const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '');
    queries.push({ text, values: Array.isArray(second) ? second : [] });
    return original.apply(this, args);
  };
  try {
    return { result: await run(), queries };
  } finally {
    proto.query = original;
  }
}
