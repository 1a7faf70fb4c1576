// Retention: entries older than AUDIT_RETENTION_DAYS go, in bounded chunks (each chunk its own
// statement through purge_audit_log(), the only delete the table's trigger lets through).
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { JobDefinition } from '../jobs/queue.js';
import { auditRepo } from './repo.js';

const DAY_MS = 24 * 3600 * 1000;

/** Deletes every entry older than `retentionDays` before `now`; returns how many went. */
export async function purgeAuditLog(
  db: Db,
  options: { retentionDays: number; now?: Date; chunk?: number },
): Promise<number> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.retentionDays * DAY_MS);
  const chunk = options.chunk ?? 5000;
  let total = 0;
  for (;;) {
    const deleted = await auditRepo.purgeOlderThan(db, cutoff, chunk);
    total += deleted;
    if (deleted < chunk) return total;
  }
}

export function auditJobs(options: { db: Db; retentionDays: number; logger: Pick<Logger, 'info'> }): JobDefinition[] {
  return [
    {
      name: 'platform.purge-audit-log',
      policy: 'singleton',
      cron: '41 * * * *',
      async handler() {
        const deleted = await purgeAuditLog(options.db, { retentionDays: options.retentionDays });
        if (deleted > 0) options.logger.info({ deleted }, 'audit log entries past retention purged');
      },
    },
  ];
}
