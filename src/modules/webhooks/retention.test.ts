// Attempts are kept WEBHOOK_ATTEMPT_RETENTION_DAYS (30) and then deleted by the daily job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../test-support/harness.js';
import { createOrganization } from '../../test-support/tenancy-factories.js';
import { purgeAttempts } from './delivery-repo.js';
import { webhookTables } from './tables.js';
import { insertAttempt, insertMessage, webhookTestApp } from './test-helpers.js';

let t: TestApp;
const now = new Date();
beforeAll(async () => {
  t = await webhookTestApp(now);
});
afterAll(async () => {
  await t?.close();
});

describe('attempt retention', () => {
  it('when attempts are older than 30 days, then the job deletes them and keeps the newer ones and the messages', async () => {
    const org = await createOrganization(t);
    const endpoint = await t.db.database.db.transaction().execute((trx) =>
      t.modules.webhooks.api.seedEndpoint(trx, {
        organizationId: org.id,
        url: 'http://127.0.0.1:9/hooks',
        eventTypes: ['order.placed'],
      }),
    );
    const place = { id: endpoint.id, organization_id: org.id };
    const day = 86_400_000;
    const messageId = await insertMessage(t, place, new Date(now.getTime() - 40 * day));
    const old = await insertAttempt(t, {
      messageId,
      endpointId: endpoint.id,
      at: new Date(now.getTime() - 31 * day),
      statusCode: 500,
    });
    const recent = await insertAttempt(t, {
      messageId,
      endpointId: endpoint.id,
      at: new Date(now.getTime() - 29 * day),
      statusCode: 200,
    });

    expect(await purgeAttempts(t.db.database.db, t.config.webhooks.attemptRetentionDays)).toBeGreaterThanOrEqual(1);
    const left = await webhookTables(t.db.database.db)
      .selectFrom('webhook_attempts')
      .select('id')
      .where('message_id', '=', messageId)
      .execute();
    expect(left.map((row) => row.id)).toEqual([recent]);
    expect(left.map((row) => row.id)).not.toContain(old);
    const message = await webhookTables(t.db.database.db)
      .selectFrom('webhook_messages')
      .select('id')
      .where('id', '=', messageId)
      .execute();
    expect(message).toHaveLength(1);
  });
});
