// Resuming a stream: every event's `id:` is an opaque cursor of its place in the store's activity
// sequence, and a client that reconnects sends the last one back (Last-Event-ID, or
// ?last_event_id= for clients that cannot set headers) to get exactly what it missed.
import { Type } from 'typebox';
import { BadRequestError } from '../../../platform/http/errors.js';
import { decodeCursor, encodeCursor } from '../../../platform/http/schema.js';

export const LastEventIdHeaders = Type.Object({
  'last-event-id': Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'The id of the last event received (EventSource sends it when it reconnects)',
    }),
  ),
});

export const LastEventIdQuery = Type.Object(
  {
    last_event_id: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'Same as the Last-Event-ID header, for clients that cannot set headers; the header wins when both are sent',
      }),
    ),
  },
  { additionalProperties: false },
);

/** `id:` of an event: base64url of its sequence number, like the list cursors. */
export const cursorOf = (seq: number) => encodeCursor({ seq: String(seq) });

/** The sequence number to resume after, or null without one; a malformed id is a 400 naming the field it came in. */
export function parseLastEventId(header: string | undefined, query: string | undefined): number | null {
  const raw = header ?? query;
  if (raw === undefined || raw.trim() === '') return null;
  try {
    const key = decodeCursor(raw.trim(), ['seq'] as const, (candidate) => /^\d{1,15}$/.test(candidate.seq));
    if (key) return Number(key.seq);
  } catch {
    // the problem below names the right field
  }
  const path = header !== undefined ? '/headers/last-event-id' : '/querystring/last_event_id';
  throw new BadRequestError('INVALID_LAST_EVENT_ID', 'Last-Event-ID is not an event id this API sent.', [
    { path, message: 'is not an event id of this stream' },
  ]);
}
