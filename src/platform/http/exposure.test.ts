// What the app exposes beyond the API, in test mode and with a production configuration: the
// token key set at /.well-known/jwks.json, /metrics behind its token, GraphQL introspection, and
// the security headers of HTML and JSON responses.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { createBareServer } from '../../test-support/server.js';
import { loadConfig } from '../../config/index.js';
import { metricsAccess, registerMetrics } from '../observability/metrics.js';
import { introspectionAllowed } from './graphql.js';
import { STRICT_HTML_POLICY } from './security-headers.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef-0123456789';

/** What production requires (the harness supplies the database itself; the URL only passes the check). */
function productionEnv(): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://brigade@db.internal:5432/brigade',
    JWT_PRIVATE_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    PAYMENTS_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
    PII_ENCRYPTION_KEY: Buffer.alloc(32, 4).toString('base64'),
    // Production refuses the harness's cheap hashes; nothing here hashes a password.
    ARGON2_MEMORY_KIB: '19456',
    METRICS_TOKEN,
  };
}

const INTROSPECTION = '{ __schema { queryType { name } } }';
const graphql = (t: TestApp, query: string) => t.app.inject({ method: 'POST', url: '/graphql', payload: { query } });

let dev: TestApp;
let prod: TestApp;
beforeAll(async () => {
  [dev, prod] = await Promise.all([createTestApp(), createTestApp(productionEnv())]);
  expect(prod.config.nodeEnv).toBe('production');
});
afterAll(async () => {
  await Promise.all([dev?.close(), prod?.close()]);
});

describe('GET /.well-known/jwks.json', () => {
  it('when fetched, then it publishes the signing key under its kid, and a token the app issued verifies against it', async () => {
    const res = await dev.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const jwks = res.json<JSONWebKeySet>();
    expect(jwks.keys.map((key) => key.kid)).toEqual([dev.tokens.kid]);
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d');

    const token = await dev.tokens.sign({ sub: 'user-1', sid: 'family-1' });
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { audience: 'brigade-api' });
    expect(payload.sub).toBe('user-1');
  });

  it('when the OpenAPI document is read, then the key set is a documented public operation', async () => {
    const doc = (await dev.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { operationId?: string }>>;
    }>();
    expect(doc.paths['/.well-known/jwks.json']?.get?.operationId).toBe('getJwks');
  });
});

describe('/metrics', () => {
  it('when METRICS_TOKEN is unset outside production, then anyone may scrape', async () => {
    const res = await dev.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('http_requests_total');
  });

  it('when METRICS_TOKEN is set, then only its bearer may scrape; anything else is the 401 problem', async () => {
    const scrape = (authorization?: string) =>
      prod.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: authorization === undefined ? {} : { authorization },
      });
    const ok = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('http_requests_total');

    for (const wrong of [
      undefined,
      'Bearer wrong',
      `Bearer ${METRICS_TOKEN}x`,
      `Bearer ${METRICS_TOKEN.slice(0, -1)}`,
      `Basic ${METRICS_TOKEN}`,
      METRICS_TOKEN,
    ]) {
      const res = await scrape(wrong);
      expect(res.statusCode, String(wrong)).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.json()).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      expect(res.body).not.toContain('http_requests_total');
    }
  });

  it('when production has no METRICS_TOKEN, then /metrics is refused to everyone', async () => {
    const { METRICS_TOKEN: _unused, ...env } = productionEnv();
    const access = metricsAccess(loadConfig(env));
    expect(access).toEqual({ token: null, refuseWithoutToken: true });
    expect(metricsAccess(loadConfig({ NODE_ENV: 'test' }))).toEqual({ token: null, refuseWithoutToken: false });

    const app = await createBareServer();
    registerMetrics(app, undefined, access);
    await app.ready();
    try {
      for (const authorization of [undefined, 'Bearer anything-at-all']) {
        const res = await app.inject({
          method: 'GET',
          url: '/metrics',
          headers: authorization === undefined ? {} : { authorization },
        });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ status: 401, code: 'METRICS_TOKEN_REQUIRED' });
      }
    } finally {
      await app.close();
    }
  });
});

