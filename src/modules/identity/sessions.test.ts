import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, createUser, login } from '../../test-support/identity-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload: payload as object, headers });

describe('registration', () => {
  it('when a customer registers, then they get 201 with their account and no password in it', async () => {
    const res = await post('/v1/auth/register', {
      email: 'Ada@Example.test',
      password: 'a long enough password',
      name: 'Ada',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      id: expect.any(String),
      email: 'Ada@Example.test',
      name: 'Ada',
      created_at: expect.any(String),
    });
    expect(res.headers['cache-control']).toBe('private, no-store');
  });

  it('when the email is taken in any letter case, then the same 201 as for a new email, and the account keeps its password', async () => {
    const first = await post('/v1/auth/register', {
      email: 'grace@example.test',
      password: 'a long enough password',
      name: 'Grace',
    });
    const res = await post('/v1/auth/register', {
      email: 'GRACE@example.test',
      password: 'another long password',
      name: 'G',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: expect.any(String),
      email: 'GRACE@example.test',
      name: 'G',
      created_at: expect.any(String),
    });
    expect(res.json().id).not.toBe(first.json().id);
    expect(
      (await post('/v1/auth/login', { email: 'grace@example.test', password: 'another long password' })).statusCode,
    ).toBe(401);
    expect((await login(t, { email: 'grace@example.test', password: 'a long enough password' })).token_type).toBe(
      'Bearer',
    );
  });

  it('when the body has a short password, a bad email and an unknown field, then 400 lists all three', async () => {
    const res = await post('/v1/auth/register', { email: 'not-an-email', password: 'short', name: 'X', admin: true });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const paths = res
      .json()
      .errors.map((error: { path: string }) => error.path)
      .sort();
    expect(paths).toEqual(['/body/admin', '/body/email', '/body/password']);
  });
});

describe('login', () => {
  it('when the password is right, then a Bearer token pair comes back and works on /v1/me', async () => {
    const user = await createUser(t);
    const tokens = await login(t, user);
    expect(tokens).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.stringMatching(/^rt_/),
      token_type: 'Bearer',
      expires_in: 900,
    });
    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(tokens.access_token) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: user.id, email: user.email, roles: [], is_platform_admin: false });
  });

  it('when the password is wrong or the account unknown, then the same 401 INVALID_CREDENTIALS', async () => {
    const user = await createUser(t);
    const wrong = await post('/v1/auth/login', { email: user.email, password: 'not the password' });
    const unknown = await post('/v1/auth/login', { email: 'nobody@example.test', password: 'not the password' });
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('INVALID_CREDENTIALS');
    }
    expect(wrong.json().detail).toBe(unknown.json().detail);
  });

  it('when an access token is signed with alg none, another key, or has expired, then 401', async () => {
    const user = await createUser(t);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: user.id, sid: user.id })).toString('base64url')}.`;
    const hmac = await new SignJWT({ sid: user.id })
      .setProtectedHeader({ alg: 'HS256', kid: t.tokens.kid })
      .setSubject(user.id)
      .sign(new TextEncoder().encode('guess'));
    for (const token of [unsigned, hmac, 'garbage']) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('INVALID_TOKEN');
    }
  });

  it('when no credentials are sent to /v1/me, then 401 with WWW-Authenticate', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/me' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });
});

describe('refresh token rotation', () => {
  it('when a refresh token is used, then a new pair comes back and the old token is spent', async () => {
    const user = await createUser(t);
    const first = await login(t, user);
    const res = await post('/v1/auth/refresh', { refresh_token: first.refresh_token });
    expect(res.statusCode).toBe(200);
    const second = res.json();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(second.access_token) });
    expect(me.statusCode).toBe(200);
  });

  it('when a rotated refresh token is presented again, then the whole family is revoked, access tokens included', async () => {
    const user = await createUser(t);
    const first = await login(t, user);
    const second = (await post('/v1/auth/refresh', { refresh_token: first.refresh_token })).json();

    const replay = await post('/v1/auth/refresh', { refresh_token: first.refresh_token });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('REFRESH_TOKEN_REUSED');

    // The legitimate holder's newest tokens die with the family.
    const newest = await post('/v1/auth/refresh', { refresh_token: second.refresh_token });
    expect(newest.statusCode).toBe(401);
    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(second.access_token) });
    expect(me.statusCode).toBe(401);
    expect(me.json().code).toBe('SESSION_REVOKED');
  });

  it('when the same refresh token is raced 10 times at once, then exactly one rotation wins', async () => {
    const user = await createUser(t);
    const { refresh_token } = await login(t, user);
    const results = await Promise.all(Array.from({ length: 10 }, () => post('/v1/auth/refresh', { refresh_token })));
    const winners = results.filter((res) => res.statusCode === 200);
    expect(winners).toHaveLength(1);
    for (const res of results.filter((r) => r.statusCode !== 200)) {
      expect(res.statusCode).toBe(401);
      expect(['REFRESH_TOKEN_REUSED', 'INVALID_REFRESH_TOKEN']).toContain(res.json().code);
    }
  });

  it('when the refresh token is unknown, then 401 INVALID_REFRESH_TOKEN', async () => {
    const res = await post('/v1/auth/refresh', { refresh_token: 'rt_not-a-real-token' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('INVALID_REFRESH_TOKEN');
  });
});

describe('logout', () => {
  it('when a session logs out, then its refresh token and access token stop working and other sessions live on', async () => {
    const user = await createUser(t);
    const phone = await login(t, user);
    const laptop = await login(t, user);
    const res = await post('/v1/auth/logout', { refresh_token: phone.refresh_token });
    expect(res.statusCode).toBe(204);
    expect((await post('/v1/auth/refresh', { refresh_token: phone.refresh_token })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(phone.access_token) })).statusCode).toBe(
      401,
    );
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(laptop.access_token) })).statusCode,
    ).toBe(200);
  });
});
