// Staff search of an organization's customers by name (typos tolerated), email fragment or
// partial phone digits. Names, emails and phones are stored sealed (ADR 0025): a GIN index over
// blind tokens (HMACs of their trigrams, people-sealing.ts) finds the candidates, and the
// decrypted fields are scored in memory as pg_trgm did (word_similarity on names).
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
import type { Db } from '../../platform/db/index.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../platform/http/errors.js';
import { trigramsOf, wordSimilarity } from '../catalog/index.js';
import { peopleSealing, phoneDigits, type StoredPerson } from './people-sealing.js';
import type { Executor } from './repo.js';

export const CUSTOMER_SEARCH_ROLES: readonly StaffRole[] = ['owner', 'manager', 'staff'];
/** Typo tolerance on names: word_similarity (pg_trgm's, computed in memory) of the query to a word of the name. */
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

/** Candidates read per search before exact scoring in memory (the blind tokens only narrow). */
const MAX_CANDIDATES = 1000;

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
      const wanted = digits.length >= MIN_PHONE_DIGITS ? digits : null;
      const sealing = peopleSealing();
      const tokens = await sealing.queryTokens(deps.db, { text, digits: wanted });
      // Names, emails and phones are sealed: the blind tokens find the candidates (any name
      // trigram; every window of an email or phone fragment), the decrypted fields decide.
      const { rows } = await sql<StoredPerson>`
        SELECT u.id, u.personal_sealed, u.email, u.name, u.phone
        FROM organization_customers oc JOIN users u ON u.id = oc.user_id
        WHERE oc.organization_id = ${organizationId}
          AND (
            u.search_tokens && ${tokens.name}::text[]
            OR (cardinality(${tokens.email}::text[]) > 0 AND u.search_tokens @> ${tokens.email}::text[])
            OR (cardinality(${tokens.phone}::text[]) > 0 AND u.search_tokens @> ${tokens.phone}::text[])
            OR u.personal_sealed IS NULL
          )
        LIMIT ${MAX_CANDIDATES}
      `.execute(deps.db);
      const hits: CustomerHit[] = [];
      for (const row of rows) {
        const person = await sealing.open(deps.db, row);
        const email = person.email.toLowerCase();
        const phone = person.phone === null ? null : phoneDigits(person.phone);
        const similarity = wordSimilarity(text, trigramsOf(person.name));
        const emailScore = email === text ? 2 : text.length > 0 && email.includes(text) ? 1 : 0;
        const phoneScore =
          wanted === null || phone === null ? 0 : phone === wanted ? 2 : phone.includes(wanted) ? 1 : 0;
        if (similarity < NAME_SIMILARITY && emailScore === 0 && phoneScore === 0) continue;
        const score = similarity + emailScore + phoneScore;
        hits.push({ id: row.id, name: person.name, email: person.email, phone: person.phone, score });
      }
      hits.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
      return hits.slice(0, limit).map((hit) => ({ ...hit, score: Math.round(hit.score * 10_000) / 10_000 }));
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
