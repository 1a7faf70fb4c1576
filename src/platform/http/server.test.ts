import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs, createBareServer, type CapturedLogs } from '../../test-support/server.js';
import type { App } from './server.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let logs: CapturedLogs;
let app: App;

beforeAll(async () => {
  logs = captureLogs('info');
  app = await createBareServer({ logger: logs.logger });
  app.get('/kitchen', { config: { access: 'public' } }, async (request) => {
    request.log.info({ ticket: 42 }, 'ticket printed');
    request.log.warn('printer low on paper');
    return { ok: true };
  });
  app.get('/kitchen/fail', { config: { access: 'public' } }, async () => {
    throw new Error('printer on fire');
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
});

describe('request ids', () => {
  it('when a well-formed X-Request-Id comes in, then the same id goes back out', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/kitchen',
      headers: { 'x-request-id': 'lb-7f3a.91:trace_01' },
    });
    expect(res.headers['x-request-id']).toBe('lb-7f3a.91:trace_01');
  });

  it.each([
    ['contains spaces', 'id with spaces'],
    ['carries a newline (log injection)', 'abc\ninjected'],
    ['is too long', 'a'.repeat(129)],
    ['has markup', '<script>'],
  ])('when the incoming X-Request-Id %s, then it is replaced by a fresh UUIDv7', async (_why, incoming) => {
    const res = await app.inject({ method: 'GET', url: '/kitchen', headers: { 'x-request-id': incoming } });
    expect(res.headers['x-request-id']).toMatch(UUID_V7);
    expect(res.headers['x-request-id']).not.toBe(incoming);
  });

  it('when no X-Request-Id is sent, then each response gets its own fresh UUIDv7', async () => {
    const [a, b] = await Promise.all([
      app.inject({ method: 'GET', url: '/kitchen' }),
      app.inject({ method: 'GET', url: '/kitchen' }),
    ]);
    expect(a.headers['x-request-id']).toMatch(UUID_V7);
    expect(b.headers['x-request-id']).toMatch(UUID_V7);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it('when a request is answered with a problem, then the problem carries the same request id as the header', async () => {
    const res = await app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': 'req-404' } });
    expect(res.headers['x-request-id']).toBe('req-404');
    expect(res.json()).toMatchObject({ request_id: 'req-404' });
  });

  it('when a request is served, then every log line it writes carries its request_id', async () => {
    await app.inject({ method: 'GET', url: '/kitchen', headers: { 'x-request-id': 'req-logs-1' } });
    await app.inject({ method: 'GET', url: '/kitchen/fail', headers: { 'x-request-id': 'req-logs-2' } });

    const first = logs.lines().filter((line) => line.request_id === 'req-logs-1');
    expect(first.map((line) => line.msg)).toEqual([
      'incoming request',
      'ticket printed',
      'printer low on paper',
      'request completed',
    ]);
    expect(first.find((line) => line.msg === 'ticket printed')).toMatchObject({
      ticket: 42,
      level: 'info',
      service: 'brigade',
    });

    const second = logs.lines().filter((line) => line.request_id === 'req-logs-2');
    expect(second.map((line) => line.msg)).toEqual(['incoming request', 'request failed', 'request completed']);

    // No line about these requests is missing its id (e.g. logged under the default reqId label).
    const orphans = logs
      .lines()
      .filter((line) => line.request_id === undefined && JSON.stringify(line).includes('/kitchen'));
    expect(orphans).toEqual([]);
    expect(logs.lines().every((line) => !('reqId' in line))).toBe(true);
  });
});
