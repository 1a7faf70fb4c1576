// The idempotency_keys table: claims, recovery points, stored responses and their purge. Every
// write after the claim is conditional on the claim token, so a request whose claim was taken
// over can never overwrite the new holder's row.
import { randomUUID } from 'node:crypto';
import { sql, type ColumnType, type Generated, type Kysely } from 'kysely';
import type { PlatformTables } from '../../db/index.js';
import type { Scope } from './fingerprint.js';

/** What a route records inside its business transaction so a retry can finish instead of redo. */
export type RecoveryPoint = Record<string, string | number | boolean | null>;

type IdempotencyTables = {
  idempotency_keys: {
    caller: string;
    method: string;
    path: string;
    key: string;
    fingerprint: Buffer;
    claim_token: string;
    claimed_at: Generated<Date>;
    completed_at: Date | null;
    recovery_point: ColumnType<RecoveryPoint | null, string | null, string | null>;
    response_status: number | null;
    response_headers: ColumnType<Record<string, string> | null, string | null, string | null>;
    response_body: Buffer | null;
    created_at: Generated<Date>;
    expires_at: Date;
  };
};

type Db = Kysely<PlatformTables>;
const tables = (db: Db) => db.withTables<IdempotencyTables>();

/** Rounds of claim → read when the row changes under us (released, expired, taken over). */
const CLAIM_ROUNDS = 3;

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type ClaimOutcome =
  | { kind: 'claimed'; token: string; recovered: RecoveryPoint | null }
  | ({ kind: 'replay' } & StoredResponse)
  | { kind: 'in_progress' }
  | { kind: 'reused' };

export interface KeyTimes {
  /** How long a stored response is replayed. */
  ttlHours: number;
  /** After this long, an unfinished claim (its process died) may be taken over. */
  claimTimeoutSeconds: number;
}

/**
 * Claims the key, or says why not. The claim is one statement: a new row, or (conditional
 * update under the row lock, so of several concurrent takers exactly one wins) a row that expired
 * or whose claim is older than the timeout. A dead claim is only taken over for the same request,
 * and it keeps its recovery point: what the dead request committed is where the new one resumes.
 */
export async function claim(db: Db, scope: Scope, fingerprint: Buffer, times: KeyTimes): Promise<ClaimOutcome> {
  const ttl = sql<Date>`now() + make_interval(hours => ${times.ttlHours})`;
  const staleBefore = sql<Date>`now() - make_interval(secs => ${times.claimTimeoutSeconds})`;
  for (let round = 0; round < CLAIM_ROUNDS; round++) {
    const token = randomUUID();
    const claimed = await tables(db)
      .insertInto('idempotency_keys')
      .values({ ...scope, fingerprint, claim_token: token, expires_at: ttl })
      .onConflict((conflict) =>
        conflict
          .columns(['caller', 'method', 'path', 'key'])
          .doUpdateSet({
            fingerprint: (eb) => eb.ref('excluded.fingerprint'),
            claim_token: (eb) => eb.ref('excluded.claim_token'),
            claimed_at: sql<Date>`now()`,
            created_at: sql<Date>`now()`,
            expires_at: (eb) => eb.ref('excluded.expires_at'),
            completed_at: null,
            recovery_point: sql<string | null>`CASE WHEN idempotency_keys.expires_at <= now() THEN NULL
              ELSE idempotency_keys.recovery_point END`,
            response_status: null,
            response_headers: null,
            response_body: null,
          })
          .where((eb) =>
            eb.or([
              eb('idempotency_keys.expires_at', '<=', sql<Date>`now()`),
              eb.and([
                eb('idempotency_keys.completed_at', 'is', null),
                eb('idempotency_keys.claimed_at', '<=', staleBefore),
                eb('idempotency_keys.fingerprint', '=', eb.ref('excluded.fingerprint')),
              ]),
            ]),
          ),
      )
      .returning(['claim_token', 'recovery_point'])
      .executeTakeFirst();
    if (claimed?.claim_token === token) return { kind: 'claimed', token, recovered: claimed.recovery_point };

    const row = await tables(db)
      .selectFrom('idempotency_keys')
      .select([
        'fingerprint',
        'completed_at',
        'response_status',
        'response_headers',
        'response_body',
        sql<boolean>`expires_at <= now()`.as('expired'),
        sql<boolean>`claimed_at <= ${staleBefore}`.as('stale'),
      ])
      .where((eb) => eb.and({ ...scope }))
      .executeTakeFirst();
    // Released (a 5xx), purged, expired or gone stale since the claim: claim again.
    if (row === undefined || row.expired) continue;
    if (!row.fingerprint.equals(fingerprint)) return { kind: 'reused' };
    if (row.completed_at !== null && row.response_status !== null && row.response_body !== null) {
      return {
        kind: 'replay',
        status: row.response_status,
        headers: row.response_headers ?? {},
        body: row.response_body,
      };
    }
    if (!row.stale) return { kind: 'in_progress' };
  }
  // The row kept changing under us: someone else is busy with this key right now.
  return { kind: 'in_progress' };
}

