// One POST to a receiver, outside any transaction. node:http rather than fetch: it never follows
// a redirect (a 3xx is a failure, and a redirect to loopback goes nowhere), and its DNS lookup is
// the SSRF guard's own, so the address it connects to is the address that was checked.
import http from 'node:http';
import https from 'node:https';
import type { UrlGuard } from './url-guard.js';

export const SEND_TIMEOUT_MS = 15_000;
const EXCERPT_CHARS = 1000;

export interface SendOutcome {
  ok: boolean;
  status: number | null;
  durationMs: number;
  /** The start of the receiver's answer, for the attempt log. */
  excerpt: string | null;
  /** Why there was no usable answer (refused URL, timeout, connection error). */
  error: string | null;
  retryAfterSeconds: number | null;
}

// Keep-alive: a busy endpoint gets its messages over a few connections, not one each.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 50 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 50 }),
};

function retryAfter(value: string | undefined): number | null {
  if (value === undefined) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

export async function postMessage(
  guard: UrlGuard,
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs = SEND_TIMEOUT_MS,
): Promise<SendOutcome> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  try {
    // Again at every send: an IP-literal URL is not looked up by the connection.
    await guard.check(url);
  } catch (error) {
    return {
      ok: false,
      status: null,
      durationMs: took(),
      excerpt: null,
      error: (error as Error).message,
      retryAfterSeconds: null,
    };
  }
  const target = new URL(url);
  return new Promise<SendOutcome>((resolve) => {
    const request = (target.protocol === 'https:' ? https : http).request(
      target,
      {
        method: 'POST',
        agent: agents[target.protocol as 'http:' | 'https:'],
        lookup: guard.lookup,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Brigade-Webhooks/1',
        },
        timeout: timeoutMs,
      },
      (response) => {
        let excerpt = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (excerpt.length < EXCERPT_CHARS) excerpt += chunk.slice(0, EXCERPT_CHARS - excerpt.length);
        });
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          resolve({
            ok: status >= 200 && status < 300,
            status,
            durationMs: took(),
            excerpt: excerpt === '' ? null : excerpt,
            error: null,
            retryAfterSeconds: retryAfter(response.headers['retry-after']),
          });
        });
        response.on('error', (error) => fail(error.message));
      },
    );
    const deadline = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    function fail(message: string) {
      clearTimeout(deadline);
      resolve({
        ok: false,
        status: null,
        durationMs: took(),
        excerpt: null,
        error: message.slice(0, 500),
        retryAfterSeconds: null,
      });
    }
    request.on('close', () => clearTimeout(deadline));
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error) => fail(error.message));
    request.end(body);
  });
}
