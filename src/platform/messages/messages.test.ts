import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../db/index.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { sendMessage } from './index.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

interface Page {
  data: Array<{ id: string; to: string; template: string; data: Record<string, unknown>; channel: string }>;
  next_cursor: string | null;
  has_more: boolean;
}

const list = async (query: string) => {
  const res = await t.app.inject({ method: 'GET', url: `/sandbox/v1/messages${query}` });
  return res;
};

describe('sendMessage', () => {
  it('when the caller’s transaction rolls back, then its message is gone with it', async () => {
    const to = `rollback-${randomBytes(4).toString('hex')}@example.test`;
    await expect(
      inTransaction(t.db.database.db, async (trx) => {
        await sendMessage(trx, { channel: 'email', to, template: 'test.rolled_back', data: {} });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect((await list(`?to=${to}`)).json<Page>().data).toEqual([]);
  });

  it('when called outside a transaction or with a bad template name, then it refuses', async () => {
    const db = t.db.database.db as unknown as Parameters<typeof sendMessage>[0];
    await expect(
      sendMessage(db, { channel: 'email', to: 'a@example.test', template: 'x.y', data: {} }),
    ).rejects.toThrow(/inside the transaction/);
    await expect(
      inTransaction(t.db.database.db, (trx) =>
        sendMessage(trx, { channel: 'email', to: 'a@example.test', template: 'Not A Template', data: {} }),
      ),
    ).rejects.toThrow(/<context>\.<name>/);
  });
});

describe('messages at rest', () => {
  it('when a message is sent, then its row holds neither the recipient nor the data in the clear, and the outbox shows both', async () => {
    const to = `Zebedee.Plaintext-${randomBytes(3).toString('hex')}@Example.test`;
    await inTransaction(t.db.database.db, (trx) =>
      sendMessage(trx, { channel: 'email', to, template: 'test.sealed', data: { name: 'Zebedee Plaintext' } }),
    );
    const { rows } = await t.db.database.pool.query<{ text: string }>(
      `SELECT m::text AS text FROM outgoing_messages m WHERE template = 'test.sealed'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.text.toLowerCase()).not.toContain('zebedee');
    const page = (await list(`?to=${encodeURIComponent(to.toUpperCase())}`)).json<Page>();
    expect(page.data).toEqual([expect.objectContaining({ to, data: { name: 'Zebedee Plaintext' } })]);
  });
});

describe('GET /sandbox/v1/messages', () => {
  it('when messages were sent, then they are listed newest first, page by page, and ?to= picks one recipient in any letter case', async () => {
    const to = `Paged-${randomBytes(4).toString('hex')}@Example.test`;
    const other = `other-${randomBytes(4).toString('hex')}@example.test`;
    for (let i = 0; i < 5; i++) {
      await inTransaction(t.db.database.db, async (trx) => {
        await sendMessage(trx, { channel: 'email', to, template: 'test.numbered', data: { n: i } });
        await sendMessage(trx, { channel: 'email', to: other, template: 'test.numbered', data: { n: i } });
      });
    }
    const seen: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list(`?to=${encodeURIComponent(to.toLowerCase())}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('private, no-store');
      const page = res.json<Page>();
      seen.push(...page.data.map((message) => message.data.n));
      for (const message of page.data)
        expect(message).toMatchObject({ to, channel: 'email', template: 'test.numbered' });
      expect(page.has_more).toBe(page.next_cursor !== null);
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== null);
    expect(seen).toEqual([4, 3, 2, 1, 0]);
    expect(pages).toBe(3);

    const all = (await list('?limit=100')).json<Page>().data;
    expect(all.length).toBeGreaterThanOrEqual(10);
    const ids = all.map((message) => message.id);
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  it('when the query is out of bounds or the cursor forged, then 400 problems', async () => {
    expect((await list('?limit=101')).statusCode).toBe(400);
    expect((await list(`?to=${'a'.repeat(321)}`)).statusCode).toBe(400);
    expect((await list('?colour=blue')).statusCode).toBe(400);
    const forged = await list('?cursor=bm90LWEtY3Vyc29y');
    expect(forged.statusCode).toBe(400);
    expect(forged.json().code).toBe('INVALID_CURSOR');
  });

  it('when the OpenAPI document is read in development, then the outbox is documented', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, { get?: { operationId?: string } }>;
    }>();
    expect(doc.paths['/sandbox/v1/messages']?.get?.operationId).toBe('listSandboxMessages');
  });
});

describe('in production', () => {
  it('when the app runs with NODE_ENV=production, then there is no sandbox outbox', async () => {
    const production = await createTestApp({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://brigade@db.internal:5432/brigade',
      // Required by production's config; the harness signs with a key of its own.
      JWT_PRIVATE_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      PAYMENTS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      PII_ENCRYPTION_KEY: Buffer.alloc(32, 8).toString('base64'),
      METRICS_TOKEN: 'm'.repeat(32),
      ARGON2_MEMORY_KIB: '19456',
    });
    try {
      const res = await production.app.inject({ method: 'GET', url: '/sandbox/v1/messages' });
      expect(res.statusCode).toBe(404);
      const doc = (await production.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
        paths: Record<string, unknown>;
      }>();
      expect(Object.keys(doc.paths)).not.toContain('/sandbox/v1/messages');
    } finally {
      await production.close();
    }
  });
});
