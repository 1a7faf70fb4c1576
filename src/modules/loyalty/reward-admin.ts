// Rewards as managed by the brand's owners and managers: listed (inactive ones and their cost
// included), created, changed and withdrawn (soft delete: never offered again, while orders that
// already hold one still spend it). A free item's ids must be the brand's. Each write is audited
// in its transaction; the ETag is the row's updated_at in microseconds (rewards carry no version).
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { recordAudit } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import { NotFoundError, PreconditionFailedError, UnprocessableError } from '../../platform/http/errors.js';
import { decodeCursor, toPage, type PageOf } from '../../platform/http/schema.js';
import { assertRule, RULES } from './access.js';
import type { RewardEffect } from './model.js';
import { presentReward, type ManagedReward } from './present.js';
import { programNotFound, unknownIdProblems, type ProgramDeps } from './program.js';
import { loyaltyRepo } from './repo.js';
import type { CreateRewardBody, PatchRewardBody, RewardListQuery, RewardOut } from './schema.js';
import { loyaltyTables, type Executor } from './tables.js';

export interface ManagedRewardOut {
  reward: RewardOut;
  /** The ETag's value. */
  tag: string;
}

const COLUMNS = [
  'id',
  'organization_id',
  'name',
  'description',
  'points',
  'effect',
  'cost',
  'active',
  'created_at',
  'updated_at',
] as const;
/** The updated_at in microseconds since the epoch: changes on every write, unlike its millisecond Date. */
const TAG = sql<string>`(extract(epoch from updated_at) * 1000000)::bigint::text`.as('tag');

type Row = ManagedReward & { tag: string };

async function findRow(ex: Db | Tx, organizationId: string, id: string, lock: boolean): Promise<Row> {
  let query = loyaltyTables(ex as Executor)
    .selectFrom('loyalty_rewards')
    .select([...COLUMNS, TAG])
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new NotFoundError('reward');
  return row;
}

const out = (row: Row): ManagedRewardOut => ({ reward: presentReward(row), tag: row.tag });

function audited(row: Row) {
  const { created_at: _c, updated_at: _u, tag: _t, organization_id: _o, ...fields } = row;
  return fields;
}

export function createRewardAdmin(deps: ProgramDeps) {
  const { db } = deps;

  async function checkEffect(organizationId: string, effect: RewardEffect, trx?: Tx) {
    if (effect.type !== 'free_item') return;
    const items = effect.item_ids.map((id, i) => ({ id, path: `/body/effect/item_ids/${i}` }));
    const problems = await unknownIdProblems(deps.catalog, organizationId, { items, categories: [] }, trx);
    if (problems.length > 0)
      throw new UnprocessableError('INVALID_REWARD', 'A free item must be one of the brand’s items.', problems);
  }

  function checkTag(ifMatch: string[] | null, row: Row) {
    if (ifMatch !== null && !ifMatch.includes(row.tag)) throw new PreconditionFailedError();
  }

  return {
    async list(
      principal: Principal | null,
      organizationId: string,
      query: RewardListQuery,
    ): Promise<PageOf<RewardOut>> {
      assertRule(principal, RULES.readRewards, organizationId);
      const limit = query.limit ?? 20;
      const after = decodeCursor(query.cursor, ['id'] as const);
      let select = loyaltyTables(db)
        .selectFrom('loyalty_rewards')
        .select([...COLUMNS, TAG])
        .where('organization_id', '=', organizationId)
        .where('deleted_at', 'is', null)
        .orderBy('id')
        .limit(limit + 1);
      if (after) select = select.where('id', '>', after.id);
      const rows = await select.execute();
      return toPage(rows, limit, presentReward, (row) => ({ id: row.id }));
    },

    async get(principal: Principal | null, organizationId: string, id: string): Promise<ManagedRewardOut> {
      assertRule(principal, RULES.readRewards, organizationId, 'reward');
      return out(await findRow(db, organizationId, id, false));
    },

    async create(
      principal: Principal | null,
      organizationId: string,
      body: CreateRewardBody,
    ): Promise<ManagedRewardOut> {
      assertRule(principal, RULES.editRewards, organizationId);
      if (!(await loyaltyRepo.findProgram(db, organizationId))) throw programNotFound();
      await checkEffect(organizationId, body.effect);
      return inTransaction(db, async (trx) => {
        const id = uuidv7();
        await loyaltyTables(trx)
          .insertInto('loyalty_rewards')
          .values({
            id,
            organization_id: organizationId,
            name: body.name,
            description: body.description ?? null,
            points: body.points,
            effect: JSON.stringify(body.effect),
            cost: body.cost ?? 0,
            active: body.active ?? true,
            deleted_at: null,
          })
          .execute();
        const row = await findRow(trx, organizationId, id, false);
        await recordAudit(trx, {
          organizationId,
          action: 'loyalty.reward.created',
          target: { type: 'loyalty_reward', id },
          after: audited(row),
        });
        return out(row);
      });
    },

    async update(
      principal: Principal | null,
      organizationId: string,
      id: string,
      body: PatchRewardBody,
      ifMatch: string[] | null,
    ): Promise<ManagedRewardOut> {
      assertRule(principal, RULES.editRewards, organizationId, 'reward');
      if (body.effect) await checkEffect(organizationId, body.effect);
      return inTransaction(db, async (trx) => {
        const current = await findRow(trx, organizationId, id, true);
        checkTag(ifMatch, current);
        await loyaltyTables(trx)
          .updateTable('loyalty_rewards')
          .set({
            ...(body.name === undefined ? {} : { name: body.name }),
            ...(body.description === undefined ? {} : { description: body.description }),
            ...(body.points === undefined ? {} : { points: body.points }),
            ...(body.effect === undefined ? {} : { effect: JSON.stringify(body.effect) }),
            ...(body.cost === undefined ? {} : { cost: body.cost }),
            ...(body.active === undefined ? {} : { active: body.active }),
            // clock_timestamp, not now(): the ETag must move even for two writes in one transaction.
            updated_at: sql`clock_timestamp()`,
          })
          .where('id', '=', id)
          .execute();
        const row = await findRow(trx, organizationId, id, false);
        await recordAudit(trx, {
          organizationId,
          action: 'loyalty.reward.updated',
          target: { type: 'loyalty_reward', id },
          before: audited(current),
          after: audited(row),
        });
        return out(row);
      });
    },

    /** Withdraws the reward: 404 from then on; orders already holding it still spend it. */
    async remove(principal: Principal | null, organizationId: string, id: string, ifMatch: string[] | null) {
      assertRule(principal, RULES.editRewards, organizationId, 'reward');
      await inTransaction(db, async (trx) => {
        const current = await findRow(trx, organizationId, id, true);
        checkTag(ifMatch, current);
        await loyaltyTables(trx)
          .updateTable('loyalty_rewards')
          .set({ deleted_at: sql`clock_timestamp()`, updated_at: sql`clock_timestamp()` })
          .where('id', '=', id)
          .execute();
        await recordAudit(trx, {
          organizationId,
          action: 'loyalty.reward.deleted',
          target: { type: 'loyalty_reward', id },
          before: audited(current),
        });
      });
    },
  };
}

export type RewardAdmin = ReturnType<typeof createRewardAdmin>;
