import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';

interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  responses?: Record<string, unknown>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

let t: TestApp;
let doc: OpenApiDocument;
let operations: Array<{ name: string; operation: Operation }>;

beforeAll(async () => {
  t = await createTestApp();
  const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  doc = res.json<OpenApiDocument>();
  operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
  );
});
afterAll(async () => {
  await t?.close();
});

describe('OpenAPI document', () => {
  it('when /openapi.json is fetched, then it is an OpenAPI 3.1 document describing Brigade', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBe('Brigade API');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(operations.map((op) => op.name)).toEqual(expect.arrayContaining(['GET /health/live', 'GET /health/ready']));
  });

  it('when any operation is listed, then it has an operationId, a summary, tags and at least one response', () => {
    const incomplete = operations
      .filter(
        ({ operation }) =>
          !operation.operationId ||
          !operation.summary ||
          !operation.tags?.length ||
          Object.keys(operation.responses ?? {}).length === 0,
      )
      .map(({ name }) => name);
    expect(incomplete).toEqual([]);
  });

  it('when operationIds are collected, then no two operations share one', () => {
    const ids = operations.map(({ operation }) => operation.operationId);
    const duplicates = ids.filter((id, index) => ids.indexOf(id) !== index);
    expect(duplicates).toEqual([]);
  });

  it('when an operation uses a tag, then the tag is declared at the top of the document', () => {
    const declared = new Set(
      ((doc as unknown as { tags?: Array<{ name: string }> }).tags ?? []).map((tag) => tag.name),
    );
    const undeclared = [...new Set(operations.flatMap(({ operation }) => operation.tags ?? []))].filter(
      (tag) => !declared.has(tag),
    );
    expect(undeclared).toEqual([]);
  });

  it('when operational endpoints exist, then the hidden ones stay out of the document', () => {
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
    expect(Object.keys(doc.paths)).not.toContain('/openapi.json');
    expect(Object.keys(doc.paths).some((path) => path.startsWith('/docs'))).toBe(false);
  });

  it('when the shared Problem schema is referenced, then it is published under components', () => {
    const text = JSON.stringify(doc);
    if (text.includes('#/components/schemas/Problem')) expect(doc.components?.schemas).toHaveProperty('Problem');
    expect(text).not.toContain('"$ref":"Problem"');
  });
});

describe('OpenAPI bounds (ADR 0021)', () => {
  /** Every schema node reachable from `node`, with its JSON path. */
  function* schemaNodes(node: unknown, path: string): Generator<[string, Record<string, unknown>]> {
    if (Array.isArray(node)) {
      for (const [index, child] of node.entries()) yield* schemaNodes(child, `${path}/${index}`);
    } else if (typeof node === 'object' && node !== null) {
      yield [path, node as Record<string, unknown>];
      for (const [key, child] of Object.entries(node)) yield* schemaNodes(child, `${path}/${key}`);
    }
  }
  const typed = (node: Record<string, unknown>, type: string) =>
    node.type === type || (Array.isArray(node.type) && node.type.includes(type));

  it('when a request body or parameter takes an integer, a string or an array, then it is bounded', () => {
    const unbounded: string[] = [];
    for (const { name, operation } of operations) {
      const request = operation as Operation & { parameters?: unknown; requestBody?: unknown };
      for (const [path, node] of schemaNodes({ parameters: request.parameters, body: request.requestBody }, name)) {
        if (typed(node, 'integer') && (node.minimum === undefined || node.maximum === undefined || !node.format))
          unbounded.push(`${path} (integer)`);
        if (typed(node, 'string') && node.maxLength === undefined && !node.enum && node.const === undefined)
          unbounded.push(`${path} (string)`);
        if (typed(node, 'array') && node.maxItems === undefined) unbounded.push(`${path} (array)`);
      }
    }
    expect(unbounded).toEqual([]);
  });

  it('when an operation is listed, then it documents 500, and 401 unless it is public', () => {
    const missing = operations
      .filter(({ operation }) => {
        const security = (operation as { security?: Array<Record<string, unknown>> }).security ?? [];
        const isPublic = security.some((requirement) => Object.keys(requirement).length === 0);
        return !operation.responses?.['500'] || (!isPublic && !operation.responses['401']);
      })
      .map(({ name }) => name);
    expect(missing).toEqual([]);
  });

  it('when an operation is rate limited, then its responses document the RateLimit and X-RateLimit headers', () => {
    const undocumented = operations.flatMap(({ name, operation }) => {
      const responses = (operation.responses ?? {}) as Record<string, { headers?: Record<string, unknown> }>;
      if (!('429' in responses)) return [];
      return Object.entries(responses)
        .filter(([status]) => /^[24]/.test(status))
        .filter(([, answer]) => !answer.headers?.RateLimit || !answer.headers['X-RateLimit-Limit'])
        .map(([status]) => `${name} ${status}`);
    });
    expect(undocumented).toEqual([]);
  });
});

describe('API reference', () => {
  it('when /docs is opened, then it serves an HTML page', async () => {
    let res = await t.app.inject({ method: 'GET', url: '/docs' });
    if (res.statusCode >= 300 && res.statusCode < 400)
      res = await t.app.inject({ method: 'GET', url: String(res.headers.location) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body.toLowerCase()).toContain('<html');
    expect(res.body).toContain('/openapi.json');
  });
});
