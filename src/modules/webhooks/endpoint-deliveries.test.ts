import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastAudit } from '../../test-support/audit-factories.js';
import type { TestApp } from '../../test-support/harness.js';
import { staffOf } from '../../test-support/identity-factories.js';
import { createOrganization, type TestOrganization } from '../../test-support/tenancy-factories.js';
import { webhookTables } from './tables.js';
import { caller, endpointBody, endpointsUrl, insertAttempt, insertMessage, webhookTestApp } from './test-helpers.js';

let t: TestApp;
let call: ReturnType<typeof caller>;
let org: TestOrganization;
const now = new Date('2026-12-07T12:00:00Z');
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(now.getTime() - ms);

beforeAll(async () => {
  t = await webhookTestApp(now);
  call = caller(t);
  org = await createOrganization(t);
});
afterAll(async () => {
  await t.close();
});

const db = () => webhookTables(t.db.database.db);

async function newEndpoint(organization: TestOrganization = org) {
  const res = await call('POST', endpointsUrl(organization.id), organization.owner.token, endpointBody());
  expect(res.statusCode, res.body).toBe(201);
  const endpoint = res.json<{ id: string; organization_id: string; version: number }>();
  return { ...endpoint, url: `${endpointsUrl(organization.id)}/${endpoint.id}` };
}

describe('sending a test message', () => {
  it('when a manager asks for a test, then a pending webhook.test message for the endpoint is queued (202) and audited', async () => {
    const endpoint = await newEndpoint();
    const manager = await staffOf(t, { organizationId: org.id, role: 'manager' });
    const res = await call('POST', `${endpoint.url}/test`, manager.token);
    expect(res.statusCode, res.body).toBe(202);
    const { message_id } = res.json<{ message_id: string }>();
    const message = await db()
      .selectFrom('webhook_messages')
      .selectAll()
      .where('id', '=', message_id)
      .executeTakeFirstOrThrow();
    expect(message).toMatchObject({
      endpoint_id: endpoint.id,
      organization_id: org.id,
      event_type: 'webhook.test',
      event_id: null,
      state: 'pending',
    });
    expect(JSON.parse(message.body)).toMatchObject({ type: 'webhook.test' });
    await lastAudit(t, org.owner, org.id, 'webhooks.endpoint.tested', endpoint.id);
  });
});

