// The Fastify instance every process and test builds on: request ids, validation that rejects
// unknown fields and reports every failing field, security headers, CORS, body limits.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import cors from '@fastify/cors';
import { v7 as uuidv7 } from 'uuid';
import type { Config } from '../../config/index.js';
import { requestContext } from '../observability/context.js';
import { registerProblemHandlers, sendProblem, toAppError } from './problem.js';
import { ProblemSchema } from './schema.js';
import { registerHtmlSecurityHeaders } from './security-headers.js';
import { requestValidators } from './validation.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Shared with the route-method index behind 405 answers, so both routers match paths alike. */
const ROUTER_OPTIONS = { ignoreTrailingSlash: true };

type JsonSchema = Record<string, unknown>;

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A copy of a request body schema in which every object with declared `properties` that says
 * nothing about other fields gets `additionalProperties: false`, so unknown fields are rejected
 * even when a route author forgot to say so. allOf members are left alone (each would reject
 * the fields of the others); an object that wants free-form fields says so explicitly.
 */
function closeObjects(schema: unknown): unknown {
  if (!isSchema(schema)) return schema;
  const copy: JsonSchema = { ...schema };
  const mapValues = (value: unknown) =>
    isSchema(value)
      ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, closeObjects(inner)]))
      : value;
  if (isSchema(copy.properties)) copy.properties = mapValues(copy.properties);
  if (isSchema(copy.patternProperties)) copy.patternProperties = mapValues(copy.patternProperties);
  if (isSchema(copy.additionalProperties)) copy.additionalProperties = closeObjects(copy.additionalProperties);
  if (copy.items !== undefined)
    copy.items = Array.isArray(copy.items) ? copy.items.map(closeObjects) : closeObjects(copy.items);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const members = copy[key];
    if (Array.isArray(members)) copy[key] = members.map(closeObjects);
  }
  const declaresOthers =
    'additionalProperties' in copy || 'patternProperties' in copy || 'unevaluatedProperties' in copy;
  if (isSchema(copy.properties) && !declaresOthers) copy.additionalProperties = false;
  return copy;
}

export type App = FastifyInstance;

export async function createServer(config: Config, logger: FastifyBaseLogger): Promise<App> {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    // Take a well-formed X-Request-Id from the caller (so traces join up), otherwise make one.
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : uuidv7();
    },
    ajv: {
      customOptions: {
        allErrors: true,
        // Unknown fields are rejected by additionalProperties: false, never silently dropped.
        removeAdditional: false,
        useDefaults: true,
      },
    },
    // Bodies uncoerced, query strings and parameters coerced, U+0000 refused everywhere.
    schemaController: { compilersFactory: { buildValidator: requestValidators() } },
    // A malformed percent-encoding or an over-long path parameter is answered as a problem too.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      return sendProblem(reply, request, toAppError(error));
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: ROUTER_OPTIONS,
  });

  app.addSchema(ProblemSchema);
  registerProblemHandlers(app, ROUTER_OPTIONS);
  // The API speaks JSON only: a text/plain body is a 415, not a string handed to the route.
  app.removeContentTypeParser('text/plain');
  app.addHook('onRoute', (route) => {
    if (route.schema?.body !== undefined) route.schema = { ...route.schema, body: closeObjects(route.schema.body) };
  });

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // The rest of the request runs inside this context, so outbound calls can forward the id.
    requestContext.run({ requestId: String(request.id) }, done);
  });

  await app.register(helmet, {
    // The API reference at /docs loads its own script and styles.
    contentSecurityPolicy: false,
    // HSTS only makes sense behind TLS, which a proxy terminates in production.
    strictTransportSecurity: config.nodeEnv === 'production' ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  registerHtmlSecurityHeaders(app);
  await app.register(cors, {
    origin: config.http.corsOrigins,
    exposedHeaders: [
      'x-request-id',
      'etag',
      'location',
      'retry-after',
      'idempotent-replayed',
      'ratelimit',
      'ratelimit-policy',
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
    ],
  });
  return app;
}
