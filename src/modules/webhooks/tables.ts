// Webhooks' tables as Kysely sees them (migrations/0018_webhooks.sql is the truth).
import type { Generated, Kysely } from 'kysely';
import type { PlatformTables } from '../../platform/db/index.js';

export type EndpointState = 'enabled' | 'disabled';
export type MessageState = 'pending' | 'delivered' | 'failed';

// A type, not an interface: withTables<T> needs an index-signature-compatible record.
export type WebhookTables = {
  webhook_endpoints: {
    id: string;
    organization_id: string;
    url: string;
    description: string | null;
    event_types: string[];
    rate_limit_per_second: number | null;
    ordered: Generated<boolean>;
    secret_sealed: Buffer;
    secret_hint: string;
    previous_secret_sealed: Buffer | null;
    previous_secret_expires_at: Date | null;
    state: Generated<EndpointState>;
    disabled_reason: string | null;
    disabled_at: Date | null;
    failing_since: Date | null;
    version: Generated<number>;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
    deleted_at: Date | null;
  };
  webhook_messages: {
    id: string;
    endpoint_id: string;
    organization_id: string;
    event_id: string | null;
    event_type: string;
    body: string;
    ordering_key: string | null;
    state: Generated<MessageState>;
    attempts: Generated<number>;
    next_attempt_at: Generated<Date>;
    leased_until: Date | null;
    created_at: Generated<Date>;
    finished_at: Date | null;
  };
  webhook_attempts: {
    id: string;
    message_id: string;
    endpoint_id: string;
    attempted_at: Generated<Date>;
    succeeded: boolean;
    status_code: number | null;
    duration_ms: number;
    response_excerpt: string | null;
    error: string | null;
  };
};

export type Executor = Kysely<PlatformTables>;
export const webhookTables = (ex: Executor) => ex.withTables<WebhookTables>();
