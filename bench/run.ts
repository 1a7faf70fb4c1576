// Load scenarios with same-run baselines. Usage: npm run bench [-- --duration 10] [-- --only <text>]
// Starts bench/server.ts in a child process, drives it with autocannon from this one, prints a
// table and rewrites bench/RESULTS.md. Loopback only; every run is bounded in time.
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import { describeLookup, measureZoneLookup } from './zones.js';

// The machine may be shared: its load when the run starts goes into the report.
const loadAtStart = os.loadavg()[0]!;
const duration = Number(process.argv[process.argv.indexOf('--duration') + 1]) || 10;
const connections = 20;
// `--only <text>`: run just the scenarios whose name contains it; the table is printed, and
// bench/RESULTS.md (the report of a full run) is left as it is.
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

const server = fork(new URL('./server.ts', import.meta.url).pathname, [], {
  execArgv: ['--import', 'tsx'],
  stdio: 'inherit',
});
interface Ready {
  brigade: string;
  bare: string;
  /** The bench brand's always-open stores and a valid order body (see server.ts). */
  ordering: { storeId: string; baselineStoreId: string; body: unknown };
  /** A store with 100,000 reviews, and the cursor of its 50th page of 20. */
  reviews: { storeId: string; page50Cursor: string };
  /** The bench brand's loyalty program: its members and ledger entries (bench/loyalty.ts). */
  loyalty: { organizationId: string; members: number; entries: number };
  /** The same 2-line basket at a brand with no promotions and at one with 50 live automatic ones. */
  quotes: {
    plain: { storeId: string; body: unknown };
    promoted: { storeId: string; body: unknown; promotions: number };
  };
}
const urls = await new Promise<Ready>((resolve, reject) => {
  server.once('message', (message) => resolve(message as Ready));
  server.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
});
/** Asks the server something over IPC and waits for the answer carrying `field`. */
const ask = <T>(message: string, field: string) =>
  new Promise<T>((resolve) => {
    const listener = (answer: unknown) => {
      if (answer && typeof answer === 'object' && field in answer) {
        server.off('message', listener);
        resolve((answer as Record<string, T>)[field]!);
      }
    };
    server.on('message', listener);
    server.send(message);
  });

const login = await fetch(`${urls.brigade}/v1/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: 'owner@demo.brigade.test', password: 'demo-password' }),
});
const { access_token: token } = (await login.json()) as { access_token: string };
const customerLogin = await fetch(`${urls.brigade}/v1/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: 'customer@demo.brigade.test', password: 'demo-password' }),
});
const { access_token: customerToken } = (await customerLogin.json()) as { access_token: string };
const stores = (await (await fetch(`${urls.brigade}/v1/stores?org=demo-pizzeria`)).json()) as {
  data: Array<{ id: string }>;
};
const storeId = stores.data[0]!.id;

interface Scenario {
  name: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Only this status counts as success (anything else is an error); default: any 2xx. */
  success?: number;
  /** Sample PostgreSQL lock waits while it runs. */
  sampleLocks?: boolean;
  baselineOf?: string;
  /** Connections for this scenario (default: the run's). */
  connections?: number;
}

// Placement: a signed-in customer, a fresh Idempotency-Key per request (autocannon replaces
// [<id>] in every request it sends), the same two-line pickup basket. Only 201 counts.
const orderBody = JSON.stringify(urls.ordering.body);
const placing = (key: string) => ({
  method: 'POST' as const,
  headers: { 'content-type': 'application/json', 'idempotency-key': `${key}-[<id>]` },
  body: orderBody,
  success: 201,
  sampleLocks: true,
});

