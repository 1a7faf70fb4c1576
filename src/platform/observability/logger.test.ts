import { describe, expect, it } from 'vitest';
import { captureLogs } from '../../test-support/server.js';
import { redactUrl } from './logger.js';

const SENSITIVE = {
  password: 'hunter2',
  email: 'ana@example.com',
  phone: '+351912345678',
  token: 'eyJhbGciOi.secret',
  authorization: 'Bearer eyJhbGciOi.secret',
};

function lastLine(text: string) {
  const { logger, lines } = captureLogs('info');
  return { logger, read: () => lines().find((line) => line.msg === text) };
}

describe('log redaction', () => {
  it('when personal data or credentials are logged at the top level, then each shows [redacted]', () => {
    const { logger, read } = lastLine('top');
    logger.info({ ...SENSITIVE, order: 'A-1042' }, 'top');
    expect(read()).toMatchObject({
      password: '[redacted]',
      email: '[redacted]',
      phone: '[redacted]',
      token: '[redacted]',
      authorization: '[redacted]',
      order: 'A-1042',
    });
  });

  it('when they are nested one and two levels deep, then they show [redacted] there too', () => {
    const { logger, read } = lastLine('nested');
    logger.info(
      { user: { ...SENSITIVE, name: 'Ana' }, request: { headers: { ...SENSITIVE, accept: 'application/json' } } },
      'nested',
    );
    const line = read();
    expect(line?.user).toEqual({
      password: '[redacted]',
      email: '[redacted]',
      phone: '[redacted]',
      token: '[redacted]',
      authorization: '[redacted]',
      name: 'Ana',
    });
    expect((line?.request as { headers: unknown }).headers).toEqual({
      password: '[redacted]',
      email: '[redacted]',
      phone: '[redacted]',
      token: '[redacted]',
      authorization: '[redacted]',
      accept: 'application/json',
    });
  });

  it('when they sit three and four levels deep or inside arrays, then they show [redacted] there too', () => {
    const { logger, read } = lastLine('deep');
    logger.info(
      {
        body: { customer: { contact: { email: 'ana@example.com', phone: '+351912345678' } } },
        a: { b: { c: { password: 'hunter2' } } },
        guests: [{ email: 'bo@example.com' }],
      },
      'deep',
    );
    expect(read()).toMatchObject({
      body: { customer: { contact: { email: '[redacted]', phone: '[redacted]' } } },
      a: { b: { c: { password: '[redacted]' } } },
      guests: [{ email: '[redacted]' }],
    });
  });

  it('when other credential fields appear, then refresh tokens, secrets and cookies are redacted as well', () => {
    const { logger, read } = lastLine('more');
    logger.info(
      {
        refresh_token: 'r',
        access_token: 'a',
        secret: 's',
        cookie: 'c',
        new_password: 'n',
        body: { refresh_token: 'r2' },
      },
      'more',
    );
    expect(read()).toMatchObject({
      refresh_token: '[redacted]',
      access_token: '[redacted]',
      secret: '[redacted]',
      cookie: '[redacted]',
      new_password: '[redacted]',
      body: { refresh_token: '[redacted]' },
    });
  });

  it('when a child logger is bound to a sensitive field, then its lines show [redacted]', () => {
    const { logger, read } = lastLine('child');
    logger.child({ email: 'ana@example.com', store: 'centre' }).info({ user: { phone: '+351912345678' } }, 'child');
    expect(read()).toMatchObject({
      email: '[redacted]',
      store: 'centre',
      service: 'brigade',
      user: { phone: '[redacted]' },
    });
  });

  it('when keys differ only in case, then they are redacted all the same', () => {
    const { logger, read } = lastLine('case');
    logger.info({ headers: { Authorization: 'Bearer x', Cookie: 'c' }, Email: 'ana@example.com' }, 'case');
    expect(read()).toMatchObject({
      headers: { Authorization: '[redacted]', Cookie: '[redacted]' },
      Email: '[redacted]',
    });
  });

  it('when a log object refers to itself, then logging still terminates', () => {
    const { logger, read } = lastLine('cycle');
    const order: Record<string, unknown> = { id: 'A-1042', email: 'ana@example.com' };
    order.self = order;
    logger.info({ order }, 'cycle');
    expect(read()).toMatchObject({ order: { id: 'A-1042', email: '[redacted]' } });
  });

  it('when an error is logged, then it keeps its message and type', () => {
    const { logger, read } = lastLine('failed');
    logger.error({ err: new Error('printer on fire') }, 'failed');
    expect(read()).toMatchObject({ err: { type: 'Error', message: 'printer on fire' } });
  });

  it('when a line is written, then no sensitive value appears anywhere in the raw output', () => {
    const { logger, lines } = captureLogs('info');
    logger.info({ ...SENSITIVE, user: SENSITIVE, a: { b: SENSITIVE } }, 'everything');
    const raw = JSON.stringify(lines());
    for (const value of Object.values(SENSITIVE)) expect(raw).not.toContain(value);
  });

  it("when a request is logged, then query values that may be personal are censored and paging ones kept; an order's delivery details are censored", () => {
    expect(redactUrl('/v1/organizations/o-1/customers?q=ana%40example.com&limit=5')).toBe(
      '/v1/organizations/o-1/customers?q=[redacted]&limit=5',
    );
    expect(redactUrl('/v1/stores/s-1/menu?channel=delivery&at=2026-01-01T12:00:00Z')).toBe(
      '/v1/stores/s-1/menu?channel=delivery&at=2026-01-01T12:00:00Z',
    );
    expect(redactUrl('/v1/stores')).toBe('/v1/stores');
    const { logger, read } = lastLine('placed');
    logger.info({ order: { delivery: { address: { line1: '1 Main St' } }, instructions: 'x' } }, 'placed');
    expect(read()).toMatchObject({ order: { delivery: '[redacted]', instructions: '[redacted]' } });
  });

  it('when a value is logged, then the object the caller passed is left untouched', () => {
    const { logger } = captureLogs('info');
    const user = { email: 'ana@example.com' };
    logger.info({ user }, 'untouched');
    expect(user.email).toBe('ana@example.com');
  });
});
