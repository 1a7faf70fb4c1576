// Load shedding with @fastify/under-pressure: when the event-loop delay, heap or resident memory
// of this process crosses its configured limit (config.pressure; 0 disables a limit), every new
// request is answered at once with a 503 OVERLOADED problem and Retry-After, before
// authentication or any other work. Liveness and readiness probes (and /metrics) keep answering,
// so an overloaded node is not restarted for being busy and its state stays observable.
//
// under-pressure samples every `sampleIntervalMs` (one second by default): shedding starts and
// stops within one sample of crossing the limit.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import underPressure from '@fastify/under-pressure';
import type { Config } from '../../config/index.js';
import { ServiceUnavailableError } from './errors.js';
import { problems } from './schema.js';

const ALWAYS_SERVED = new Set(['/health/live', '/health/ready', '/metrics']);

export interface LoadSheddingOptions {
  /** Seconds a shed client is told to wait. */
  retryAfterSeconds?: number;
  sampleIntervalMs?: number;
}

function alwaysServed(request: FastifyRequest): boolean {
  const url = request.routeOptions.url;
  return url !== undefined && ALWAYS_SERVED.has(url);
}

/** Register before access control and everything else, so shedding costs no work at all. */
export async function registerLoadShedding(
  app: FastifyInstance,
  pressure: Config['pressure'],
  options: LoadSheddingOptions = {},
): Promise<void> {
  const retryAfter = options.retryAfterSeconds ?? 5;
  const sampleInterval = options.sampleIntervalMs ?? 1000;
  let lastLog = 0;
  // The samples taken while the app starts measure the start itself (route schemas compile
  // synchronously in ready(), more than a second on a small machine), not load: shedding is armed
  // two samples after ready, so the first requests after start are not refused for it.
  let armedAt = Number.POSITIVE_INFINITY;
  app.addHook('onReady', async () => {
    armedAt = Date.now() + 2 * sampleInterval;
  });

  // Every route may now answer 503: say so in its documented responses.
  app.addHook('onRoute', (route) => {
    const response = route.schema?.response as Record<string, unknown> | undefined;
    if (response === undefined || 503 in response || ALWAYS_SERVED.has(route.url)) return;
    route.schema = { ...route.schema, response: { ...response, ...problems(503) } };
  });

  await app.register(underPressure, {
    maxEventLoopDelay: pressure.maxEventLoopDelayMs,
    maxHeapUsedBytes: pressure.maxHeapUsedBytes,
    maxRssBytes: pressure.maxRssBytes,
    sampleInterval,
    // A rejected promise reaches the app's error handler: the 503 is a problem like any other.
    pressureHandler: async (request, _reply, type, value) => {
      if (alwaysServed(request) || Date.now() < armedAt) return;
      const now = Date.now();
      if (now - lastLog > 10_000) {
        lastLog = now;
        request.log.warn({ reason: type, value }, 'shedding load: refusing requests with 503 until pressure drops');
      }
      throw new ServiceUnavailableError(
        'OVERLOADED',
        `The server is overloaded; retry in ${retryAfter} s.`,
        retryAfter,
      );
    },
  });
}
