// The webhook scenario (issue 17): a local receiver, ten endpoints of the bench brand taking
// order.placed, and 1,000 order events appended to the outbox at once. The worker's parts run in
// this process — the outbox relay (which fans each event out to ten messages) and the webhooks'
// sending loop — and the receiver counts what arrives: messages per second until all 10,000
// are in, and each one's delay from its event's time. The parent then places orders again with
// the ten endpoints subscribed, against the same placement with the relay running and none.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import type { Config } from '../src/config/index.js';
import { createModules, createDomainEvents, moduleLoops } from '../src/modules.js';
import type { AccessTokenIssuer } from '../src/platform/auth/tokens.js';
import { inTransaction, type Database } from '../src/platform/db/index.js';
import { startOutboxWorker } from '../src/platform/events/index.js';
import { waitFor } from '../src/test-support/wait.js';

export interface FanOutResult {
  events: number;
  endpoints: number;
  delivered: number;
  seconds: number;
  perSecond: number;
  delayP50Ms: number;
  delayP99Ms: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

export async function startWebhookBench(deps: {
  config: Config;
  database: Database;
  tokens: AccessTokenIssuer;
  logger: Logger;
  organizationId: string;
}) {
  const delays: number[] = [];
  const receiver = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { timestamp, data } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        timestamp: string;
        data: { number: string };
      };
      // Only the scenario's own events (numbered B-…), not the placement scenarios' orders.
      if (data.number.startsWith('B-')) delays.push(Date.now() - Date.parse(timestamp));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

  const config: Config = { ...deps.config, webhooks: { ...deps.config.webhooks, allowedNetworks: ['127.0.0.0/8'] } };
  const events = createDomainEvents();
  const modules = createModules({
    config,
    db: deps.database.db,
    pool: deps.database.pool,
    tokens: deps.tokens,
    logger: deps.logger,
    events,
  });
  const relay = startOutboxWorker({ config, database: deps.database, subscribers: events.bus, logger: deps.logger });
  await relay.ready;
  const loops = moduleLoops(modules);
  for (const loop of loops) loop.start();

  const outboxDrained = () =>
    waitFor(
      'the outbox relay to catch up',
      async () => {
        const { rows } = await deps.database.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM outbox WHERE state = 'pending'`,
        );
        return rows[0]!.n === 0;
      },
      600_000,
      100,
    );

  return {
    /** Resolves once the relay has caught up with what the earlier scenarios appended. */
    settled: outboxDrained,

    async fanOut(eventCount = 1000, endpointCount = 10): Promise<FanOutResult> {
      await inTransaction(deps.database.db, async (trx) => {
        for (let i = 0; i < endpointCount; i++)
          await modules.webhooks.api.seedEndpoint(trx, {
            organizationId: deps.organizationId,
            url: receiverUrl,
            eventTypes: ['order.placed'],
            description: `bench receiver ${i + 1}`,
          });
      });
      delays.length = 0;
      const started = Date.now();
      for (let batch = 0; batch < eventCount / 100; batch++)
        await inTransaction(deps.database.db, async (trx) => {
          for (let i = 0; i < 100; i++) {
            const orderId = uuidv7();
            await events.appender.append(trx, {
              type: 'ordering.order.placed',
              aggregate: { type: 'order', id: orderId },
              data: {
                order_id: orderId,
                organization_id: deps.organizationId,
                store_id: uuidv7(),
                number: `B-${batch * 100 + i}`,
                channel: 'pickup',
                status: 'placed',
                customer_id: null,
                total: 1250,
                currency: 'EUR',
                promised_at: new Date().toISOString(),
                payment_method: 'cash',
              },
            });
          }
        });
      const expected = eventCount * endpointCount;
      await waitFor('every message at the receiver', () => delays.length >= expected, 120_000, 20).catch(
        () => undefined,
      );
      const seconds = (Date.now() - started) / 1000;
      const sorted = [...delays].sort((a, b) => a - b);
      return {
        events: eventCount,
        endpoints: endpointCount,
        delivered: delays.length,
        seconds: Math.round(seconds * 10) / 10,
        perSecond: Math.round(delays.length / seconds),
        delayP50Ms: percentile(sorted, 0.5),
        delayP99Ms: percentile(sorted, 0.99),
      };
    },

    async stop() {
      for (const loop of loops) await loop.stop();
      await relay.stop();
      await modules.catalog.close();
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    },
  };
}
