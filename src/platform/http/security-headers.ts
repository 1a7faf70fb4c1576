// Content-Security-Policy for HTML responses. The API answers JSON, for which helmet's other
// headers suffice (a JSON body runs no script); but a few routes answer HTML for browsers (the
// API reference at /docs, the payment sandbox's checkout page), and those get a strict policy:
// everything from this origin only, no plugins, no <base>, never framed, and inline scripts only
// when the route names their exact hashes.
//
// A route that knows its page (its inline scripts are its own code, not request data) sets its
// policy with `htmlPolicy({ scriptHashes: inlineScriptHashes(html) })`; every other HTML
// response gets STRICT_HTML_POLICY, under which no inline script runs at all.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export interface HtmlPolicyOptions {
  /** `'sha256-…'` sources of the inline scripts the page may run. */
  scriptHashes?: readonly string[];
  /** Allow inline styles (style elements a script inserts, style attributes): for UIs built that way. */
  inlineStyles?: boolean;
}

export function htmlPolicy(options: HtmlPolicyOptions = {}): string {
  const scripts = ["'self'", ...(options.scriptHashes ?? [])].join(' ');
  const styles = options.inlineStyles ? "'self' 'unsafe-inline'" : "'self'";
  return [
    "default-src 'self'",
    `script-src ${scripts}`,
    `style-src ${styles}`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The policy of an HTML response whose route set none: no inline script or style runs. */
export const STRICT_HTML_POLICY = htmlPolicy();

const INLINE_SCRIPT = /<script\b(?![^>]*\bsrc\s*=)[^>]*>([\s\S]*?)<\/script\s*>/gi;

/** CSP hash sources (`'sha256-…'`) of every inline <script> in a page the server wrote itself. */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(INLINE_SCRIPT)].map(
    (match) => `'sha256-${createHash('sha256').update(match[1]!, 'utf8').digest('base64')}'`,
  );
}

export function isHtml(contentType: unknown): boolean {
  return typeof contentType === 'string' && /^text\/html\b/i.test(contentType);
}

/** Every HTML response carries a Content-Security-Policy: its route's, or the strict default. */
export function registerHtmlSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    if (isHtml(reply.getHeader('content-type')) && !reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', STRICT_HTML_POLICY);
    return payload;
  });
}
