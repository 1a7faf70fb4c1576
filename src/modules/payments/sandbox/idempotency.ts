// The processor's Idempotency-Key handling, the way Stripe does it: per (route, key) the first
// successful response is stored in the same transaction as the operation that produced it, so
// "did it happen?" and "what did it answer?" can never disagree — a capture retried after a
// crash is replayed, not repeated. The key row is inserted before the operation runs, so a
// concurrent twin blocks on the primary key and then replays.
//
// Refusals (4xx) are not stored: they moved nothing, and storing one would make a retry replay
// a refusal that no longer holds (a capture sent before the authorization landed).
import { createHash } from 'node:crypto';
import { inTransaction, type Db, type Tx } from '../../../platform/db/index.js';
import { canonicalJson } from '../../../platform/http/idempotency/index.js';
import { sandboxRepo } from './processor-repo.js';
import { SandboxError } from './present.js';

export interface KeyedRequest {
  /** "POST /sandbox/v1/intents/si_…/capture": keys are scoped to the concrete route. */
  route: string;
  key: string;
  body: unknown;
  now: Date;
}

export interface KeyedResponse {
  status: number;
  body: unknown;
  replayed: boolean;
}

/** 1–255 printable ASCII characters. */
const KEY = /^[\x20-\x7E]{1,255}$/;

/** The request's Idempotency-Key, or the processor's 400. */
export function requireIdempotencyKey(header: string | string[] | undefined): string {
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined || !KEY.test(key)) {
    throw new SandboxError(
      400,
      'idempotency_key_required',
      'This request needs an Idempotency-Key header (1-255 printable characters).',
    );
  }
  return key;
}

export async function runIdempotent(
  db: Db,
  request: KeyedRequest,
  operation: (trx: Tx) => Promise<unknown>,
): Promise<KeyedResponse> {
  const fingerprint = createHash('sha256')
    .update(canonicalJson(request.body ?? null))
    .digest();
  return inTransaction(db, async (trx) => {
    const owned = await sandboxRepo.claimKey(trx, request.route, request.key, fingerprint, request.now);
    if (!owned) {
      // The twin committed (had it rolled back, the insert above would have won), so its row is complete.
      const stored = await sandboxRepo.findKey(trx, request.route, request.key);
      if (!stored || stored.response_status === null)
        throw new SandboxError(500, 'processing_error', 'The idempotency record could not be read; retry.');
      if (!stored.fingerprint.equals(fingerprint)) {
        throw new SandboxError(
          400,
          'idempotency_key_reused',
          'This Idempotency-Key was used with a different request body.',
        );
      }
      return { status: stored.response_status, body: stored.response_body, replayed: true };
    }
    const body = await operation(trx);
    await sandboxRepo.storeResponse(trx, request.route, request.key, 200, body);
    return { status: 200, body, replayed: false };
  });
}
