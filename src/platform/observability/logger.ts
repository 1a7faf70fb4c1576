// Structured JSON logs. Anything that could identify a person or grant access is redacted
// before it is written, wherever it appears in the plain data of a log object.
import pino, { type LoggerOptions } from 'pino';
import { traceFields } from './tracing.js';

const SENSITIVE_KEYS = new Set([
  'password',
  'new_password',
  'email',
  'phone',
  'token',
  'access_token',
  'refresh_token',
  'secret',
  'client_secret',
  'secret_key',
  'webhook_secret',
  'card_number',
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
]);
const CENSOR = '[redacted]';
// Deeper than any log object we write; a bound keeps a cyclic object from looping.
const MAX_DEPTH = 10;

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Returns `value` with every sensitive key censored, copying only the objects that change (the
 * caller's object is never modified). Walks plain objects and arrays; class instances (errors,
 * requests, dates) are left to their serializers. This replaces pino's wildcard `redact` paths,
 * which only reach a fixed depth and, with a dozen keys, doubled the cost of a request's logging.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const clean = redact(item, depth + 1);
      if (clean !== item) (copy ??= value.slice())[index] = clean;
    }
    return copy ?? value;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = value[key];
    const clean = SENSITIVE_KEYS.has(key.toLowerCase()) ? CENSOR : redact(item, depth + 1);
    if (clean !== item) (copy ??= { ...value })[key] = clean;
  }
  return copy ?? value;
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    // pino's own redaction stays only where it is cheap (exact paths, no wildcards) and reaches
    // what formatters.log does not: child logger bindings, and serialized requests and replies
    // should a serializer ever add headers.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
        ...[...SENSITIVE_KEYS].map((key) => `["${key}"]`),
      ],
      censor: CENSOR,
    },
    base: { service: 'brigade', pid: process.pid },
    // trace_id/span_id of the active span, when tracing is on: logs and traces join up.
    mixin: traceFields,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => redact(object) as Record<string, unknown>,
    },
  };
}

/** Lines go to stdout, or to stderr for commands whose stdout is their answer (`brigade check`). */
export function createLogger(level: string, destination: 'stdout' | 'stderr' = 'stdout') {
  return destination === 'stdout' ? pino(loggerOptions(level)) : pino(loggerOptions(level), pino.destination(2));
}
