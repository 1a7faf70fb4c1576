// What the simulated processor does to an intent: its state machine. Each change locks the
// intent row (FOR UPDATE) before checking the state, so concurrent calls serialize on it, and
// writes its webhook event in the same transaction (outbox style). Checks come before writes, so
// a refusal (a thrown SandboxError) rolls back nothing but the caller's idempotency claim.
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { inTransaction, type Db, type Tx } from '../../../platform/db/index.js';
import { cardBehaviour, normalizeCard } from './cards.js';
import {
  presentIntent,
  presentRefund,
  SandboxError,
  type EventJson,
  type IntentJson,
  type RefundJson,
} from './present.js';
import {
  sandboxRepo,
  type EventType,
  type Executor,
  type IntentRow,
  type IntentStatus,
  type RefundRow,
} from './processor-repo.js';

export interface SandboxOperationsDeps {
  db: Db;
  clock: () => Date;
  publicUrl: string;
  authorizationDelayMs: number;
  slowCardDelayMs: number;
}

export interface CreateIntentBody {
  amount: number;
  currency: string;
  reference: string;
  description?: string;
  metadata?: Record<string, string>;
}

export interface RefundBody {
  amount: number;
  reason: string;
  reference: string;
}

/** Outcome of a confirmation: the intent now processing, or the flaky card's simulated failure. */
export type ConfirmOutcome = { kind: 'processing'; intent: IntentJson } | { kind: 'flaky_failure' };

const randomId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

function sameSecret(a: string, b: string): boolean {
  // Hash first: timingSafeEqual needs equal lengths, and the length must not leak either.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function notFound(id: string): SandboxError {
  return new SandboxError(404, 'not_found', `No intent ${id}.`);
}

function requireStatus(row: IntentRow, allowed: readonly IntentStatus[], action: string): void {
  if (!allowed.includes(row.status)) {
    throw new SandboxError(
      409,
      'invalid_state',
      `Cannot ${action} an intent that is ${row.status} (needs ${allowed.join(' or ')}).`,
    );
  }
}

