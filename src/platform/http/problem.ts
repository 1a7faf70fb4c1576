// Maps every failure to an RFC 9457 problem, in this one place: AppErrors, schema validation,
// body parsing, PostgreSQL errors, unknown routes. Nothing internal (stack, SQL, paths) leaves.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type FieldError } from './errors.js';
import { trackRouteMethods } from './route-methods.js';

export const PROBLEM_BASE = 'https://brigade.dev/problems/';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  request_id: string;
  errors?: FieldError[];
}

function typeFor(code: string): string {
  return PROBLEM_BASE + code.toLowerCase().replace(/_/g, '-');
}

type ValidationIssue = NonNullable<FastifyError['validation']>[number];

/**
 * ajv reports a failed anyOf once per branch and once for the anyOf itself, so one bad field
 * would be listed several times ("must be equal to constant" twice for a two-value union).
 * Keep only the anyOf entry, and when every branch was a constant, say which values are allowed.
 */
function collapseAnyOf(issues: ValidationIssue[]): ValidationIssue[] {
  const unions = issues.filter((issue) => issue.keyword === 'anyOf');
  if (unions.length === 0) return issues;
  const branchOf = (issue: ValidationIssue) =>
    unions.find(
      (union) =>
        issue !== union &&
        issue.schemaPath.startsWith(`${union.schemaPath}/`) &&
        issue.instancePath.startsWith(union.instancePath),
    );
  return issues
    .filter((issue) => branchOf(issue) === undefined)
    .map((issue) => {
      if (issue.keyword !== 'anyOf') return issue;
      const branches = issues.filter((other) => branchOf(other) === issue);
      const constants = branches.every(
        (branch) => branch.keyword === 'const' && branch.instancePath === issue.instancePath,
      );
      if (!constants || branches.length === 0) return issue;
      const allowed = branches.map((branch) =>
        JSON.stringify((branch.params as { allowedValue?: unknown }).allowedValue),
      );
      return { ...issue, message: `must be one of ${allowed.join(', ')}` };
    });
}

function fromValidation(error: FastifyError): AppError {
  const context = error.validationContext ?? 'body';
  const errors: FieldError[] = collapseAnyOf(error.validation ?? []).map((issue) => {
    let path = `/${context}${issue.instancePath}`;
    let message = issue.message ?? 'is invalid';
    const params = issue.params as Record<string, unknown>;
    if (issue.keyword === 'required' && typeof params.missingProperty === 'string') {
      path = `${path}/${params.missingProperty}`;
      message = 'is required';
    } else if (issue.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      path = `${path}/${params.additionalProperty}`;
      message = 'is not an allowed field';
    }
    return { path, message };
  });
  return new AppError(400, 'VALIDATION_FAILED', 'Validation failed', `The request ${context} is not valid.`, errors);
}

interface PgLikeError {
  code?: string;
  message?: string;
}

// The server is shutting down, starting, out of connections, or the connection is gone: SQLSTATE
// classes 57P (operator intervention), 53300 and 08 (connection exception), the socket's own
// errors, and node-postgres's messages for a connection that ended under a query.
const AWAY_CODES = new Set(['57P01', '57P02', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const AWAY_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

function databaseAway(error: PgLikeError): boolean {
  if (error.code !== undefined && (AWAY_CODES.has(error.code) || error.code.startsWith('08'))) return true;
  return AWAY_MESSAGES.some((message) => error.message?.startsWith(message));
}

function fromPostgres(error: PgLikeError): AppError | null {
  switch (error.code) {
    case '23505':
      return new AppError(409, 'CONFLICT', 'Conflict', 'This would duplicate an existing resource.');
    case '23503':
      return new AppError(
        422,
        'REFERENCE_NOT_FOUND',
        'Unprocessable request',
        'The request refers to something that does not exist.',
      );
    case '23514':
    case '22001':
    case '22P02':
    case '22007':
    case '22008':
      return new AppError(
        422,
        'INVALID_VALUE',
        'Unprocessable request',
        'A value in the request is outside what is allowed.',
      );
    case '40001':
    case '40P01':
      return new AppError(
        409,
        'CONCURRENT_UPDATE',
        'Conflict',
        'Another request changed the same data at the same time; retry.',
      );
    case '57014':
      return new AppError(
        503,
        'DATABASE_TIMEOUT',
        'Service unavailable',
        'The database took too long to answer.',
        undefined,
        { 'retry-after': '1' },
      );
    default:
      if (error.message?.includes('timeout exceeded when trying to connect')) {
        return new AppError(
          503,
          'DATABASE_UNAVAILABLE',
          'Service unavailable',
          'No database connection was free in time.',
          undefined,
          { 'retry-after': '1' },
        );
      }
      if (databaseAway(error)) {
        return new AppError(
          503,
          'DATABASE_UNAVAILABLE',
          'Service unavailable',
          'The database is not reachable.',
          undefined,
          { 'retry-after': '2' },
        );
      }
      return null;
  }
}

const FASTIFY_CODES: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'MALFORMED_REQUEST', 'Content-Length does not match the body.'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'MALFORMED_REQUEST', 'The body is empty but Content-Type says JSON.'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'MALFORMED_REQUEST', 'The body is not valid JSON.'],
  FST_ERR_BAD_URL: [400, 'MALFORMED_URL', 'The path holds a malformed percent-encoding.'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'URI_TOO_LONG', 'A path parameter is longer than 100 characters.'],
};

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Unprocessable request',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
};

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return fromValidation(fastifyError);
  const known = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (known) return new AppError(known[0], known[1], TITLES[known[0]] ?? 'Error', known[2]);
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return new AppError(400, 'MALFORMED_REQUEST', 'Bad request', 'The body is not valid JSON.');
  }
  const pg = fromPostgres(error as PgLikeError);
  if (pg) return pg;
  const status = fastifyError.statusCode;
  if (status && status >= 400 && status < 500) {
    return new AppError(status, 'BAD_REQUEST', TITLES[status] ?? 'Bad request', 'The request could not be processed.');
  }
  return new AppError(
    500,
    'INTERNAL_ERROR',
    'Internal error',
    'Something went wrong on our side. Quote the request_id if you contact support.',
  );
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: AppError): FastifyReply {
  const body: Problem = {
    type: typeFor(error.code),
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
    request_id: String(request.id),
  };
  if (error.errors?.length) body.errors = error.errors;
  if (error.headers) reply.headers(error.headers);
  // Serialized by hand: a route's response schema must never reshape or drop problem fields.
  return reply
    .code(error.status)
    .type('application/problem+json')
    .serializer((payload: unknown) => JSON.stringify(payload))
    .send(body);
}

export function registerProblemHandlers(app: FastifyInstance, routerOptions: { ignoreTrailingSlash: boolean }): void {
  const routes = trackRouteMethods(app, routerOptions);
  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (appError.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else if (!(error instanceof AppError)) {
      request.log.info({ code: appError.code, reason: (error as Error).message }, 'request rejected');
    }
    return sendProblem(reply, request, appError);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = routes.allowedAt(path);
    if (allowed.length > 0) {
      const detail = `${path} does not answer ${request.method}; it answers ${allowed.join(', ')}.`;
      const error = new AppError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed', detail, undefined, {
        allow: allowed.join(', '),
      });
      return sendProblem(reply, request, error);
    }
    const detail = `There is no ${request.method} ${path} route.`;
    return sendProblem(reply, request, new AppError(404, 'ROUTE_NOT_FOUND', 'Not found', detail));
  });
}
