// How the relay learns there is work: LISTEN on a dedicated connection (appends NOTIFY on
// commit), reconnecting with backoff when it drops. Polling stays the fallback, so a missed
// notification or a listener that is reconnecting delays delivery by one poll at most.
import pg from 'pg';
import type { Logger } from 'pino';
import { LISTEN_STATEMENT } from './repo.js';
import { errorMessage } from '../observability/error-message.js';

export interface RelayWakeUp {
  /** Connects the listener; when it cannot, retries in the background (polling meanwhile). */
  listen(): Promise<void>;
  /** Ends the current wait now, or the next one before it starts. */
  wake(): void;
  /** Forgets wake-ups so far: the batch about to run sees the work they announced. */
  reset(): void;
  /** Waits `ms`, or less when woken or stopping. */
  idle(ms: number): Promise<void>;
  /** No more reconnects; a wait in progress ends now. */
  stop(): void;
  /** Closes the listener connection. */
  close(): Promise<void>;
}

export function createRelayWakeUp(options: {
  pool: pg.Pool;
  name: string;
  logger: Logger;
  /** The notification channel (default: the outbox's). The dispatch loops listen on their own. */
  channel?: string;
  /** Also called on every wake-up (a loop that waits on its own timer). */
  onWake?: () => void;
}): RelayWakeUp {
  const { pool, name, logger } = options;
  const listenStatement = options.channel === undefined ? LISTEN_STATEMENT : `LISTEN ${options.channel}`;
  let stopping = false;
  let wakeRequested = false;
  let wakeUp: (() => void) | null = null;
  function wake() {
    wakeRequested = true;
    wakeUp?.();
    options.onWake?.();
  }
  function idle(ms: number): Promise<void> {
    if (wakeRequested || stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });
  }

  let listener: pg.Client | null = null;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let reconnectDelayMs = 500;

  function scheduleListen() {
    if (stopping) return;
    reconnectTimer = setTimeout(() => void listen(), reconnectDelayMs);
    reconnectDelayMs = Math.min(reconnectDelayMs * 2, 30_000);
  }

  async function listen(): Promise<void> {
    if (stopping) return;
    const client = new pg.Client({
      ...pool.options,
      application_name: `${options.channel ?? 'outbox'}-listener:${name}`,
    });
    client.on('notification', wake);
    client.on('error', (error) =>
      logger.warn({ reason: error.message }, 'outbox listener connection failed; polling until it is back'),
    );
    client.on('end', () => {
      if (listener === client) listener = null;
      scheduleListen();
    });
    try {
      await client.connect();
      await client.query(listenStatement);
    } catch (error) {
      logger.warn({ reason: errorMessage(error) }, 'outbox listener could not connect; polling until it can');
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      scheduleListen();
      return;
    }
    if (stopping) {
      await client.end().catch(() => undefined);
      return;
    }
    listener = client;
    reconnectDelayMs = 500;
    // Notifications sent while we were not listening are gone; look for work now.
    wake();
  }

  return {
    listen,
    wake,
    reset() {
      wakeRequested = false;
    },
    idle,
    stop() {
      stopping = true;
      clearTimeout(reconnectTimer);
      wake();
    },
    async close() {
      const client = listener;
      listener = null;
      await client?.end().catch(() => undefined);
    },
  };
}
