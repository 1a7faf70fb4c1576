// A person's own data (GDPR articles 15, 17 and 20): GET /v1/me/export gives it all back as JSON,
// DELETE /v1/me erases it. Erasure wipes or pseudonymizes every personal field and keeps the
// rows the books need: the user row stays (orders and payments point at it) as "Deleted
// customer" with an unreachable email, their orders keep lines and money but lose where to,
// whom and their notes. Both are audited in each organization the person dealt with, in the
// same transaction. The orders are ordering's: they are reached through the port below, bound in
// modules.ts (ordering is built after identity).
import type { UserPrincipal } from '../../platform/auth/principal.js';
import { recordAudit } from '../../platform/audit/index.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import { forgetStoredResponses } from '../../platform/http/idempotency/index.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/http/errors.js';
import type { Order } from '../ordering/index.js';
import { accountTokensRepo } from './account-tokens-repo.js';
import { organizationAggregate, type IdentityEventAppender } from './events.js';
import type { PasswordHasher } from './passwords.js';
import { personalDataRepo as repo } from './personal-data-repo.js';

/** What identity needs of a person's orders (ordering, bound in modules.ts). */
export interface CustomerOrdersPort {
  /** Every order of the customer as the API shows it, delivery details opened. */
  ordersOf(ex: Tx, customerId: string): Promise<Array<{ organizationId: string; order: Order }>>;
  /** Wipes delivery details and notes of the customer's orders; the organizations they were at. */
  eraseOrdersOf(trx: Tx, customerId: string): Promise<string[]>;
}

export interface PersonalDataDeps {
  db: Db;
  passwords: PasswordHasher;
  events: IdentityEventAppender;
  orders: () => CustomerOrdersPort | null;
  /** What other modules keep about a person (notifications' preferences and messages), erased with them. */
  forgetElsewhere: (trx: Tx, person: { userId: string; email: string }) => Promise<void>;
  clock?: () => Date;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

async function auditEach(trx: Tx, organizationIds: Iterable<string>, action: string, userId: string) {
  for (const organizationId of [...new Set(organizationIds)].sort())
    await recordAudit(trx, { organizationId, action, target: { type: 'user', id: userId } });
}

export function createPersonalData(deps: PersonalDataDeps) {
  const now = deps.clock ?? (() => new Date());
  const ordersPort = () => {
    const port = deps.orders();
    if (!port) throw new Error('The personal data service needs the orders port (bound in modules.ts)');
    return port;
  };

  return {
    async exportFor(principal: UserPrincipal) {
      return inTransaction(
        deps.db,
        async (trx) => {
          const account = await repo.account(trx, principal.userId);
          if (!account || account.erased_at !== null) throw new NotFoundError('user');
          const [memberships, customerOf, sessions, orders] = [
            await repo.memberships(trx, account.id),
            await repo.customerOf(trx, account.id),
            await repo.sessions(trx, account.id),
            await ordersPort().ordersOf(trx, account.id),
          ];
          await auditEach(
            trx,
            [
              ...memberships.map((m) => m.organization_id),
              ...customerOf.map((c) => c.organization_id),
              ...orders.map((o) => o.organizationId),
            ],
            'identity.personal_data.exported',
            account.id,
          );
          return {
            exported_at: now().toISOString(),
            account: {
              id: account.id,
              email: account.email,
              name: account.name,
              phone: account.phone,
              is_platform_admin: account.is_platform_admin,
              created_at: account.created_at.toISOString(),
              updated_at: account.updated_at.toISOString(),
            },
            memberships: memberships.map((m) => ({
              role: m.role,
              organization_id: m.organization_id,
              store_id: m.store_id,
              created_at: m.created_at.toISOString(),
            })),
            customer_of: customerOf.map((c) => ({
              organization_id: c.organization_id,
              first_seen_at: c.first_seen_at.toISOString(),
              last_seen_at: c.last_seen_at.toISOString(),
            })),
            orders: orders.map((o) => o.order),
            sessions: sessions.map((s) => ({
              id: s.id,
              created_at: s.created_at.toISOString(),
              expires_at: s.expires_at.toISOString(),
              revoked_at: iso(s.revoked_at),
              revoked_reason: s.revoked_reason,
            })),
          };
        },
        { isolation: 'repeatable read' },
      );
    },

    /** Erases the caller, who confirms with their password. */
    async erase(principal: UserPrincipal, password: string): Promise<void> {
      const read = await repo.account(deps.db, principal.userId);
      if (!read || read.erased_at !== null) throw new NotFoundError('user');
      if (!(await deps.passwords.verify(read.password_hash, password)))
        throw new ForbiddenError(
          'The password is wrong: erasing an account needs its password again.',
          'INVALID_PASSWORD',
        );
      await inTransaction(deps.db, async (trx) => {
        const account = await repo.account(trx, principal.userId, { forUpdate: true });
        if (!account || account.erased_at !== null) throw new NotFoundError('user');
        const sole = await repo.soleOwnerships(trx, account.id);
        if (sole.length > 0)
          throw new ConflictError(
            'LAST_OWNER',
            `You are the only owner of ${sole.length === 1 ? 'an organization' : `${sole.length} organizations`} (${sole.join(', ')}): make someone else an owner first.`,
          );
        const at = now();
        const customerOf = await repo.customerOf(trx, account.id);
        const orderOrganizations = await ordersPort().eraseOrdersOf(trx, account.id);
        const memberships = await repo.dropAccess(trx, account.id, at);
        await deps.forgetElsewhere(trx, { userId: account.id, email: account.email });
        await repo.wipeAccount(trx, account.id, at);
        // A reset or verification link mailed before the erasure must not reopen the account.
        await accountTokensRepo.endLiveAccountTokens(trx, account.id, 'all', 'account_erased');
        await forgetStoredResponses(trx, `user:${account.id}`);
        for (const membership of memberships)
          await deps.events.append(trx, {
            type: 'identity.member.removed',
            aggregate: organizationAggregate(membership.organization_id),
            data: {
              membership_id: membership.id,
              organization_id: membership.organization_id,
              store_id: membership.store_id,
              user_id: account.id,
              role: membership.role,
            },
          });
        await auditEach(
          trx,
          [
            ...memberships.map((m) => m.organization_id),
            ...customerOf.map((c) => c.organization_id),
            ...orderOrganizations,
          ],
          'identity.user.erased',
          account.id,
        );
      });
    },
  };
}

export type PersonalData = ReturnType<typeof createPersonalData>;
