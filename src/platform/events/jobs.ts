// Scheduled work around the outbox, as pg-boss job definitions for the worker role: a lag check
// that logs and exports the gauges, and retention of delivered events.
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { JobDefinition } from '../jobs/queue.js';
import type { OutboxMetrics } from './metrics.js';
import { checkOutboxLag, purgeDeliveredEvents } from './outbox.js';

export interface OutboxJobOptions {
  db: Db;
  metrics: OutboxMetrics;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Above this age of the oldest waiting event the check logs a warning. Default 60 s. */
  warnAfterSeconds?: number;
  /** Delivered events (and their processed records) are kept this long. Default 7 days. */
  retentionDays?: number;
}

export function outboxJobs(options: OutboxJobOptions): JobDefinition[] {
  const warnAfterSeconds = options.warnAfterSeconds ?? 60;
  const retentionMs = (options.retentionDays ?? 7) * 24 * 3600 * 1000;
  return [
    {
      name: 'events.check-outbox-lag',
      policy: 'singleton',
      cron: '* * * * *',
      retryLimit: 0,
      async handler() {
        const lag = await checkOutboxLag(options.db);
        options.metrics.recordLag(lag);
        const behind = lag.oldestPendingSeconds > warnAfterSeconds || lag.dead > 0;
        options.logger[behind ? 'warn' : 'info'](
          { outbox: lag },
          behind ? 'outbox behind: events wait for delivery' : 'outbox lag',
        );
      },
    },
    {
      name: 'events.purge-delivered-events',
      policy: 'singleton',
      cron: '17 * * * *',
      async handler() {
        const cutoff = new Date(Date.now() - retentionMs);
        // Bounded chunks, each its own statement, so no run holds long locks or a huge transaction.
        let total = 0;
        for (;;) {
          const deleted = await purgeDeliveredEvents(options.db, cutoff);
          total += deleted;
          if (deleted === 0 || total >= 1_000_000) break;
        }
        if (total > 0) options.logger.info({ deleted: total }, 'delivered events purged');
      },
    },
  ];
}
