// Structured JSON logs. Anything that could identify a person or grant access is redacted
// before it is written, wherever it appears in a log object.
import pino, { type LoggerOptions } from 'pino';

const SENSITIVE_KEYS = ['password', 'new_password', 'email', 'phone', 'token', 'access_token', 'refresh_token', 'secret', 'authorization', 'cookie', 'set-cookie', 'x-api-key'];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...SENSITIVE_KEYS.flatMap((key) => [`["${key}"]`, `*["${key}"]`, `*.*["${key}"]`]),
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'brigade', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
}

export function createLogger(level: string) {
  return pino(loggerOptions(level));
}
