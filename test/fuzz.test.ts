// Every operation of the served OpenAPI document, called a few thousand times with inputs
// generated from its own schemas (mostly fitting, sometimes hostile), as an anonymous caller, the
// demo customer and the demo owner, on the demo data: no answer is a 5xx, and every error is a
// well-formed RFC 9457 problem whose `status` is the HTTP status. A fixed seed keeps the run the
// same every time; a failure lists every offending request so it can be replayed by hand.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoIfEmpty } from '../src/demo/seed.js';
import { createTestApp, type TestApp } from '../src/test-support/harness.js';
import { bearer, signIn } from '../src/test-support/identity-factories.js';
import { arbitraryFor, HOSTILE_STRINGS, type JsonSchema } from '../src/test-support/schema-arbitrary.js';

const SEED = 20_261_207;
const RUNS_PER_OPERATION_AND_CALLER = 10;
const CALLERS = ['anonymous', 'customer', 'owner'] as const;
type Caller = (typeof CALLERS)[number];

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: JsonSchema;
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body: JsonSchema | null;
  streams: boolean;
}
interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: unknown;
}

let t: TestApp;
let doc: { paths: Record<string, Record<string, Record<string, unknown>>> } & Record<string, unknown>;
const known = new Map<string, string[]>();
const tokens = new Map<Caller, string>();
const credentials = {
  customer: { email: 'customer@demo.brigade.test', password: 'demo-password' },
  owner: { email: 'owner@demo.brigade.test', password: 'demo-password' },
};

function remember(name: string, ...values: string[]) {
  known.set(name, [...new Set([...(known.get(name) ?? []), ...values])]);
}

beforeAll(async () => {
  // Limits high enough that the fuzzer measures answers, not its own rate limit.
  t = await createTestApp(
    { RATE_LIMIT_ANONYMOUS: '100000/60', RATE_LIMIT_USER: '100000/60', RATE_LIMIT_AUTH: '100000/60' },
    { sandbox: true },
  );
  await seedDemoIfEmpty(t.db.database.db, t.modules);
  doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  for (const caller of ['customer', 'owner'] as const) tokens.set(caller, await signIn(t, credentials[caller]));

  const stores = (await t.app.inject({ method: 'GET', url: '/v1/stores?org=demo-pizzeria' })).json().data as Array<{
    id: string;
    organization_id: string;
    timezone: string;
  }>;
  // Brooklyn never closes, so an order placed there is accepted at any hour.
  const brooklyn = stores.find((store) => store.timezone === 'America/New_York')!.id;
  remember('storeId', ...stores.map((store) => store.id));
  remember('store_id', ...stores.map((store) => store.id));
  remember('orgId', ...stores.map((store) => store.organization_id));
  remember('organizationId', ...stores.map((store) => store.organization_id));
  const menu = (await t.app.inject({ method: 'GET', url: `/v1/stores/${brooklyn}/menu?channel=pickup` })).json();
  const items = menu.menus.flatMap((section: { categories: Array<{ items: Array<{ id: string }> }> }) =>
    section.categories.flatMap((category) => category.items),
  ) as Array<{ id: string; name: string; variants: Array<{ id: string }> }>;
  remember('itemId', ...items.map((item) => item.id));
  remember('item_id', ...items.map((item) => item.id));
  remember('variant_id', ...items.flatMap((item) => item.variants.map((variant) => variant.id)));
  const placed = await t.app.inject({
    method: 'POST',
    url: `/v1/stores/${brooklyn}/orders`,
    headers: { ...bearer(tokens.get('customer')!), 'idempotency-key': 'fuzz-seed-order' },
    payload: { channel: 'pickup', lines: [{ item_id: items.find((item) => item.name === 'Cola')!.id, quantity: 1 }] },
  });
  expect(placed.statusCode, placed.body).toBe(201);
  remember('orderId', placed.json<{ id: string }>().id);
});

afterAll(async () => {
  await t?.close();
});

function resolve(ref: string): JsonSchema {
  let node: unknown = doc;
  for (const part of ref.replace(/^#\//, '').split('/')) node = (node as Record<string, unknown>)[part];
  return (node ?? {}) as JsonSchema;
}

function operations(): Operation[] {
  const found: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const content = (op.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)?.content;
      const responses = (op.responses ?? {}) as Record<string, { content?: Record<string, unknown> }>;
      found.push({
        method: method.toUpperCase(),
        path,
        parameters: ((op.parameters ?? []) as Parameter[]).filter((parameter) => parameter.in !== 'header'),
        body: content?.['application/json']?.schema ?? null,
        // An event stream never ends, so inject would wait for ever on a successful one.
        streams: Object.values(responses).some((response) => 'text/event-stream' in (response.content ?? {})),
      });
    }
  }
  return found;
}

/** A path segment; percent-encodings and lone surrogates go in raw, as an attacker sends them. */
function inPath(value: string): string {
  if (value.startsWith('%')) return value;
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}

