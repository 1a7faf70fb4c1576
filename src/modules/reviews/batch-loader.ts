// A minimal DataLoader: calls for keys made in the same tick are answered by one load of all
// their keys. GraphQL resolves the fields of a list's items in one pass, so the replies of twenty
// reviews become one query instead of twenty. One loader per request (no cache across requests:
// a thread changes while people reply).

export function batchLoader<K, V>(load: (keys: K[]) => Promise<Map<K, V>>): (key: K) => Promise<V | undefined> {
  let queue: Array<{ key: K; resolve: (value: V | undefined) => void; reject: (error: unknown) => void }> = [];
  const flush = async () => {
    const batch = queue;
    queue = [];
    try {
      const values = await load([...new Set(batch.map((entry) => entry.key))]);
      for (const entry of batch) entry.resolve(values.get(entry.key));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  };
  return (key) =>
    new Promise((resolve, reject) => {
      queue.push({ key, resolve, reject });
      // After the resolvers of this pass have all asked: setImmediate runs once the pending
      // promise callbacks (the sibling resolvers) have run.
      if (queue.length === 1) setImmediate(() => void flush());
    });
}

/** Loaders kept per request context object (mercurius builds one per request). */
export function perRequest<T>(make: () => T): (context: object) => T {
  const loaders = new WeakMap<object, T>();
  return (context) => {
    let found = loaders.get(context);
    if (!found) {
      found = make();
      loaders.set(context, found);
    }
    return found;
  };
}
