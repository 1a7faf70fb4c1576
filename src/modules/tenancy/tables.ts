// Dining tables and their QR codes. The QR code carries a random token, not the table id: ids
// are guessable in order (UUIDv7), and a leaked code must be revocable by rotating the token.
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { recordAudit } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import { ConflictError, NotFoundError } from '../../platform/http/errors.js';
import { decodeCursor, isUuid, toPage, type PageOf } from '../../platform/http/schema.js';
import { RULES } from './access.js';
import { storeAggregate, type TableChange, type TenancyEventAppender } from './events.js';
import { presentTable } from './present.js';
import { tenancyRepo as repo, type Executor, type TableRow } from './repo.js';
import type { DiningTable, ScannedTable, UpdateTableBody } from './schema.js';
import type { TenancyService } from './service.js';

/** 128 random bits, base64url (22 characters). */
export function mintQrToken(): string {
  return randomBytes(16).toString('base64url');
}

function labelTaken(label: string): ConflictError {
  return new ConflictError('TABLE_LABEL_TAKEN', `This store already has a table labelled "${label}".`);
}

export interface NewTable {
  organizationId: string;
  storeId: string;
  label: string;
  seats?: number;
}

export function createTableService(deps: {
  db: Db;
  stores: Pick<TenancyService, 'storeForStaff' | 'getStore'>;
  events: TenancyEventAppender;
}) {
  const { db, stores, events } = deps;

  async function addTable(trx: Tx, input: NewTable): Promise<TableRow> {
    const row = await repo.insertTable(trx, {
      id: uuidv7(),
      organization_id: input.organizationId,
      store_id: input.storeId,
      label: input.label,
      seats: input.seats ?? 2,
      qr_token: mintQrToken(),
    });
    if (!row) throw labelTaken(input.label);
    await events.append(trx, {
      type: 'tenancy.table.added',
      aggregate: storeAggregate(row.store_id),
      data: {
        table_id: row.id,
        store_id: row.store_id,
        organization_id: row.organization_id,
        label: row.label,
        seats: row.seats,
      },
    });
    return row;
  }

  async function tableOfStore(ex: Executor, storeId: string, tableId: string): Promise<TableRow> {
    const table = await repo.findTable(ex, tableId);
    // A table of another store (even of the same organization) is not found at this address.
    if (!table || table.store_id !== storeId) throw new NotFoundError('table');
    return table;
  }

  async function changeTable(
    principal: Principal | null,
    storeId: string,
    tableId: string,
    patch: { label?: string; seats?: number; qr_token?: string },
  ) {
    return inTransaction(db, async (trx) => {
      await stores.storeForStaff(trx, principal, storeId, RULES.editStore);
      const updated = await repo.updateTable(trx, storeId, tableId, patch);
      if (updated === 'label_taken') throw labelTaken(patch.label ?? '');
      if (updated === null) throw new NotFoundError('table');
      const changed: TableChange[] = (['label', 'seats', 'qr_token'] as const).filter(
        (field) => patch[field] !== undefined,
      );
      await events.append(trx, {
        type: 'tenancy.table.updated',
        aggregate: storeAggregate(storeId),
        data: { table_id: updated.id, store_id: storeId, organization_id: updated.organization_id, changed },
      });
      // The row is not read before the conditional update: the entry holds the new values of what changed.
      await recordAudit(trx, {
        organizationId: updated.organization_id,
        storeId,
        action: patch.qr_token === undefined ? 'tenancy.table.updated' : 'tenancy.table.qr_code_rotated',
        target: { type: 'dining_table', id: tableId },
        after: Object.fromEntries(changed.map((field) => [field, updated[field]])),
      });
      return presentTable(updated);
    });
  }

  return {
    addTable,

    async createTable(
      principal: Principal | null,
      storeId: string,
      input: { label: string; seats?: number },
    ): Promise<DiningTable> {
      return inTransaction(db, async (trx) => {
        const store = await stores.storeForStaff(trx, principal, storeId, RULES.editStore);
        const table = await addTable(trx, { ...input, storeId, organizationId: store.organization_id });
        await recordAudit(trx, {
          organizationId: store.organization_id,
          storeId,
          action: 'tenancy.table.added',
          target: { type: 'dining_table', id: table.id },
          after: { label: table.label, seats: table.seats },
        });
        return presentTable(table);
      });
    },

    async listTables(
      principal: Principal | null,
      storeId: string,
      query: { limit?: number; cursor?: string },
    ): Promise<PageOf<DiningTable>> {
      await stores.storeForStaff(db, principal, storeId, RULES.readStoreBackOffice);
      const limit = query.limit ?? 20;
      const after = decodeCursor(query.cursor, ['id'] as const);
      const rows = await repo.listTables(db, storeId, { afterId: after?.id ?? null, limit });
      return toPage(rows, limit, presentTable, (row) => ({ id: row.id }));
    },

    async getTable(principal: Principal | null, storeId: string, tableId: string): Promise<DiningTable> {
      await stores.storeForStaff(db, principal, storeId, RULES.readStoreBackOffice);
      return presentTable(await tableOfStore(db, storeId, tableId));
    },

    async updateTable(
      principal: Principal | null,
      storeId: string,
      tableId: string,
      patch: UpdateTableBody,
    ): Promise<DiningTable> {
      return changeTable(principal, storeId, tableId, patch);
    },

    /** The old code stops working at once; print the new one. */
    async rotateQrToken(principal: Principal | null, storeId: string, tableId: string): Promise<DiningTable> {
      return changeTable(principal, storeId, tableId, { qr_token: mintQrToken() });
    },

    async removeTable(principal: Principal | null, storeId: string, tableId: string): Promise<void> {
      await inTransaction(db, async (trx) => {
        const store = await stores.storeForStaff(trx, principal, storeId, RULES.editStore);
        if (!(await repo.deleteTable(trx, storeId, tableId))) throw new NotFoundError('table');
        await events.append(trx, {
          type: 'tenancy.table.removed',
          aggregate: storeAggregate(storeId),
          data: { table_id: tableId, store_id: storeId, organization_id: store.organization_id },
        });
        await recordAudit(trx, {
          organizationId: store.organization_id,
          storeId,
          action: 'tenancy.table.removed',
          target: { type: 'dining_table', id: tableId },
        });
      });
    },

    /** Public: a guest scanned a table code. The token is the secret; the answer never repeats it. */
    async scanTable(qrToken: string): Promise<ScannedTable> {
      const table = await repo.findTableByQrToken(db, qrToken);
      if (!table) throw new NotFoundError('table');
      const store = await stores.getStore(table.store_id);
      const { body } = store;
      return {
        table: { id: table.id, label: table.label, seats: table.seats },
        store: {
          id: body.id,
          organization_id: body.organization_id,
          name: body.name,
          address: body.address,
          phone: body.phone,
          timezone: body.timezone,
          currency: body.currency,
          location: body.location,
          is_open_now: body.is_open_now,
          next_open_at: body.next_open_at,
          closes_at: body.closes_at,
        },
      };
    },

    /** The table a QR token points at (dine-in orders); null when the token is unknown or rotated. */
    async findTableByQrToken(qrToken: string, ex: Executor = db) {
      const table = await repo.findTableByQrToken(ex, qrToken);
      return table
        ? {
            id: table.id,
            organization_id: table.organization_id,
            store_id: table.store_id,
            label: table.label,
            seats: table.seats,
          }
        : null;
    },

    async findTable(tableId: string, ex: Executor = db) {
      if (!isUuid(tableId)) return null;
      const table = await repo.findTable(ex, tableId);
      return table
        ? {
            id: table.id,
            organization_id: table.organization_id,
            store_id: table.store_id,
            label: table.label,
            seats: table.seats,
          }
        : null;
    },
  };
}

export type TableService = ReturnType<typeof createTableService>;
