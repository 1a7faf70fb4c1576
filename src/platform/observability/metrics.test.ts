import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { createBareServer } from '../../test-support/server.js';
import type { App } from '../http/server.js';
import { registerMetrics } from './metrics.js';

/** The value of one sample line, e.g. sample(text, 'http_requests_total', {route: '/x'}). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((candidate) => {
    if (!candidate.startsWith(`${name}{`)) return false;
    return Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`));
  });
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('metrics on the full app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('when requests were served, then /metrics counts them by route and status, with durations and process metrics', async () => {
    for (let i = 0; i < 3; i++) await t.app.inject({ method: 'GET', url: '/health/live' });
    await t.app.inject({ method: 'GET', url: '/health/ready' });

    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(sample(text, 'http_requests_total', { method: 'GET', route: '/health/live', status_code: '200' })).toBe(3);
    expect(sample(text, 'http_requests_total', { route: '/health/ready', status_code: '200' })).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count', { route: '/health/live', status_code: '200' })).toBe(3);
    expect(sample(text, 'http_request_duration_seconds_bucket', { route: '/health/live', le: '+Inf' })).toBe(3);
    for (const metric of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text).toContain(`# TYPE ${metric}`);
    }
  });
});

describe('metrics labels', () => {
  let app: App;
  beforeAll(async () => {
    app = await createBareServer();
    registerMetrics(app);
    app.get('/stores/:storeId/orders/:orderId', { config: { access: 'public' } }, async () => ({ ok: true }));
    app.get('/stores/:storeId/broken', { config: { access: 'public' } }, async () => {
      throw new Error('kitchen printer offline');
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('when parametrised URLs are requested, then they are labelled by the route pattern, never the raw URL', async () => {
    await app.inject({ method: 'GET', url: '/stores/s-1/orders/o-1' });
    await app.inject({ method: 'GET', url: '/stores/s-2/orders/o-2' });
    await app.inject({ method: 'GET', url: '/stores/s-3/broken' });
    await app.inject({ method: 'GET', url: '/no/such/route/raw-zqx' });

    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(sample(text, 'http_requests_total', { route: '/stores/:storeId/orders/:orderId', status_code: '200' })).toBe(
      2,
    );
    expect(sample(text, 'http_requests_total', { route: '/stores/:storeId/broken', status_code: '500' })).toBe(1);
    expect(sample(text, 'http_requests_total', { route: 'unmatched', status_code: '404' })).toBe(1);
    for (const raw of ['s-1', 'o-2', 's-3', 'raw-zqx']) expect(text).not.toContain(raw);
  });

  it('when two apps run in one process, then each keeps its own counts', async () => {
    const other = await createBareServer();
    registerMetrics(other);
    await other.ready();
    const text = (await other.inject({ method: 'GET', url: '/metrics' })).body;
    await other.close();
    expect(sample(text, 'http_requests_total', { route: '/stores/:storeId/orders/:orderId' })).toBeUndefined();
  });
});