describe('replaying messages', () => {
  it('when a range is replayed, then the endpoint’s messages created in [since, until) are queued again and counted', async () => {
    const endpoint = await newEndpoint();
    const otherEndpoint = await newEndpoint();
    const inRange = [
      await insertMessage(t, endpoint, ago(3 * HOUR), 'delivered'),
      await insertMessage(t, endpoint, ago(2 * HOUR), 'failed'),
    ];
    const later = await insertMessage(t, endpoint, ago(30 * 60 * 1000), 'delivered');
    const older = await insertMessage(t, endpoint, ago(5 * DAY), 'delivered');
    await insertMessage(t, otherEndpoint, ago(2 * HOUR), 'delivered');

    const res = await call('POST', `${endpoint.url}/replay`, org.owner.token, {
      since: ago(4 * HOUR).toISOString(),
      until: ago(HOUR).toISOString(),
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ queued: 2 });
    const states = await db()
      .selectFrom('webhook_messages')
      .select(['id', 'state'])
      .where('id', 'in', [...inRange, later, older])
      .execute();
    const stateOf = new Map(states.map((row) => [row.id, row.state]));
    expect(inRange.map((id) => stateOf.get(id))).toEqual(['pending', 'pending']);
    expect(stateOf.get(later)).toBe('delivered');
    expect(stateOf.get(older)).toBe('delivered');
    const audit = await lastAudit(t, org.owner, org.id, 'webhooks.endpoint.replayed', endpoint.id);
    expect(audit.changes.after).toMatchObject({ queued: 2 });

    // Without until: everything since, up to now.
    const open = await call('POST', `${endpoint.url}/replay`, org.owner.token, { since: ago(6 * DAY).toISOString() });
    expect(open.statusCode).toBe(202);
    expect(open.json()).toEqual({ queued: 4 });
  });

  it('when since is over 30 days ago, not before until, or in the future, then it is 422 INVALID_REPLAY_RANGE at the field', async () => {
    const endpoint = await newEndpoint();
    const cases: Array<[Record<string, string>, string]> = [
      [{ since: ago(31 * DAY).toISOString() }, '/body/since'],
      [{ since: ago(HOUR).toISOString(), until: ago(2 * HOUR).toISOString() }, '/body/until'],
      [{ since: ago(HOUR).toISOString(), until: ago(HOUR).toISOString() }, '/body/until'],
      [{ since: new Date(now.getTime() + HOUR).toISOString() }, '/body/since'],
    ];
    for (const [body, path] of cases) {
      const res = await call('POST', `${endpoint.url}/replay`, org.owner.token, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(res.json()).toMatchObject({ code: 'INVALID_REPLAY_RANGE', errors: [{ path }] });
    }
    expect((await call('POST', `${endpoint.url}/replay`, org.owner.token, {})).statusCode).toBe(400);
    const extra = { since: ago(HOUR).toISOString(), all: true };
    expect((await call('POST', `${endpoint.url}/replay`, org.owner.token, extra)).statusCode).toBe(400);
  });
});

describe('the attempt log', () => {
  it('when an endpoint has attempts, then they are listed newest first in keyset pages, and another endpoint’s are not', async () => {
    const endpoint = await newEndpoint();
    const otherEndpoint = await newEndpoint();
    const message = await insertMessage(t, endpoint, ago(HOUR), 'delivered');
    const attempts: string[] = [];
    for (const [i, statusCode] of [500, null, 503, 200].entries())
      attempts.push(
        await insertAttempt(t, { messageId: message, endpointId: endpoint.id, at: ago(HOUR - i * 1000), statusCode }),
      );
    const elsewhere = await insertMessage(t, otherEndpoint, ago(HOUR), 'delivered');
    await insertAttempt(t, { messageId: elsewhere, endpointId: otherEndpoint.id, at: ago(HOUR), statusCode: 200 });

    const first = await call('GET', `${endpoint.url}/attempts?limit=3`, org.owner.token);
    expect(first.statusCode, first.body).toBe(200);
    const page = first.json();
    expect(page.data.map((a: { id: string }) => a.id)).toEqual([...attempts].reverse().slice(0, 3));
    expect(page.has_more).toBe(true);
    expect(page.data[0]).toEqual({
      id: attempts[3],
      message_id: message,
      attempted_at: ago(HOUR - 3000).toISOString(),
      succeeded: true,
      status_code: 200,
      duration_ms: 42,
      response_excerpt: 'answered 200',
      error: null,
    });
    expect(page.data[2]).toMatchObject({
      succeeded: false,
      status_code: null,
      error: expect.stringContaining('ECONNREFUSED'),
    });

    const second = (
      await call('GET', `${endpoint.url}/attempts?limit=3&cursor=${page.next_cursor}`, org.owner.token)
    ).json();
    expect(second).toEqual({
      data: [expect.objectContaining({ id: attempts[0], status_code: 500 })],
      next_cursor: null,
      has_more: false,
    });
    expect((await call('GET', `${otherEndpoint.url}/attempts`, org.owner.token)).json().data).toHaveLength(1);
  });
});

describe('deleting stops deliveries', () => {
  it('when an endpoint with pending messages is deleted, then they fail at once and nothing else changes', async () => {
    const endpoint = await newEndpoint();
    const queued = (await call('POST', `${endpoint.url}/test`, org.owner.token)).json().message_id as string;
    const delivered = await insertMessage(t, endpoint, ago(HOUR), 'delivered');
    const bystander = await newEndpoint();
    const untouched = await insertMessage(t, bystander, ago(HOUR), 'pending');

    expect((await call('DELETE', endpoint.url, org.owner.token)).statusCode).toBe(204);
    const rows = await db()
      .selectFrom('webhook_messages')
      .select(['id', 'state', 'finished_at'])
      .where('id', 'in', [queued, delivered, untouched])
      .execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(queued)).toMatchObject({ state: 'failed', finished_at: now });
    expect(byId.get(delivered)).toMatchObject({ state: 'delivered', finished_at: ago(HOUR) });
    expect(byId.get(untouched)).toMatchObject({ state: 'pending', finished_at: null });
    const audit = await lastAudit(t, org.owner, org.id, 'webhooks.endpoint.deleted', endpoint.id);
    expect(audit.changes.after).toEqual({ pending_messages_stopped: 1 });
    expect((await call('POST', `${endpoint.url}/test`, org.owner.token)).statusCode).toBe(404);
    expect((await call('GET', `${endpoint.url}/attempts`, org.owner.token)).statusCode).toBe(404);
  });
});

describe('enabling an endpoint again', () => {
  it('when Brigade disabled an endpoint, then enabling it clears the reason and the failure streak', async () => {
    const endpoint = await newEndpoint();
    await db()
      .updateTable('webhook_endpoints')
      .set({
        state: 'disabled',
        disabled_reason: 'Every message failed for 5 days',
        disabled_at: ago(HOUR),
        failing_since: ago(5 * DAY),
      })
      .where('id', '=', endpoint.id)
      .execute();
    const disabled = (await call('GET', endpoint.url, org.owner.token)).json();
    expect(disabled).toMatchObject({
      state: 'disabled',
      disabled_reason: 'Every message failed for 5 days',
      disabled_at: '2026-12-07T11:00:00Z',
    });

    const manager = await staffOf(t, { organizationId: org.id, role: 'manager' });
    const res = await call('POST', `${endpoint.url}/enable`, manager.token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ state: 'enabled', disabled_reason: null, disabled_at: null, version: 2 });
    expect(res.headers.etag).toBe('"2"');
    const row = await db()
      .selectFrom('webhook_endpoints')
      .select(['failing_since'])
      .where('id', '=', endpoint.id)
      .executeTakeFirstOrThrow();
    expect(row.failing_since).toBeNull();
    const audit = await lastAudit(t, org.owner, org.id, 'webhooks.endpoint.enabled', endpoint.id);
    expect(audit.changes.before).toMatchObject({ state: 'disabled' });

    // Already enabled: answered as it is.
    const again = await call('POST', `${endpoint.url}/enable`, manager.token);
    expect(again.statusCode).toBe(200);
    expect(again.json().version).toBe(2);
  });
});