export function createSandboxOperations(deps: SandboxOperationsDeps) {
  const { db, clock, publicUrl } = deps;
  const present = (row: IntentRow) => presentIntent(row, publicUrl);

  async function lockIntent(trx: Tx, id: string): Promise<IntentRow> {
    const row = await sandboxRepo.findIntent(trx, id, { forUpdate: true });
    if (!row) throw notFound(id);
    return row;
  }

  async function emit(trx: Executor, type: EventType, intent: IntentRow, refund?: RefundRow): Promise<void> {
    const now = clock();
    const payload: EventJson = {
      id: randomId('se'),
      type,
      created_at: now.toISOString(),
      data: refund ? { refund: presentRefund(refund), intent: present(intent) } : { intent: present(intent) },
    };
    await sandboxRepo.insertEvent(trx, { id: payload.id, type, intent_id: intent.id, payload, created_at: now });
  }

  return {
    async createIntent(trx: Tx, body: CreateIntentBody): Promise<IntentJson> {
      const id = randomId('si');
      const row = await sandboxRepo.insertIntent(trx, {
        id,
        amount: body.amount,
        currency: body.currency,
        client_secret: `${id}_secret_${randomBytes(16).toString('hex')}`,
        reference: body.reference,
        description: body.description ?? null,
        metadata: body.metadata ?? {},
        created_at: clock(),
      });
      return present(row);
    },

    async getIntent(id: string): Promise<IntentJson> {
      const row = await sandboxRepo.findIntent(db, id);
      if (!row) throw notFound(id);
      return present(row);
    },

    /** The customer's step: answers at once with the intent processing; the loop decides later. */
    async confirm(id: string, clientSecret: string, cardNumber: string): Promise<ConfirmOutcome> {
      return inTransaction(db, async (trx) => {
        const row = await lockIntent(trx, id);
        if (!sameSecret(row.client_secret, clientSecret))
          throw new SandboxError(401, 'unauthorized', 'The client_secret does not belong to this intent.');
        requireStatus(row, ['requires_payment'], 'confirm');
        const behaviour = cardBehaviour(cardNumber);
        if (!behaviour) throw new SandboxError(422, 'invalid_card', 'This is not one of the sandbox test cards.');
        const now = clock();
        if (behaviour.kind === 'flaky') {
          // The attempt is counted (and committed) even when it "fails", so the next one succeeds.
          const attempts = row.flaky_attempts + 1;
          await sandboxRepo.updateIntent(trx, id, { flaky_attempts: attempts, updated_at: now });
          if (attempts % 2 === 1) return { kind: 'flaky_failure' };
        }
        const delay =
          behaviour.kind === 'authorize' && behaviour.slow ? deps.slowCardDelayMs : deps.authorizationDelayMs;
        const updated = await sandboxRepo.updateIntent(trx, id, {
          status: 'processing',
          pending_card: normalizeCard(cardNumber),
          decide_at: new Date(now.getTime() + delay),
          last_failure_code: null,
          updated_at: now,
        });
        return { kind: 'processing', intent: present(updated) };
      });
    },

    /** The background loop's step: decides every confirmation whose delay has passed. */
    async decideDue(limit = 50): Promise<number> {
      return inTransaction(db, async (trx) => {
        const now = clock();
        const due = await sandboxRepo.lockDueDecisions(trx, now, limit);
        for (const row of due) {
          const behaviour = cardBehaviour(row.pending_card ?? '');
          const settled = { pending_card: null, decide_at: null, updated_at: now };
          if (behaviour?.kind === 'decline') {
            const updated = await sandboxRepo.updateIntent(trx, row.id, {
              ...settled,
              status: 'requires_payment',
              last_failure_code: behaviour.code,
            });
            await emit(trx, 'intent.payment_failed', updated);
          } else {
            const updated = await sandboxRepo.updateIntent(trx, row.id, {
              ...settled,
              status: 'authorized',
              amount_authorized: row.amount,
              last_failure_code: null,
            });
            await emit(trx, 'intent.authorized', updated);
          }
        }
        return due.length;
      });
    },

    async capture(trx: Tx, id: string, amount: number | undefined): Promise<IntentJson> {
      const row = await lockIntent(trx, id);
      requireStatus(row, ['authorized'], 'capture');
      const captured = amount ?? row.amount_authorized;
      if (captured > row.amount_authorized) {
        throw new SandboxError(
          422,
          'amount_too_large',
          `Cannot capture ${captured}: only ${row.amount_authorized} is authorized.`,
        );
      }
      const updated = await sandboxRepo.updateIntent(trx, id, {
        status: 'captured',
        amount_captured: captured,
        capture_count: row.capture_count + 1,
        updated_at: clock(),
      });
      await emit(trx, 'intent.captured', updated);
      return present(updated);
    },

    async void(trx: Tx, id: string): Promise<IntentJson> {
      const row = await lockIntent(trx, id);
      if (row.status === 'voided') return present(row);
      requireStatus(row, ['requires_payment', 'processing', 'authorized'], 'void');
      const updated = await sandboxRepo.updateIntent(trx, id, {
        status: 'voided',
        pending_card: null,
        decide_at: null,
        updated_at: clock(),
      });
      await emit(trx, 'intent.voided', updated);
      return present(updated);
    },

    async incrementAuthorization(trx: Tx, id: string, newAmount: number): Promise<IntentJson> {
      const row = await lockIntent(trx, id);
      requireStatus(row, ['authorized'], 'increment the authorization of');
      if (newAmount <= row.amount_authorized) {
        throw new SandboxError(
          422,
          'invalid_request',
          `The new amount (${newAmount}) must exceed the authorized ${row.amount_authorized}.`,
        );
      }
      const updated = await sandboxRepo.updateIntent(trx, id, {
        amount: newAmount,
        amount_authorized: newAmount,
        updated_at: clock(),
      });
      return present(updated);
    },

    async refund(trx: Tx, id: string, body: RefundBody): Promise<RefundJson> {
      const row = await lockIntent(trx, id);
      requireStatus(row, ['captured'], 'refund');
      const refundable = row.amount_captured - row.amount_refunded;
      if (body.amount > refundable) {
        throw new SandboxError(
          422,
          'amount_too_large',
          `Cannot refund ${body.amount}: ${refundable} of the captured ${row.amount_captured} is left.`,
        );
      }
      const now = clock();
      const refund = await sandboxRepo.insertRefund(trx, {
        id: randomId('sr'),
        intent_id: id,
        amount: body.amount,
        status: 'succeeded',
        reason: body.reason,
        reference: body.reference,
        created_at: now,
      });
      const updated = await sandboxRepo.updateIntent(trx, id, {
        amount_refunded: row.amount_refunded + body.amount,
        updated_at: now,
      });
      await emit(trx, 'refund.succeeded', updated, refund);
      return presentRefund(refund);
    },

    async listRefunds(id: string): Promise<RefundJson[]> {
      const row = await sandboxRepo.findIntent(db, id);
      if (!row) throw notFound(id);
      return (await sandboxRepo.listRefunds(db, id)).map(presentRefund);
    },
  };
}

export type SandboxOperations = ReturnType<typeof createSandboxOperations>;
