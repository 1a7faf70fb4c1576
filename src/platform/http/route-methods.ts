// Which methods a path answers, so a wrong method on a known path is 405 with `Allow` (RFC 9110
// §15.5.6) rather than a 404 that tells the client the resource does not exist. Fastify's own
// router only answers "this method and path, or nothing", so every route is also added to a
// second router of the same kind (find-my-way, with the app's router options) that is asked
// per method when a request found no route.
import type { FastifyInstance } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';

export interface RouteMethods {
  /** The methods `path` has routes for (HEAD included where GET is), in a stable order; empty if none. */
  allowedAt(path: string): string[];
}

export function trackRouteMethods(app: FastifyInstance, options: { ignoreTrailingSlash: boolean }): RouteMethods {
  const router = FindMyWay({ ignoreTrailingSlash: options.ignoreTrailingSlash });
  const known = new Set<HTTPMethod>();
  const noop = () => undefined;
  /** Methods answered on every path (CORS preflight's `OPTIONS *`): they don't make a path known. */
  const everywhere = new Set<HTTPMethod>();
  app.addHook('onRoute', (route) => {
    if (route.url === '*' || route.url === '/*') {
      for (const method of [route.method].flat()) everywhere.add(method.toUpperCase() as HTTPMethod);
      return;
    }
    for (const method of [route.method].flat().map((name) => name.toUpperCase() as HTTPMethod)) {
      known.add(method);
      // A route fastify also registered under another form (HEAD for GET) must not be added twice.
      if (router.find(method, route.url) === null) router.on(method, route.url, noop);
    }
  });
  return {
    allowedAt(path) {
      const here = [...known].filter((method) => router.find(method, path) !== null);
      if (here.length === 0) return [];
      return [...new Set([...here, ...everywhere])].sort();
    },
  };
}
