// A short per-process cache of GET /v1/stores/{storeId}/reviews answers, as the bytes sent. The
// list is public and the same for everyone (no viewer-specific fields for an anonymous reader),
// and a popular store's first pages are read far more often than it is reviewed: at c=50 on two
// cores every request doing its two queries and its serialization queues (bench/RESULTS.md).
//
// Freshness: every write through the reviews service drops every cached page, on every node: the
// writing node at once, the others when they hear the write's announcement on the live fan-out
// (index.ts; writes are rare next to reads, and a write changes the rating summary every page
// carries, so there is nothing finer to keep). An announcement missed (the fan-out is at most
// once) shows within MAX_AGE_MS plus one load. A page is fresh for FRESH_MS; until MAX_AGE_MS it
// is still answered while one load refreshes it, so under load an expiry never makes readers
// wait; older, readers wait for the load. Concurrent loads of one page are one load.
const FRESH_MS = 1_000;
const MAX_AGE_MS = 2_000;
/** Pages kept, across stores: a crawler paging deep evicts the oldest, never grows the heap. */
const MAX_PAGES = 2_000;

interface Entry {
  body: Buffer;
  loadedAt: number;
}

export interface ListCache {
  /** The page under `key`: cached, or loaded (once for concurrent callers). */
  get(key: string, load: () => Promise<Buffer>): Promise<Buffer>;
  /** Forgets every page, and any load begun before (after a write through this process). */
  clear(): void;
}

export interface ListCacheOptions {
  freshMs?: number;
  maxAgeMs?: number;
  maxPages?: number;
  now?: () => number;
}

export function createListCache(options: ListCacheOptions = {}): ListCache {
  const fresh = options.freshMs ?? FRESH_MS;
  const maxAge = options.maxAgeMs ?? MAX_AGE_MS;
  const max = options.maxPages ?? MAX_PAGES;
  const now = options.now ?? (() => performance.now());
  const pages = new Map<string, Entry>();
  const loading = new Map<string, Promise<Buffer>>();
  // A load that began before a write may finish after it: its page is not kept.
  let generation = 0;

  function startLoad(key: string, load: () => Promise<Buffer>): Promise<Buffer> {
    const started = generation;
    const settle = () => {
      if (loading.get(key) === promise) loading.delete(key);
    };
    const promise: Promise<Buffer> = load().then(
      (body) => {
        settle();
        if (started === generation && maxAge > 0) {
          pages.delete(key);
          pages.set(key, { body, loadedAt: now() });
          if (pages.size > max) pages.delete(pages.keys().next().value!);
        }
        return body;
      },
      (error: unknown) => {
        settle();
        throw error;
      },
    );
    loading.set(key, promise);
    return promise;
  }

  return {
    async get(key, load) {
      const hit = pages.get(key);
      const age = hit ? now() - hit.loadedAt : Infinity;
      if (hit && age < fresh) return hit.body;
      const pending = loading.get(key) ?? startLoad(key, load);
      if (hit && age < maxAge) {
        // The refresh's failure is the next reader's to see (it waits once the page is too old).
        pending.catch(() => undefined);
        return hit.body;
      }
      return pending;
    },
    clear() {
      generation += 1;
      pages.clear();
      loading.clear();
    },
  };
}
