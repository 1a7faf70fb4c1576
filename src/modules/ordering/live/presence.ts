// Which stores have a kitchen feed open, on any api process: staff are mailed a new order only
// when no tablet shows it (notifications asks through ordering's api). Each open feed is a row
// that its process refreshes while the stream lasts and deletes when it closes; a process that
// dies stops refreshing, and its rows stop counting after FRESH_FOR_MS. Times are the database's,
// so the processes' clocks do not matter.
import { sql, type Generated, type Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Logger } from 'pino';
import type { Db, PlatformTables } from '../../../platform/db/index.js';

// A type, not an interface: withTables<T> needs an index-signature-compatible record.
type PresenceTables = {
  kitchen_feed_presence: { id: string; store_id: string; opened_at: Generated<Date>; seen_at: Generated<Date> };
};
const t = (ex: Kysely<PlatformTables>) => ex.withTables<PresenceTables>();

/** A feed counts as open this long after its process last said so (three missed refreshes). */
const REFRESH_MS = 15_000;
const FRESH_FOR_MS = 3 * REFRESH_MS;
/** Rows of dead processes are deleted once this stale (they stopped counting long before). */
const FORGET_AFTER_MS = 3600_000;

export function createKitchenPresence(deps: { db: Db; logger: Logger; refreshMs?: number }) {
  const open = new Set<string>();
  let timer: NodeJS.Timeout | undefined;

  async function refresh(): Promise<void> {
    try {
      if (open.size > 0)
        await t(deps.db)
          .updateTable('kitchen_feed_presence')
          .set({ seen_at: sql<Date>`now()` })
          .where('id', 'in', [...open])
          .execute();
      await t(deps.db)
        .deleteFrom('kitchen_feed_presence')
        .where('seen_at', '<', sql<Date>`now() - make_interval(secs => ${FORGET_AFTER_MS / 1000})`)
        .execute();
    } catch (error) {
      // The database is away: the feeds' rows go stale, and staff are mailed meanwhile (the safe side).
      deps.logger.warn({ err: error }, 'kitchen feed presence not refreshed');
    }
  }

  return {
    /** Records an open kitchen feed of the store; the returned function records its end. */
    async opened(storeId: string): Promise<() => void> {
      const id = uuidv7();
      await t(deps.db).insertInto('kitchen_feed_presence').values({ id, store_id: storeId }).execute();
      open.add(id);
      if (!timer) {
        timer = setInterval(() => void refresh(), deps.refreshMs ?? REFRESH_MS);
        timer.unref();
      }
      return () => {
        if (!open.delete(id)) return;
        if (open.size === 0) {
          clearInterval(timer);
          timer = undefined;
        }
        t(deps.db)
          .deleteFrom('kitchen_feed_presence')
          .where('id', '=', id)
          .execute()
          .catch((error: unknown) => deps.logger.warn({ err: error }, 'kitchen feed presence not cleared'));
      };
    },

    /** Whether any process has a kitchen feed of the store open now. */
    async isOpen(ex: Kysely<PlatformTables>, storeId: string): Promise<boolean> {
      const row = await t(ex)
        .selectFrom('kitchen_feed_presence')
        .select('id')
        .where('store_id', '=', storeId)
        .where('seen_at', '>', sql<Date>`now() - make_interval(secs => ${FRESH_FOR_MS / 1000})`)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    stop(): void {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

export type KitchenPresence = ReturnType<typeof createKitchenPresence>;
