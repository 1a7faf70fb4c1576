import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';

describe('load shedding', () => {
  describe('when the heap is over its limit', () => {
    let t: TestApp;
    beforeAll(async () => {
      // A 1-byte heap limit: every sample is over it, so shedding is certain once the first
      // sample is taken (under-pressure samples once a second).
      t = await createTestApp({ PRESSURE_MAX_HEAP_USED_BYTES: '1' });
      // Right after start the app serves even over the limit (what a start measures is the start);
      // shedding is armed two samples after ready.
      expect((await t.app.inject({ method: 'GET', url: '/v1/stores' })).statusCode).toBe(200);
      await vi.waitFor(() => expect(t.app.isUnderPressure()).toBe(true), { timeout: 10_000, interval: 25 });
      await vi.waitFor(
        async () => expect((await t.app.inject({ method: 'GET', url: '/v1/stores' })).statusCode).toBe(503),
        { timeout: 10_000, interval: 50 },
      );
    });
    afterAll(async () => {
      await t?.close();
    });

    it('then API requests get a 503 OVERLOADED problem with Retry-After, before any work is done', async () => {
      const responses = [
        await t.app.inject({ method: 'GET', url: '/v1/stores' }),
        // Refused before authentication: a bad token is not even looked at.
        await t.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: 'Bearer not-checked' } }),
        await t.app.inject({
          method: 'POST',
          url: '/v1/auth/login',
          payload: { email: 'a@example.test', password: 'x' },
        }),
      ];
      for (const res of responses) {
        expect(res.statusCode).toBe(503);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json()).toMatchObject({
          status: 503,
          code: 'OVERLOADED',
          type: 'https://brigade.dev/problems/overloaded',
        });
        expect(res.headers['retry-after']).toBe('5');
      }
    });

    it('then /health/live, /health/ready and /metrics keep answering', async () => {
      const live = await t.app.inject({ method: 'GET', url: '/health/live' });
      expect(live.statusCode).toBe(200);
      expect(live.json()).toEqual({ status: 'ok' });
      expect((await t.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    });
  });

  describe('when every pressure limit is 0 (disabled)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
        PRESSURE_MAX_HEAP_USED_BYTES: '0',
        PRESSURE_MAX_RSS_BYTES: '0',
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('then nothing is shed', async () => {
      expect(t.app.isUnderPressure()).toBe(false);
      expect((await t.app.inject({ method: 'GET', url: '/v1/stores' })).statusCode).toBe(200);
    });
  });
});
