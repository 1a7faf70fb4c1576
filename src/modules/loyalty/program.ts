// The program's terms: what anyone may read (with the active rewards), and the owner's create or
// replace, validated beyond the schema (tiers ascending from 0 with unique keys, a multiplier's
// window, every item and category id the brand's, no tier dropped that members still hold),
// versioned for If-Match and audited in the write's transaction.
import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import {
  NotFoundError,
  PreconditionFailedError,
  UnprocessableError,
  type FieldError,
} from '../../platform/http/errors.js';
import type { CatalogApi } from '../catalog/index.js';
import { assertRule, RULES } from './access.js';
import type { Program } from './model.js';
import { presentProgram } from './present.js';
import { loyaltyRepo } from './repo.js';
import type { ProgramOut, PutProgramBody } from './schema.js';
import { loyaltyTables, type Executor, type ProgramRow } from './tables.js';

export interface ProgramDeps {
  db: Db;
  catalog: { api: Pick<CatalogApi, 'catalogIdsOf'> };
}

/** Stable codes of a program's problems (FieldError.code), listed in the OpenAPI description. */
export const PROGRAM_PROBLEMS = {
  TIER_FIRST_NOT_ZERO: 'the first tier’s threshold must be 0',
  TIERS_NOT_ASCENDING: 'each threshold must be above the one before',
  TIER_KEY_TAKEN: 'tier keys must be unique',
  TIER_IN_USE: 'members hold a tier the new terms drop',
  MULTIPLIER_WINDOW_INVALID: 'a multiplier’s starts_at must be before its ends_at',
  BONUS_REPEATED: 'an item or category has one bonus at most',
  UNKNOWN_ITEM: 'not an item of the organization',
  UNKNOWN_CATEGORY: 'not a category of the organization',
} as const;
type ProgramProblem = keyof typeof PROGRAM_PROBLEMS;

const problem = (code: ProgramProblem, path: string, message: string = PROGRAM_PROBLEMS[code]): FieldError => ({
  code,
  path,
  message,
});

export const LOYALTY_PROGRAM_NOT_FOUND = 'LOYALTY_PROGRAM_NOT_FOUND';
export const programNotFound = () => new NotFoundError('loyalty program', LOYALTY_PROGRAM_NOT_FOUND);

/** What the schema cannot say about the terms, as data: every problem at once. */
export function termProblems(body: PutProgramBody): FieldError[] {
  const problems: FieldError[] = [];
  body.tiers.forEach((tier, i) => {
    const path = `/body/tiers/${i}`;
    if (i === 0 && tier.threshold !== 0) problems.push(problem('TIER_FIRST_NOT_ZERO', `${path}/threshold`));
    if (i > 0 && tier.threshold <= body.tiers[i - 1]!.threshold)
      problems.push(problem('TIERS_NOT_ASCENDING', `${path}/threshold`));
    if (body.tiers.findIndex((other) => other.key === tier.key) < i)
      problems.push(problem('TIER_KEY_TAKEN', `${path}/key`, `the key ${tier.key} is already an earlier tier’s`));
  });
  (body.accrual.multipliers ?? []).forEach((m, i) => {
    if (Date.parse(m.starts_at) >= Date.parse(m.ends_at))
      problems.push(problem('MULTIPLIER_WINDOW_INVALID', `/body/accrual/multipliers/${i}/ends_at`));
  });
  const repeated = (ids: string[], list: string, field: string) =>
    ids.forEach((id, i) => {
      if (ids.indexOf(id) < i) problems.push(problem('BONUS_REPEATED', `/body/accrual/${list}/${i}/${field}`));
    });
  repeated(
    (body.accrual.per_item ?? []).map((b) => b.item_id),
    'per_item',
    'item_id',
  );
  repeated(
    (body.accrual.per_category ?? []).map((b) => b.category_id),
    'per_category',
    'category_id',
  );
  return problems;
}

/** Item and category ids the brand does not have, as problems at their pointers. */
export async function unknownIdProblems(
  catalog: ProgramDeps['catalog'],
  organizationId: string,
  refs: { items: Array<{ id: string; path: string }>; categories: Array<{ id: string; path: string }> },
  trx?: Tx,
): Promise<FieldError[]> {
  if (refs.items.length + refs.categories.length === 0) return [];
  const known = await catalog.api.catalogIdsOf(
    organizationId,
    {
      itemIds: [...new Set(refs.items.map((ref) => ref.id))],
      categoryIds: [...new Set(refs.categories.map((ref) => ref.id))],
      variantIds: [],
    },
    trx,
  );
  return [
    ...refs.items.filter((ref) => !known.itemIds.has(ref.id)).map((ref) => problem('UNKNOWN_ITEM', ref.path)),
    ...refs.categories
      .filter((ref) => !known.categoryIds.has(ref.id))
      .map((ref) => problem('UNKNOWN_CATEGORY', ref.path)),
  ];
}

