// Request and response schemas of the webhook endpoints' HTTP surface and the public event
// catalogue: one source for validation, serialization, TypeScript types and the OpenAPI
// document. What a JSON schema cannot say (an event type the catalogue knows, a URL the SSRF
// guard accepts, a replay window) is checked by endpoints.ts and answered 422.
import { Type, type Static } from 'typebox';
import { Count, FreeText, Int, Nullable, Page, PaginationQuery, Timestamp, Uuid } from '../../platform/http/schema.js';

const closed = { additionalProperties: false } as const;
/** Timestamp with its own description. */
const Instant = (description: string) => Type.String({ format: 'date-time', maxLength: 40, description });

/** As the table checks them (migrations/0018_webhooks.sql). */
export const MAX_URL_LENGTH = 2000;
export const MAX_EVENT_TYPES = 100;
export const MAX_DESCRIPTION = 500;
export const MAX_RATE_PER_SECOND = 1000;

const EventTypeName = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$',
  description: 'A public event type of the catalogue (GET /v1/webhook-event-types), e.g. `order.placed`',
});

const fields = {
  // `uri` keeps obvious garbage out at 400; the scheme and where the host resolves to are the
  // SSRF guard's business (422 WEBHOOK_URL_NOT_ALLOWED), since only it knows the environment.
  url: Type.String({
    minLength: 1,
    maxLength: MAX_URL_LENGTH,
    format: 'uri',
    description: 'Where messages are POSTed: https (http outside production), not a private or reserved address',
  }),
  event_types: Type.Array(EventTypeName, {
    minItems: 1,
    maxItems: MAX_EVENT_TYPES,
    uniqueItems: true,
    description: 'The event types the endpoint receives (each at most once)',
  }),
  description: Nullable(FreeText(MAX_DESCRIPTION, { description: 'What the endpoint is for, for people' })),
  rate_limit_per_second: Nullable(
    Int(1, MAX_RATE_PER_SECOND, { description: 'At most this many messages a second; null: no limit' }),
  ),
  ordered: Type.Boolean({
    description: 'Per-order FIFO: a message about an order waits while an earlier one about it is unsent',
  }),
};

export const CreateEndpointBody = Type.Object(
  {
    url: fields.url,
    event_types: fields.event_types,
    description: Type.Optional(fields.description),
    rate_limit_per_second: Type.Optional(fields.rate_limit_per_second),
    ordered: Type.Optional(
      Type.Boolean({ description: 'Per-order FIFO (see the endpoint’s `ordered`); default false' }),
    ),
  },
  closed,
);
export type CreateEndpointBody = Static<typeof CreateEndpointBody>;

export const PatchEndpointBody = Type.Object(
  {
    url: Type.Optional(fields.url),
    event_types: Type.Optional(fields.event_types),
    description: Type.Optional(fields.description),
    rate_limit_per_second: Type.Optional(fields.rate_limit_per_second),
    ordered: Type.Optional(fields.ordered),
  },
  { ...closed, minProperties: 1, description: 'Fields given replace the old ones (`event_types` whole)' },
);
export type PatchEndpointBody = Static<typeof PatchEndpointBody>;

const endpointFields = {
  id: Uuid,
  organization_id: Uuid,
  url: Type.String({ maxLength: MAX_URL_LENGTH }),
  description: fields.description,
  event_types: fields.event_types,
  rate_limit_per_second: fields.rate_limit_per_second,
  ordered: fields.ordered,
  state: Type.Union([Type.Literal('enabled'), Type.Literal('disabled')], {
    description:
      'Disabled by Brigade after five days of failure or a 410 Gone (see `disabled_reason`); POST …/enable turns it back on',
  }),
  disabled_reason: Nullable(FreeText(500)),
  disabled_at: Nullable(Timestamp),
  secret_hint: Type.String({ maxLength: 20, description: 'The end of the signing secret, to tell secrets apart' }),
  created_at: Timestamp,
  updated_at: Timestamp,
  version: Count({ description: 'Also the ETag' }),
};

export const EndpointSchema = Type.Object(endpointFields);
export type EndpointOut = Static<typeof EndpointSchema>;

/** Creation and rotation answer the secret itself, that once: later reads show its hint only. */
export const EndpointWithSecretSchema = Type.Object({
  ...endpointFields,
  secret: Type.String({
    maxLength: 100,
    pattern: '^whsec_',
    description: 'The signing secret (`whsec_` + base64 of 32 random bytes). Shown this once: store it now',
  }),
});
export type EndpointWithSecretOut = Static<typeof EndpointWithSecretSchema>;

export const EndpointPage = Page(EndpointSchema);
export const EndpointListQuery = Type.Object({ ...PaginationQuery }, closed);
export type EndpointListQuery = Static<typeof EndpointListQuery>;

export const ReplayBody = Type.Object(
  {
    since: Instant('Messages created from this instant on (at most 30 days ago)'),
    until: Type.Optional(Instant('Up to, not including, this instant; default: now')),
  },
  closed,
);
export type ReplayBody = Static<typeof ReplayBody>;

export const ReplayAccepted = Type.Object({
  queued: Count({ description: 'How many messages were queued again' }),
});
export const TestAccepted = Type.Object({
  message_id: Type.String({
    format: 'uuid',
    maxLength: 36,
    description: 'The queued `webhook.test` message (its `webhook-id` is `msg_` + this)',
  }),
});

export const AttemptSchema = Type.Object({
  id: Uuid,
  message_id: Uuid,
  attempted_at: Timestamp,
  succeeded: Type.Boolean({ description: 'A 2xx answer within the timeout' }),
  status_code: Nullable(Int(100, 599, { description: 'The receiver’s HTTP status; null when none came' })),
  duration_ms: Count({ description: 'From sending to the answer (or the failure)' }),
  response_excerpt: Nullable(FreeText(1000, { description: 'The start of the receiver’s answer' })),
  error: Nullable(FreeText(500, { description: 'Why no answer came (timeout, refused, DNS, …)' })),
});
export type AttemptOut = Static<typeof AttemptSchema>;
export const AttemptPage = Page(AttemptSchema);
export const AttemptListQuery = Type.Object({ ...PaginationQuery }, closed);
export type AttemptListQuery = Static<typeof AttemptListQuery>;

const JsonSchema = Type.Unsafe<Record<string, unknown>>({
  type: 'object',
  additionalProperties: true,
  description: 'JSON Schema of the payload’s `data`',
});

export const EventTypeSchema = Type.Object({
  type: EventTypeName,
  version: Int(1, 1000, { description: 'Bumped on a change a receiver could break on' }),
  description: FreeText(1000),
  schema: JsonSchema,
});
export type EventTypeOut = Static<typeof EventTypeSchema>;
export const EventTypeList = Type.Object({
  data: Type.Array(EventTypeSchema, { maxItems: 1000 }),
});

export const OrganizationParams = Type.Object({ organizationId: Uuid });
export const EndpointParams = Type.Object({ organizationId: Uuid, endpointId: Uuid });

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'ETag from a previous read: the write happens only if it is still current (else 412)',
    }),
  ),
});
export const IfNoneMatchHeaders = Type.Object({
  'if-none-match': Type.Optional(
    Type.String({ maxLength: 2048, description: 'ETag(s) of a cached copy; 304 when still current' }),
  ),
});