function callsFor(operation: Operation, caller: Caller, seed: number): Call[] {
  const ctx = { resolve, known: (name: string) => known.get(name) ?? [] };
  const pathParams = operation.parameters.filter((parameter) => parameter.in === 'path');
  const queryParams = operation.parameters.filter((parameter) => parameter.in === 'query');
  const pathValue = (parameter: Parameter) =>
    fc.oneof(
      { weight: 8, arbitrary: arbitraryFor(parameter.schema, ctx, parameter.name, 0, 0).map(String) },
      { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_STRINGS).filter((value) => value !== '') },
    );
  const call = fc.record({
    path: fc.tuple(...pathParams.map(pathValue)),
    query: fc.tuple(
      ...queryParams.map((parameter) =>
        fc.option(arbitraryFor(parameter.schema, ctx, parameter.name), { nil: undefined, freq: 3 }),
      ),
    ),
    // Half the bodies fit their schema throughout, to get past validation into the services.
    body:
      operation.body === null
        ? fc.constant(undefined)
        : fc.oneof(arbitraryFor(operation.body, ctx, '', 0, 0), arbitraryFor(operation.body, ctx)),
    idempotencyKey: fc.option(fc.string({ minLength: 1, maxLength: 40, unit: 'binary-ascii' }), { freq: 5 }),
    ifMatch: fc.option(fc.constantFrom('"1"', '"2"', 'W/"x"', '*'), { freq: 2 }),
  });
  return fc.sample(call, { seed, numRuns: RUNS_PER_OPERATION_AND_CALLER }).map((drawn) => {
    let url = operation.path;
    pathParams.forEach((parameter, index) => {
      url = url.replace(`{${parameter.name}}`, inPath(drawn.path[index]!));
    });
    const query = new URLSearchParams();
    queryParams.forEach((parameter, index) => {
      const value = drawn.query[index];
      if (value !== undefined) query.append(parameter.name, typeof value === 'string' ? value : JSON.stringify(value));
    });
    const headers: Record<string, string> = {};
    const token = tokens.get(caller);
    if (token) headers.authorization = `Bearer ${token}`;
    if (drawn.idempotencyKey !== null) headers['idempotency-key'] = drawn.idempotencyKey;
    if (drawn.ifMatch !== null) headers['if-match'] = drawn.ifMatch;
    const search = query.toString();
    return {
      method: operation.method,
      url: search === '' ? url : `${url}?${search}`,
      headers,
      ...(drawn.body === undefined ? {} : { payload: drawn.body }),
    };
  });
}

/**
 * What is wrong with an answer, or null when it keeps the promise. GraphQL answers its errors in
 * GraphQL's own format (`{data, errors}`), which its clients read; it must still never be a 5xx.
 */
function defect(path: string, status: number, headers: Record<string, unknown>, body: string): string | null {
  if (status >= 500) return `answered ${status}: ${body.slice(0, 300)}`;
  if (status < 400) return null;
  if (path === '/graphql')
    return Array.isArray((JSON.parse(body) as { errors?: unknown }).errors) ? null : 'GraphQL error without errors';
  if (!String(headers['content-type']).startsWith('application/problem+json'))
    return `error ${status} as ${String(headers['content-type'])}: ${body.slice(0, 200)}`;
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return `error ${status} is not JSON: ${body.slice(0, 200)}`;
  }
  if (problem.status !== status) return `problem status ${String(problem.status)} on an HTTP ${status}`;
  if (typeof problem.code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(problem.code))
    return 'problem without a stable code';
  if (typeof problem.title !== 'string' || typeof problem.type !== 'string') return 'problem without type or title';
  if (problem.request_id !== headers['x-request-id']) return 'problem request_id differs from X-Request-Id';
  return null;
}

describe('fuzzing every operation of /openapi.json', () => {
  it('when every operation is called with generated and hostile input by three callers, then nothing answers 5xx and every error is a problem', async () => {
    const failures: string[] = [];
    let sent = 0;
    let accepted = 0;
    const ops = operations();
    expect(ops.length).toBeGreaterThan(50);
    for (const [index, operation] of ops.entries()) {
      for (const [callerIndex, caller] of CALLERS.entries()) {
        for (const call of callsFor(operation, caller, SEED + index * 7 + callerIndex)) {
          // A stream that would open stays closed: only its refusals are fuzzed.
          if (operation.streams && caller !== 'anonymous') continue;
          const res = await t.app.inject({
            method: call.method as 'GET',
            url: call.url,
            headers: call.headers,
            payload: call.payload as string,
          });
          sent += 1;
          if (res.statusCode < 300) accepted += 1;
          const wrong = defect(operation.path, res.statusCode, res.headers, res.body);
          if (wrong !== null)
            failures.push(
              `${caller} ${call.method} ${call.url} ${JSON.stringify(call.payload ?? null).slice(0, 300)} → ${wrong}`,
            );
          // A caller signed out by its own fuzzed request (logout, erasure) signs in again.
          if (res.statusCode === 401 && caller !== 'anonymous') {
            const again = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: credentials[caller] });
            if (again.statusCode === 200) tokens.set(caller, again.json<{ access_token: string }>().access_token);
          }
        }
      }
    }
    expect(failures.slice(0, 40)).toEqual([]);
    expect(sent).toBeGreaterThan(2_000);
    // The inputs reach the services, not only the validator (about 450 of 3,200 succeed).
    expect(accepted).toBeGreaterThan(sent / 10);
  }, 600_000);
});