describe('GraphQL introspection', () => {
  it('when the app runs in production, then introspection is refused while ordinary queries still run', async () => {
    expect(introspectionAllowed('production')).toBe(false);
    const refused = await graphql(prod, INTROSPECTION);
    expect(refused.statusCode).toBe(400);
    const body = refused.json<{ data?: unknown; errors: Array<{ message: string }> }>();
    expect(body.data ?? null).toBeNull();
    expect(body.errors[0]!.message).toMatch(/introspection/i);
    expect((await graphql(prod, '{ __type(name: "Query") { name } }')).statusCode).toBe(400);

    const ordinary = await graphql(prod, '{ __typename }');
    expect(ordinary.statusCode).toBe(200);
    expect(ordinary.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('when the app runs in development or test, then the schema can be introspected', async () => {
    expect(introspectionAllowed('development')).toBe(true);
    const res = await graphql(dev, INTROSPECTION);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });
});

describe('security headers', () => {
  it('when the API reference is opened, then its policy allows only its own script (by hash) and this origin, and no framing', async () => {
    for (const t of [dev, prod]) {
      const res = await t.app.inject({ method: 'GET', url: '/docs/' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      const policy = String(res.headers['content-security-policy']);
      const directives = Object.fromEntries(
        policy.split(';').map((directive) => {
          const [name, ...sources] = directive.trim().split(/\s+/);
          return [name!, sources];
        }),
      );
      expect(directives['default-src']).toEqual(["'self'"]);
      expect(directives['frame-ancestors']).toEqual(["'none'"]);
      expect(directives['object-src']).toEqual(["'none'"]);
      const inline = [...res.body.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
      expect(inline.length).toBeGreaterThan(0);
      expect(directives['script-src']).toEqual([
        "'self'",
        ...inline.map((script) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`),
      ]);
      // No remote origin anywhere, no eval, no inline script beyond the hashed one.
      expect(policy).not.toMatch(/https?:|\*|unsafe-eval/);
      expect(directives['script-src']).not.toContain("'unsafe-inline'");
      // The page loads its script from this origin, and no fonts from Scalar's CDN.
      expect(res.body).toContain('src="js/scalar.js"');
      expect(res.body).not.toContain('fonts.scalar.com');
      const script = await t.app.inject({ method: 'GET', url: '/docs/js/scalar.js' });
      expect(script.statusCode).toBe(200);
      expect(script.headers['content-type']).toContain('javascript');
    }
  });

  it('when a JSON route answers, then it carries no CSP (helmet defaults), and HSTS only in production', async () => {
    const devRes = await dev.app.inject({ method: 'GET', url: '/health/live' });
    const prodRes = await prod.app.inject({ method: 'GET', url: '/health/live' });
    for (const res of [devRes, prodRes]) {
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.headers['content-security-policy']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(devRes.headers['strict-transport-security']).toBeUndefined();
    expect(prodRes.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('when any other route answers HTML without a policy of its own, then it gets the strict one: no inline script at all', async () => {
    const app = await createBareServer();
    app.get('/page', { config: { access: 'public' } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send('<!doctype html><script>alert(1)</script>'),
    );
    await app.ready();
    try {
      const res = await app.inject({ method: 'GET', url: '/page' });
      expect(res.headers['content-security-policy']).toBe(STRICT_HTML_POLICY);
      expect(STRICT_HTML_POLICY).toContain("script-src 'self';");
      expect(STRICT_HTML_POLICY).toContain("frame-ancestors 'none'");
      expect(STRICT_HTML_POLICY).not.toContain('sha256-');
      // A 404 problem is JSON, not HTML: no policy needed.
      const missing = await app.inject({ method: 'GET', url: '/nowhere' });
      expect(missing.headers['content-security-policy']).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});
