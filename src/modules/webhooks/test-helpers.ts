// Helpers of the webhook endpoints' own tests: calls through app.inject, the app they run on (the
// SSRF guard exempting loopback, where test receivers listen), and rows the workers would write
// (messages, attempts) inserted directly, so the routes are read against known data.
import { v7 as uuidv7 } from 'uuid';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer } from '../../test-support/identity-factories.js';
import { webhookTables, type MessageState } from './tables.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The app of these tests: loopback allowed for receivers, everything else as in production. */
export const webhookTestApp = (now: Date) =>
  createTestApp({ WEBHOOKS_ALLOWED_NETWORKS: '127.0.0.0/8' }, { clock: () => now });

export function caller(t: TestApp) {
  return (method: Method, url: string, token: string | null, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method,
      url,
      headers: { ...(token ? bearer(token) : {}), ...headers },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
}

export const endpointsUrl = (organizationId: string) => `/v1/organizations/${organizationId}/webhook-endpoints`;

export const endpointBody = (overrides: Record<string, unknown> = {}) => ({
  url: 'http://127.0.0.1:9/hooks/brigade',
  event_types: ['order.placed', 'order.ready'],
  description: 'POS bridge',
  ...overrides,
});

/** A message of the endpoint as the relay's fan-out would have made it, created at `at`. */
export async function insertMessage(
  t: TestApp,
  endpoint: { id: string; organization_id: string },
  at: Date,
  state: MessageState = 'delivered',
): Promise<string> {
  const id = uuidv7();
  await webhookTables(t.db.database.db)
    .insertInto('webhook_messages')
    .values({
      id,
      endpoint_id: endpoint.id,
      organization_id: endpoint.organization_id,
      event_id: uuidv7(),
      event_type: 'order.placed',
      body: JSON.stringify({ type: 'order.placed', timestamp: at.toISOString(), data: {} }),
      ordering_key: null,
      state,
      leased_until: null,
      created_at: at,
      next_attempt_at: at,
      finished_at: state === 'pending' ? null : at,
    })
    .execute();
  return id;
}

/** An attempt to send the message, as a sender would log it. */
export async function insertAttempt(
  t: TestApp,
  input: { messageId: string; endpointId: string; at: Date; statusCode: number | null },
): Promise<string> {
  const id = uuidv7();
  const succeeded = input.statusCode !== null && input.statusCode >= 200 && input.statusCode < 300;
  await webhookTables(t.db.database.db)
    .insertInto('webhook_attempts')
    .values({
      id,
      message_id: input.messageId,
      endpoint_id: input.endpointId,
      attempted_at: input.at,
      succeeded,
      status_code: input.statusCode,
      duration_ms: 42,
      response_excerpt: input.statusCode === null ? null : `answered ${input.statusCode}`,
      error: input.statusCode === null ? 'connect ECONNREFUSED 127.0.0.1:9' : null,
    })
    .execute();
  return id;
}
