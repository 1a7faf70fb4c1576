// Staff search of an organization's customers by name (typos tolerated), email fragment or
// partial phone digits, served by trigram indexes (migrations/0006_customer_search.sql).
//
// Who counts as a customer of an organization (privacy rule): only people linked to it in
// organization_customers — recorded when they deal with the brand (their first order at one of
// its stores; recorded from each order placed, see modules.ts). Never the platform's whole user base,
// not even by exact email or phone: that would let any brand's staff learn whether someone has a
// Brigade account, which the auth routes carefully never reveal. Until orders exist the relation
// is filled only through `recordCustomer` (seed, tests), so the search finds no one by default.
//
// Who may search: owners, managers and staff of the organization, org-wide or at one of its
// stores (counter staff look customers up). Others: 404 when they have no relation to the
// organization (house rule: never reveal it exists), 403 otherwise (e.g. a courier).
import { sql } from 'kysely';
import type { Principal, StaffRole } from '../../platform/auth/principal.js';
import { inTransaction, type Db } from '../../platform/db/index.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../platform/http/errors.js';
import type { Executor } from './repo.js';

export const CUSTOMER_SEARCH_ROLES: readonly StaffRole[] = ['owner', 'manager', 'staff'];
/** Typo tolerance on names: pg_trgm word_similarity of the query to a word of the name. */
const NAME_SIMILARITY = 0.45;
/** Fewer digits than this are not searched as a phone fragment (too many matches to be useful). */
const MIN_PHONE_DIGITS = 3;

export interface CustomerHit {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  score: number;
}

function assertMaySearch(principal: Principal | null, organizationId: string): void {
  if (!principal) throw new UnauthenticatedError();
  if (principal.kind !== 'user') throw new ForbiddenError('Customer search is for signed-in staff.');
  if (principal.platformAdmin) return;
  const inOrg = principal.grants.filter((grant) => grant.organizationId === organizationId);
  if (inOrg.length === 0) throw new NotFoundError('organization');
  if (!inOrg.some((grant) => CUSTOMER_SEARCH_ROLES.includes(grant.role))) throw new ForbiddenError();
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

export function createCustomerSearch(deps: { db: Db }) {
  return {
    async search(
      principal: Principal | null,
      organizationId: string,
      q: string,
      limit: number,
    ): Promise<CustomerHit[]> {
      assertMaySearch(principal, organizationId);
      const text = q.trim().toLowerCase();
      // A query made of phone characters only is also matched against phone digits.
      const digits = /^[0-9 ()+./-]+$/.test(text) ? text.replace(/\D/g, '') : '';
      const phoneDigits = digits.length >= MIN_PHONE_DIGITS ? digits : null;
      const like = `%${escapeLike(text)}%`;
      return inTransaction(deps.db, async (trx) => {
        // Threshold of the GIN-indexed `<%` operator, local to this transaction.
        await sql`SELECT set_config('pg_trgm.word_similarity_threshold', ${String(NAME_SIMILARITY)}, true)`.execute(
          trx,
        );
        const { rows } = await sql<{ id: string; name: string; email: string; phone: string | null; score: number }>`
          SELECT u.id, u.name, u.email, u.phone,
            (
              word_similarity(${text}, lower(u.name))
              + CASE WHEN lower(u.email) = ${text} THEN 2 WHEN lower(u.email) LIKE ${like} THEN 1 ELSE 0 END
              + CASE WHEN ${phoneDigits}::text IS NOT NULL AND u.phone_digits = ${phoneDigits} THEN 2
                     WHEN ${phoneDigits}::text IS NOT NULL AND u.phone_digits LIKE '%' || ${phoneDigits} || '%' THEN 1 ELSE 0 END
            )::float8 AS score
          FROM organization_customers oc JOIN users u ON u.id = oc.user_id
          WHERE oc.organization_id = ${organizationId}
            AND (
              ${text} <% lower(u.name)
              OR lower(u.email) LIKE ${like}
              OR (${phoneDigits}::text IS NOT NULL AND u.phone_digits LIKE '%' || ${phoneDigits} || '%')
            )
          ORDER BY score DESC, u.name, u.id
          LIMIT ${limit}
        `.execute(trx);
        return rows.map((row) => ({ ...row, score: Math.round(row.score * 10_000) / 10_000 }));
      });
    },

    /** Links a person to an organization as its customer (idempotent; bumps last_seen_at). */
    async recordCustomer(ex: Executor, input: { organizationId: string; userId: string; at?: Date }): Promise<void> {
      const at = input.at ?? new Date();
      await sql`
        INSERT INTO organization_customers (organization_id, user_id, first_seen_at, last_seen_at)
        VALUES (${input.organizationId}, ${input.userId}, ${at}, ${at})
        ON CONFLICT (organization_id, user_id) DO UPDATE SET last_seen_at = GREATEST(organization_customers.last_seen_at, EXCLUDED.last_seen_at)
      `.execute(ex);
    },
  };
}

export type CustomerSearch = ReturnType<typeof createCustomerSearch>;