/**
 * Writes the recovery point with the caller's transaction, so it commits exactly when the
 * business write does. False when the claim is no longer ours: the caller must roll back.
 */
export async function recordRecoveryPoint(
  trx: Db,
  scope: Scope,
  token: string,
  point: RecoveryPoint,
): Promise<boolean> {
  const result = await tables(trx)
    .updateTable('idempotency_keys')
    .set({ recovery_point: JSON.stringify(point) })
    .where((eb) => eb.and({ ...scope }))
    .where('claim_token', '=', token)
    .where('completed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Stores the response, if the claim is still ours (it is, unless we outlived the claim timeout). */
export async function complete(
  db: Db,
  scope: Scope,
  token: string,
  times: KeyTimes,
  response: StoredResponse,
): Promise<boolean> {
  const result = await tables(db)
    .updateTable('idempotency_keys')
    .set({
      completed_at: sql<Date>`now()`,
      response_status: response.status,
      response_headers: JSON.stringify(response.headers),
      response_body: response.body,
      // Kept at least ttlHours from when the response exists, not from when the key was claimed.
      expires_at: sql<Date>`now() + make_interval(hours => ${times.ttlHours})`,
    })
    .where((eb) => eb.and({ ...scope }))
    .where('claim_token', '=', token)
    .where('completed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Erasure of a person (DELETE /v1/me): the responses stored for their keys go at once rather than
 * after their TTL (a placed order's holds its delivery details). Unfinished claims stay: a request
 * still running finishes or is released as usual, and its caller can no longer retry.
 */
export async function forgetStoredResponses(db: Db, caller: string): Promise<number> {
  const deleted = await tables(db)
    .deleteFrom('idempotency_keys')
    .where('caller', '=', caller)
    .where('completed_at', 'is not', null)
    .executeTakeFirst();
  return Number(deleted.numDeletedRows);
}

/**
 * Gives the key back after a transient failure. A claim with nothing committed is deleted, so the
 * retry runs afresh; one with a recovery point committed something that must not run twice, so
 * it is only made stale at once, and the retry takes it over and resumes from the point.
 */
export async function release(db: Db, scope: Scope, token: string): Promise<void> {
  const deleted = await tables(db)
    .deleteFrom('idempotency_keys')
    .where((eb) => eb.and({ ...scope }))
    .where('claim_token', '=', token)
    .where('completed_at', 'is', null)
    .where('recovery_point', 'is', null)
    .executeTakeFirst();
  if (deleted.numDeletedRows > 0n) return;
  await tables(db)
    .updateTable('idempotency_keys')
    .set({ claimed_at: sql<Date>`'-infinity'::timestamptz` })
    .where((eb) => eb.and({ ...scope }))
    .where('claim_token', '=', token)
    .where('completed_at', 'is', null)
    .execute();
}

/**
 * Deletes expired keys in batches (short statements, no long lock queue behind a big delete);
 * returns how many went. For the scheduled purge job; accepts a transaction as well as the pool.
 */
export async function purgeExpiredIdempotencyKeys(db: Db, batchSize = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await sql`
      DELETE FROM idempotency_keys
      WHERE ctid = ANY (ARRAY(SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT ${batchSize}))`.execute(
      db,
    );
    const deleted = Number(result.numAffectedRows ?? 0n);
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