const scenarios: Scenario[] = [
  { name: 'baseline: bare Fastify, static JSON', url: `${urls.bare}/hello` },
  { name: 'GET /health/live', url: `${urls.brigade}/health/live`, baselineOf: 'baseline: bare Fastify, static JSON' },
  { name: 'baseline: bare Fastify + pg, store by id', url: `${urls.bare}/stores/${storeId}` },
  {
    name: 'GET /v1/stores/{id}',
    url: `${urls.brigade}/v1/stores/${storeId}`,
    baselineOf: 'baseline: bare Fastify + pg, store by id',
  },
  { name: 'GET /v1/stores?org=', url: `${urls.brigade}/v1/stores?org=demo-pizzeria` },
  {
    name: 'GET /v1/me (JWT + session lookup)',
    url: `${urls.brigade}/v1/me`,
    headers: { authorization: `Bearer ${token}` },
  },
  { name: 'baseline: bare Fastify, same menu bytes', url: `${urls.bare}/replay/menu` },
  {
    name: 'GET /v1/stores/{id}/menu (warm)',
    url: `${urls.brigade}/v1/stores/${storeId}/menu?channel=pickup`,
    baselineOf: 'baseline: bare Fastify, same menu bytes',
  },
  { name: 'baseline: bare Fastify, same search bytes', url: `${urls.bare}/replay/search` },
  {
    name: 'GET /v1/stores/{id}/menu/search?q=margarita',
    url: `${urls.brigade}/v1/stores/${storeId}/menu/search?q=margarita`,
    baselineOf: 'baseline: bare Fastify, same search bytes',
  },
  {
    name: 'baseline: pg alone, same order inserts',
    url: `${urls.bare}/orders/${urls.ordering.baselineStoreId}`,
    ...placing('baseline'),
  },
  {
    name: 'POST /v1/stores/{id}/orders (2 lines)',
    url: `${urls.brigade}/v1/stores/${urls.ordering.storeId}/orders`,
    ...placing('brigade'),
    headers: { ...placing('brigade').headers, authorization: `Bearer ${customerToken}` },
    baselineOf: 'baseline: pg alone, same order inserts',
  },
  // Reviews: a store with 100,000 reviews, its first page and its 50th (keyset: the same cost), c=50.
  {
    name: 'GET /v1/stores/{id}/reviews, 100k reviews, page 1 (c=50)',
    url: `${urls.brigade}/v1/stores/${urls.reviews.storeId}/reviews`,
    connections: 50,
  },
  {
    name: 'GET /v1/stores/{id}/reviews, 100k reviews, page 1 (c=1)',
    url: `${urls.brigade}/v1/stores/${urls.reviews.storeId}/reviews`,
    connections: 1,
  },
  {
    name: 'GET /v1/stores/{id}/reviews, 100k reviews, page 50 (c=50)',
    url: `${urls.brigade}/v1/stores/${urls.reviews.storeId}/reviews?cursor=${urls.reviews.page50Cursor}`,
    connections: 50,
  },
  // Quotes (issue 13): the same basket, anonymous, at a brand without promotions and at one with
  // 50 live automatic promotions (3 apply, 47 are evaluated and lose); target >= 80%.
  {
    name: 'POST /v1/stores/{id}/quotes, 0 promotions',
    url: `${urls.brigade}/v1/stores/${urls.quotes.plain.storeId}/quotes`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(urls.quotes.plain.body),
  },
  {
    name: `POST /v1/stores/{id}/quotes, ${urls.quotes.promoted.promotions} promotions (3 apply)`,
    url: `${urls.brigade}/v1/stores/${urls.quotes.promoted.storeId}/quotes`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(urls.quotes.promoted.body),
    baselineOf: 'POST /v1/stores/{id}/quotes, 0 promotions',
  },
  // Loyalty (issue 14): the liability report over 100,000 members and 2,000,000 entries, as the
  // brand's owner; target under a second. One connection for the latency of one report, then ten.
  ...[1, 10].map((c) => ({
    name: `GET /v1/organizations/{id}/loyalty/liability, ${urls.loyalty.members / 1000}k members, ${urls.loyalty.entries / 1_000_000}M entries (c=${c})`,
    url: `${urls.brigade}/v1/organizations/${urls.loyalty.organizationId}/loyalty/liability`,
    headers: { authorization: `Bearer ${token}` },
    success: 200,
    connections: c,
  })),
];

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  baselineOf?: string;
  /** Responses by status code, and lock waits seen, for the scenarios that ask. */
  statuses?: Record<string, number>;
  locks?: { samples: number; waits: Record<string, number> };
}

const rows: Row[] = [];
async function runScenario(scenario: Scenario): Promise<void> {
  const options = {
    url: scenario.url,
    method: scenario.method ?? 'GET',
    headers: scenario.headers,
    body: scenario.body,
    idReplacement: scenario.body !== undefined,
    connections: scenario.connections ?? connections,
  };
  // Short warm-up so JIT and pools are hot before measuring.
  await autocannon({ ...options, duration: 1 });
  if (scenario.sampleLocks) await ask('sample-locks', 'sampling');
  const result = await autocannon({ ...options, duration });
  const locks = scenario.sampleLocks
    ? await ask<{ samples: number; waits: Record<string, number> }>('report-locks', 'locks')
    : undefined;
  const statuses = Object.fromEntries(
    Object.entries((result as unknown as { statusCodeStats: Record<string, { count: number }> }).statusCodeStats).map(
      ([code, stats]) => [code, stats.count],
    ),
  );
  const failed =
    scenario.success === undefined
      ? result.non2xx
      : Object.entries(statuses).reduce(
          (sum, [code, count]) => sum + (Number(code) === scenario.success ? 0 : count),
          0,
        );
  rows.push({
    name: scenario.name,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + failed,
    baselineOf: scenario.baselineOf,
    statuses: scenario.success === undefined ? undefined : statuses,
    locks,
  });
  const extra =
    scenario.success === undefined
      ? ''
      : `, statuses ${JSON.stringify(statuses)}, errors ${result.errors}, timeouts ${result.timeouts}`;
  const waits = locks ? `, db sessions ${JSON.stringify(locks.waits)} over ${locks.samples} samples` : '';
  process.stdout.write(
    `${scenario.name}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms${extra}${waits}\n`,
  );
}
const wanted = (scenario: Scenario) => only === undefined || scenario.name.includes(only);
for (const scenario of scenarios.filter(wanted)) await runScenario(scenario);

