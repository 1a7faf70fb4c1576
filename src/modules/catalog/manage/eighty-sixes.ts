// 86s: staff take an item or option off sale at a store (now, until a time, or until un-86'd),
// and inventory marks an item sold out when its tracked stock runs out.
import { v7 as uuidv7 } from 'uuid';
import type { Principal } from '../../../platform/auth/principal.js';
import type { Db, Tx } from '../../../platform/db/index.js';
import { NotFoundError, ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { RULES } from './access.js';
import { eightySixRepo as repo, type EightySixRow } from './eighty-six-repo.js';
import type { StoreEdits } from './store-edit.js';

const presentEightySix = (row: EightySixRow) => ({
  ...row,
  until: row.until?.toISOString() ?? null,
  created_at: row.created_at.toISOString(),
});

export function eightySixService(deps: { db: Db; clock: () => Date }, stores: StoreEdits) {
  const { db, clock } = deps;

  return {
    async eightySixes(principal: Principal | null, storeId: string) {
      await stores.storeOf(storeId, principal, RULES.readStoreCatalog);
      return { data: (await repo.activeEightySixes(db, storeId, clock())).map(presentEightySix) };
    },

    async eightySix(
      principal: Principal | null,
      storeId: string,
      input: { item_id?: string; option_id?: string; until?: string | null },
    ) {
      const problems: FieldError[] = [];
      if ((input.item_id === undefined) === (input.option_id === undefined))
        problems.push({ path: '/body', message: 'must name exactly one of item_id, option_id' });
      const until = input.until == null ? null : new Date(input.until);
      if (until !== null && until.getTime() <= clock().getTime())
        problems.push({ path: '/body/until', message: 'must be in the future (leave it out to 86 until un-86’d)' });
      if (problems.length > 0) throw new ValidationError(problems);
      const row = await stores.editStore(
        principal,
        storeId,
        RULES.eightySix,
        async (trx, organizationId) => {
          if (input.item_id !== undefined) await stores.knownIds(trx, 'items', organizationId, [input.item_id], 'item');
          if (input.option_id !== undefined)
            await stores.knownIds(trx, 'modifier_options', organizationId, [input.option_id], 'modifier option');
          return repo.putEightySix(trx, {
            id: uuidv7(),
            organization_id: organizationId,
            store_id: storeId,
            item_id: input.item_id ?? null,
            option_id: input.option_id ?? null,
            until,
            created_by: principal?.kind === 'user' ? principal.userId : null,
          });
        },
        (put) => ({
          action: `catalog.${put.item_id === null ? 'option' : 'item'}.eighty_sixed`,
          target: {
            type: put.item_id === null ? 'modifier_option' : 'item',
            id: put.item_id ?? put.option_id ?? put.id,
          },
          after: { eighty_six_id: put.id, until: put.until },
        }),
      );
      return presentEightySix(row);
    },

    async unEightySix(principal: Principal | null, storeId: string, id: string) {
      await stores.editStore(
        principal,
        storeId,
        RULES.eightySix,
        async (trx) => {
          if (!(await repo.deleteEightySix(trx, storeId, id))) throw new NotFoundError('86');
        },
        () => ({ action: 'catalog.eighty_six.lifted', target: { type: 'eighty_six', id } }),
      );
    },

    // Sold-out 86s follow tracked stock, inside the stock change's transaction. They neither bump
    // the catalog version nor append catalog.catalog.changed: the menu's ETag digests its body,
    // and an order selling the last portion must not queue behind the brand's catalog lock.

    /** Module api (inventory): joins the caller's transaction; no access check. True when written. */
    async markSoldOutIn(trx: Tx, input: { organizationId: string; storeId: string; itemId: string }): Promise<boolean> {
      return repo.markSoldOut(trx, {
        id: uuidv7(),
        organization_id: input.organizationId,
        store_id: input.storeId,
        item_id: input.itemId,
      });
    },

    /** Module api (inventory): lifts only a sold-out 86. True when there was one. */
    async clearSoldOutIn(trx: Tx, input: { storeId: string; itemId: string }): Promise<boolean> {
      return repo.clearSoldOut(trx, input.storeId, input.itemId);
    },
  };
}