const invalid = (problems: FieldError[]) =>
  new UnprocessableError(
    'INVALID_LOYALTY_PROGRAM',
    `The program's terms are not valid: ${problems.map((p) => p.message).join('; ')}.`,
    problems,
  );

async function programRow(ex: Db | Tx, organizationId: string, lock: boolean): Promise<ProgramRow | null> {
  let query = loyaltyTables(ex as Executor)
    .selectFrom('loyalty_programs')
    .selectAll()
    .where('organization_id', '=', organizationId);
  if (lock) query = query.forUpdate();
  return ((await query.executeTakeFirst()) as ProgramRow | undefined) ?? null;
}

/** The fields of the program an audit entry shows. */
function audited(row: ProgramRow) {
  const { created_at: _created, updated_at: _updated, organization_id: _org, ...fields } = row;
  return fields;
}

export function createProgramService(deps: ProgramDeps) {
  const { db } = deps;

  async function present(ex: Db | Tx, row: ProgramRow): Promise<ProgramOut> {
    const rewards = await loyaltyRepo.rewardsOf(ex, row.organization_id, true);
    return presentProgram(row as Program, rewards, row.updated_at);
  }

  return {
    /** The public terms and the active rewards; 404 LOYALTY_PROGRAM_NOT_FOUND when the brand has none. */
    async publicTerms(organizationId: string): Promise<ProgramOut> {
      const row = await programRow(db, organizationId, false);
      if (!row) throw programNotFound();
      return present(db, row);
    },

    /** Creates (created: true) or replaces the program; If-Match names the version replaced. */
    async put(
      principal: Principal | null,
      organizationId: string,
      body: PutProgramBody,
      ifMatch: string[] | null,
    ): Promise<{ program: ProgramOut; created: boolean }> {
      assertRule(principal, RULES.editProgram, organizationId);
      const problems = termProblems(body);
      const refs = {
        items: (body.accrual.per_item ?? []).map((b, i) => ({
          id: b.item_id,
          path: `/body/accrual/per_item/${i}/item_id`,
        })),
        categories: (body.accrual.per_category ?? []).map((b, i) => ({
          id: b.category_id,
          path: `/body/accrual/per_category/${i}/category_id`,
        })),
      };
      problems.push(...(await unknownIdProblems(deps.catalog, organizationId, refs)));
      if (problems.length > 0) throw invalid(problems);
      const terms = {
        name: body.name,
        active: body.active ?? true,
        // jsonb columns are written as JSON text (tables.ts).
        accrual: JSON.stringify(body.accrual),
        lock_days: body.lock_days,
        expiry_months: body.expiry_months,
        tier_measure: body.tier_measure,
        tier_window_days: body.tier_window_days,
        tiers: JSON.stringify(body.tiers),
        join_at_sign_up: body.join_at_sign_up ?? false,
      };
      return inTransaction(db, async (trx) => {
        // Locked: two owners replacing at once are ordered, and If-Match is checked against the winner.
        const current = await programRow(trx, organizationId, true);
        if (current === null) {
          if (ifMatch !== null) throw new PreconditionFailedError('There is no program yet to match.');
          await loyaltyTables(trx)
            .insertInto('loyalty_programs')
            .values({ organization_id: organizationId, ...terms })
            .execute();
          const row = (await programRow(trx, organizationId, false))!;
          await recordAudit(trx, {
            organizationId,
            action: 'loyalty.program.created',
            target: { type: 'loyalty_program', id: organizationId },
            after: audited(row),
          });
          return { program: await present(trx, row), created: true };
        }
        if (ifMatch !== null && !ifMatch.includes(String(current.version))) throw new PreconditionFailedError();
        // Members keep their tier key: dropping a tier someone holds would leave them nowhere.
        const keys = body.tiers.map((tier) => tier.key);
        const orphaned = await loyaltyTables(trx)
          .selectFrom('loyalty_members')
          .select(['tier', sql<number>`count(*)::int`.as('members')])
          .where('organization_id', '=', organizationId)
          .where('tier', 'not in', keys)
          .groupBy('tier')
          .execute();
        if (orphaned.length > 0)
          throw invalid(
            orphaned.map((o) =>
              problem(
                'TIER_IN_USE',
                '/body/tiers',
                `${o.members} members hold the tier ${o.tier}, which the terms drop`,
              ),
            ),
          );
        await loyaltyTables(trx)
          .updateTable('loyalty_programs')
          .set({ ...terms, version: sql`version + 1`, updated_at: sql`now()` })
          .where('organization_id', '=', organizationId)
          .execute();
        const row = (await programRow(trx, organizationId, false))!;
        await recordAudit(trx, {
          organizationId,
          action: 'loyalty.program.replaced',
          target: { type: 'loyalty_program', id: organizationId },
          before: audited(current),
          after: audited(row),
        });
        return { program: await present(trx, row), created: false };
      });
    },
  };
}

export type ProgramService = ReturnType<typeof createProgramService>;
