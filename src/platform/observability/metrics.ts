// RED metrics per route (rate, errors, duration) plus Node process metrics, in Prometheus
// text format at /metrics. The registry is passed in, so the worker's job and outbox metrics
// share it in a single process; tests build one per app.
//
// Who may scrape: with METRICS_TOKEN set, only a caller sending `Authorization: Bearer <token>`
// (compared in constant time); without it, anyone outside production, and nobody in production
// (401: the process's routes, traffic and memory are not for the public internet).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { Config } from '../../config/index.js';
import { UnauthenticatedError } from '../http/errors.js';

/** Who may read /metrics. */
export interface MetricsAccess {
  /** The bearer token a scraper must send; null: see `refuseWithoutToken`. */
  token: string | null;
  /** Without a token: refuse every scrape (production) instead of answering anyone. */
  refuseWithoutToken: boolean;
}

export function metricsAccess(
  config: Pick<Config, 'nodeEnv'> & { http: Pick<Config['http'], 'metricsToken'> },
): MetricsAccess {
  return { token: config.http.metricsToken, refuseWithoutToken: config.nodeEnv === 'production' };
}

const OPEN: MetricsAccess = { token: null, refuseWithoutToken: false };
const BEARER = /^Bearer +(\S+)$/i;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Throws the 401 problem unless the request may read the metrics. */
export function assertMayScrape(access: MetricsAccess, request: Pick<FastifyRequest, 'headers'>): void {
  if (access.token === null) {
    if (access.refuseWithoutToken)
      throw new UnauthenticatedError(
        'Metrics are not served in production without METRICS_TOKEN.',
        'METRICS_TOKEN_REQUIRED',
      );
    return;
  }
  const presented = BEARER.exec(request.headers.authorization ?? '')?.[1];
  // Digests of equal length, so the comparison takes the same time whatever was sent.
  if (presented === undefined || !timingSafeEqual(digest(presented), digest(access.token)))
    throw new UnauthenticatedError('Send the metrics token: Authorization: Bearer <METRICS_TOKEN>.');
}

/** One per process (or per app in tests): Node process metrics plus whatever parts add. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** RED metrics for the app's routes, and GET /metrics serving the whole registry. */
export function registerMetrics(
  app: FastifyInstance,
  registry: Registry = createMetricsRegistry(),
  access: MetricsAccess = OPEN,
): Registry {
  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests served',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: ids in paths would explode the label cardinality.
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, status_code: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });

  // 'public' to the access guard (which knows people and API keys): the metrics token is checked here.
  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    assertMayScrape(access, request);
    reply.header('cache-control', 'no-store');
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return registry;
}
