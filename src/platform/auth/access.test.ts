import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateFrom, createBareServer } from '../../test-support/server.js';
import type { App } from '../http/server.js';
import type { ApiKeyPrincipal, UserPrincipal } from './principal.js';

const ORG = '0193a000-0000-7000-8000-000000000001';

const manager: UserPrincipal = {
  kind: 'user',
  userId: 'u-manager',
  platformAdmin: false,
  grants: [{ role: 'manager', organizationId: ORG, storeId: null }],
};
const customer: UserPrincipal = { kind: 'user', userId: 'u-customer', platformAdmin: false, grants: [] };
const admin: UserPrincipal = { kind: 'user', userId: 'u-admin', platformAdmin: true, grants: [] };
const menuKey: ApiKeyPrincipal = { kind: 'api_key', apiKeyId: 'k-menu', organizationId: ORG, scopes: ['menu:read'] };
const fullKey: ApiKeyPrincipal = {
  kind: 'api_key',
  apiKeyId: 'k-full',
  organizationId: ORG,
  scopes: ['menu:read', 'orders:write'],
};

const authenticate = authenticateFrom({ manager, customer, admin, menuKey, fullKey });
let app: App;

beforeAll(async () => {
  app = await createBareServer({ authenticate });
  const whoami = async (request: { principal: unknown }) => ({ principal: request.principal });
  app.get('/public', { config: { access: 'public' } }, whoami);
  app.get('/signed-in', { config: { access: 'signed_in' } }, whoami);
  app.post('/orders', { config: { access: { roles: ['owner', 'manager'], scopes: ['orders:write'] } } }, whoami);
  app.get('/staff-only', { config: { access: { roles: ['owner', 'manager'] } } }, whoami);
  await app.ready();
});

afterAll(async () => {
  await app?.close();
});

async function call(method: 'GET' | 'POST', url: string, credential?: string) {
  return app.inject({ method, url, headers: credential === undefined ? {} : { authorization: credential } });
}

describe('access control: the app refuses undeclared routes', () => {
  it('when a route declares no config.access, then the app refuses to become ready and names the route', async () => {
    const server = await createBareServer();
    server.get('/declared', { config: { access: 'public' } }, async () => ({}));
    server.post('/forgotten/:id', async () => ({}));
    await expect(server.ready()).rejects.toThrow(/POST \/forgotten\/:id/);
    await server.close().catch(() => undefined);
  });

  it('when a route inside a plugin declares no access, then it is caught too', async () => {
    const server = await createBareServer();
    await server.register(
      async (child) => {
        child.get('/inner', async () => ({}));
      },
      { prefix: '/v1' },
    );
    await expect(server.ready()).rejects.toThrow(/GET \/v1\/inner/);
    await server.close().catch(() => undefined);
  });

  it('when every route declares its access, then the app becomes ready', async () => {
    const server = await createBareServer();
    server.get('/a', { config: { access: 'public' } }, async () => ({}));
    server.get('/b', { config: { access: 'signed_in' } }, async () => ({}));
    await expect(server.ready()).resolves.toBeDefined();
    await server.close();
  });
});

describe('access control: requests', () => {
  it('when a public route is called, even with a garbled Authorization header, then authenticate is never called', async () => {
    const before = authenticate.calls.length;
    const plain = await call('GET', '/public');
    const garbled = await call('GET', '/public', 'Basic dXNlcjpwYXNz');
    const bogus = await call('GET', '/public', 'Bearer not-a-token');
    expect([plain.statusCode, garbled.statusCode, bogus.statusCode]).toEqual([200, 200, 200]);
    expect(bogus.json()).toEqual({ principal: null });
    expect(authenticate.calls.length).toBe(before);
  });

  it('when no Authorization header is sent to a protected route, then 401 UNAUTHENTICATED with WWW-Authenticate', async () => {
    const res = await call('GET', '/signed-in');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it.each([['Basic dXNlcjpwYXNz'], ['Bearer'], ['Bearer two words'], ['manager']])(
    'when the Authorization header is "%s", then 401 INVALID_CREDENTIALS without calling authenticate',
    async (header) => {
      const before = authenticate.calls.length;
      const res = await call('GET', '/signed-in', header);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'INVALID_CREDENTIALS' });
      expect(authenticate.calls.length).toBe(before);
    },
  );

  it("when the bearer credential is not recognised, then 401 with the authenticator's code", async () => {
    const res = await call('GET', '/signed-in', 'Bearer forged');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('when a signed-in person calls a signed_in route, then it runs with their principal', async () => {
    const res = await call('GET', '/signed-in', 'Bearer customer');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ principal: customer });
  });

  it('when an API key calls a signed_in route, then 403: those routes are for people', async () => {
    const res = await call('GET', '/signed-in', 'Bearer fullKey');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('when an API key lacks a scope the route requires, then 403 INSUFFICIENT_SCOPE naming the scope', async () => {
    const res = await call('POST', '/orders', 'Bearer menuKey');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'INSUFFICIENT_SCOPE', detail: expect.stringContaining('orders:write') });
  });

  it('when an API key holds every required scope, then the route runs', async () => {
    const res = await call('POST', '/orders', 'Bearer fullKey');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ principal: fullKey });
  });

  it('when a route accepts no scopes at all, then every API key gets 403 INSUFFICIENT_SCOPE', async () => {
    const res = await call('GET', '/staff-only', 'Bearer fullKey');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'INSUFFICIENT_SCOPE' });
  });

  it('when a person holds one of the roles, then the route runs; without one, 403 FORBIDDEN', async () => {
    expect((await call('POST', '/orders', 'Bearer manager')).statusCode).toBe(200);
    const res = await call('POST', '/orders', 'Bearer customer');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('when a platform admin calls a role-guarded route, then it runs without a grant', async () => {
    expect((await call('GET', '/staff-only', 'Bearer admin')).statusCode).toBe(200);
  });

  it('when an unknown route is requested with credentials, then 404 and authenticate is not called', async () => {
    const before = authenticate.calls.length;
    const res = await call('GET', '/nowhere', 'Bearer manager');
    expect(res.statusCode).toBe(404);
    expect(authenticate.calls.length).toBe(before);
  });
});