// Webhooks (issue 17), last: the server starts the worker's relay and senders, placement runs
// again with them and no endpoint, then 1,000 order events go to 10 endpoints on a local
// receiver, then placement runs once more with the 10 endpoints subscribed (every order then
// makes 10 messages, fanned out and sent by the same process).
const placementName = 'POST /v1/stores/{id}/orders (2 lines)';
const placement = scenarios.find((scenario) => scenario.name === placementName)!;
let fanOut: import('./webhooks.js').FanOutResult | null = null;
if (only === undefined || 'webhooks'.includes(only) || only.includes('webhooks')) {
  await ask('start-worker', 'worker');
  const withRelay = `${placementName}, worker running, 0 webhook endpoints`;
  await runScenario({
    ...placement,
    name: withRelay,
    ...placing('relay'),
    headers: { ...placing('relay').headers, authorization: `Bearer ${customerToken}` },
    baselineOf: undefined,
  });
  fanOut = await ask<import('./webhooks.js').FanOutResult>('webhook-fan-out', 'fanOut');
  process.stdout.write(`webhook fan-out: ${JSON.stringify(fanOut)}\n`);
  await runScenario({
    ...placement,
    name: `${placementName}, worker running, 10 webhook endpoints`,
    ...placing('hooks'),
    headers: { ...placing('hooks').headers, authorization: `Bearer ${customerToken}` },
    baselineOf: withRelay,
  });
}

server.send('stop');

const table = [
  '| scenario | req/s | p50 ms | p99 ms | errors | vs baseline |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((row) => {
    const baseline = rows.find((other) => other.name === row.baselineOf);
    const ratio = baseline ? `${Math.round((row.rps / baseline.rps) * 100)}%` : '';
    return `| ${row.name} | ${row.rps} | ${row.p50} | ${row.p99} | ${row.errors} | ${ratio} |`;
  }),
].join('\n');

// Per placement scenario: what came back, and what the PostgreSQL sessions were doing (sampled
// every 50 ms; "Lock:transactionid 3.2" = on average 3.2 sessions waiting for another's row lock).
const details = rows
  .filter((row) => row.statuses)
  .map((row) => {
    const statuses = Object.entries(row.statuses!)
      .map(([code, count]) => `${count} × ${code}`)
      .join(', ');
    const sessions =
      row.locks && row.locks.samples > 0
        ? Object.entries(row.locks.waits)
            .filter(([, count]) => count / row.locks!.samples >= 0.05)
            .sort((a, b) => b[1] - a[1])
            .map(([wait, count]) => `${wait} ${(count / row.locks!.samples).toFixed(1)}`)
            .join(', ') || 'none busy'
        : 'not sampled';
    return `- ${row.name}: ${statuses}. Busy database sessions, average per sample: ${sessions} (${row.locks?.samples ?? 0} samples).`;
  })
  .join('\n');

// Pure CPU, measured here (the load generator's process) after the HTTP scenarios.
const zoneLookups = [100, 500].map((count) => describeLookup(measureZoneLookup(count)));

const report = `# Benchmark results

Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}.
autocannon, ${connections} connections, ${duration} s per scenario after a 1 s warm-up, load generator and
servers on the same machine (loopback), PostgreSQL ${process.env.DATABASE_URL ? 'from DATABASE_URL' : 'embedded'}; 1-minute load average
when the run started: ${loadAtStart.toFixed(1)} (numbers from a busy machine are lower across the board).
Baselines run in the same process and the same run as Brigade, so the ratio is what Brigade's
machinery costs (routing, validation, auth, rate limits, idempotency hooks, problem handling,
metrics, logging). Where the time goes: [NOTES.md](NOTES.md).

${table}

Order placement counts only 201 as success (every request carries a new Idempotency-Key, so a
200 would be a replay, not a placement). Responses, and what the database sessions were doing
during the run (pg_stat_activity every 50 ms: \`Lock:…\` waiting for a lock another transaction
holds, \`IO:…\`/\`LWLock:…\` e.g. the WAL flush of a commit, \`idle in transaction\` a transaction
held open while Node works, \`Client:ClientRead\` waiting for Node's next statement):

${details}
${
  fanOut
    ? `
Webhooks: ${fanOut.events} \`order.placed\` events appended at once, fanned out by the outbox relay to
${fanOut.endpoints} endpoints on a local receiver and sent by the webhooks' loop in the same process:
${fanOut.delivered} messages delivered in ${fanOut.seconds} s (${fanOut.perSecond} messages/s); delay from
the event's time to its arrival p50 ${fanOut.delayP50Ms} ms, p99 ${fanOut.delayP99Ms} ms (a burst: the p99 is the
tail of the backlog). The two placement rows "worker running" compare placement with the relay and
senders running and no endpoint, against the same with ten endpoints taking every order.
`
    : ''
}
Delivery zone lookup (bench/zones.ts, in process, one address against every zone of a store:
circles and 24-vertex polygons; the target is under 1 ms at p99 with 500 zones):
${zoneLookups.map((line) => `- ${line}`).join('\n')}
`;
if (only === undefined) writeFileSync(new URL('./RESULTS.md', import.meta.url), report);
process.stdout.write(`\n${table}\n`);
