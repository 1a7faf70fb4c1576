// fast-check arbitraries from the JSON Schemas of the served OpenAPI document: values that
// mostly fit the schema (so requests get past validation and reach the services, where the
// 500s hide) and sometimes are hostile (wrong types, edge numbers, NUL, huge strings), for the
// fuzz test. Only the JSON Schema the API's own schemas use is understood; anything else is
// generated as an arbitrary JSON value, which is a fair input too.
import fc, { type Arbitrary } from 'fast-check';

export type JsonSchema = Record<string, unknown>;

export const HOSTILE_STRINGS = [
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  'x'.repeat(5000),
  "' OR 1=1 --",
  '"; DROP TABLE orders; --',
  '../../../../etc/passwd',
  '%00',
  '%E0%A4%A',
  '\ud800',
  '🍕'.repeat(50),
  '<script>alert(1)</script>',
  '9007199254740993',
  '-1',
  '1e20',
  'null',
  '00000000-0000-0000-0000-000000000000',
  '2026-13-45T25:61:00Z',
];

export const HOSTILE_NUMBERS = [
  -1,
  0,
  1,
  -2_147_483_649,
  2_147_483_648,
  1e20,
  -1e20,
  // 2^53 + 1 is not a double: JSON carries it as written and the parser rounds it to 2^53.
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  0.5,
  1e-9,
];

const hostileValue: Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.constantFrom(...HOSTILE_NUMBERS),
  fc.constantFrom(null, true, false, [], {}, [null], { '': null }),
  fc.jsonValue({ maxDepth: 2 }),
);

export interface ArbitraryContext {
  /** Resolves a `$ref` of the document. */
  resolve(ref: string): JsonSchema;
  /** Known-good values for a field name (ids that exist), tried often for uuid-shaped fields. */
  known(name: string): string[];
}

function stringFor(schema: JsonSchema, name: string, ctx: ArbitraryContext): Arbitrary<string> {
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = Math.min(typeof schema.maxLength === 'number' ? schema.maxLength : 40, 60);
  const known = ctx.known(name);
  const knownArb = known.length > 0 ? [fc.constantFrom(...known)] : [];
  switch (schema.format) {
    case 'uuid':
      return fc.oneof(...knownArb, ...knownArb, fc.uuid({ version: 7 }));
    case 'date-time':
      return fc
        .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
        .map((date) => date.toISOString());
    case 'date':
      return fc
        .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
        .map((date) => date.toISOString().slice(0, 10));
    case 'email':
      return fc.emailAddress().filter((email) => email.length <= Math.max(max, 60));
    case 'uri':
      return fc.webUrl();
    default:
      break;
  }
  if (typeof schema.pattern === 'string') {
    return fc.oneof(
      ...knownArb,
      fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= 200),
    );
  }
  return fc.oneof(...knownArb, fc.string({ minLength: min, maxLength: Math.max(min, max), unit: 'grapheme' }));
}

function numberFor(schema: JsonSchema, integer: boolean): Arbitrary<number> {
  const low = typeof schema.minimum === 'number' ? schema.minimum : -1_000;
  const high = typeof schema.maximum === 'number' ? schema.maximum : 100_000;
  const bounded = Math.max(low, Math.min(high, low + 100_000));
  const span = integer
    ? fc.integer({ min: Math.ceil(low), max: Math.floor(bounded) })
    : fc.double({ min: low, max: bounded, noNaN: true, noDefaultInfinity: true });
  return fc.oneof(span, fc.constantFrom(low, bounded));
}

/** Values for `schema` under the field `name`; `hostility` is the weight of hostile values (0..10). */
export function arbitraryFor(
  schema: JsonSchema,
  ctx: ArbitraryContext,
  name = '',
  depth = 0,
  hostility = 1,
): Arbitrary<unknown> {
  const fitting = fittingFor(schema, ctx, name, depth, hostility);
  if (hostility === 0) return fitting;
  return fc.oneof({ weight: 10, arbitrary: fitting }, { weight: hostility, arbitrary: hostileValue });
}

function fittingFor(
  schema: JsonSchema,
  ctx: ArbitraryContext,
  name: string,
  depth: number,
  hostility: number,
): Arbitrary<unknown> {
  if (typeof schema.$ref === 'string') return fittingFor(ctx.resolve(schema.$ref), ctx, name, depth, hostility);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  for (const key of ['anyOf', 'oneOf'] as const) {
    const members = schema[key];
    if (Array.isArray(members) && members.length > 0)
      return fc.oneof(...members.map((member) => fittingFor(member as JsonSchema, ctx, name, depth, hostility)));
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0)
    return fittingFor(schema.allOf[0] as JsonSchema, ctx, name, depth, hostility);
  const type = Array.isArray(schema.type) ? (schema.type as string[])[0] : schema.type;
  const inner = (child: JsonSchema, childName: string) => arbitraryFor(child, ctx, childName, depth + 1, hostility);
  switch (type) {
    case 'string':
      return stringFor(schema, name, ctx);
    case 'integer':
      return numberFor(schema, true);
    case 'number':
      return numberFor(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (depth > 4 || typeof schema.items !== 'object' || schema.items === null) return fc.constant([]);
      const minLength = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const maxLength = Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : 3, 3, Math.max(minLength, 3));
      return fc.array(inner(schema.items as JsonSchema, name), {
        minLength: Math.min(minLength, maxLength),
        maxLength,
      });
    }
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      if (depth > 4) return fc.constant({});
      const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
      const record = fc.record(
        Object.fromEntries(Object.entries(properties).map(([key, child]) => [key, inner(child, key)])),
        { requiredKeys: [...required].filter((key) => key in properties) },
      );
      // Now and then an unknown field, which must be refused by name.
      return fc.oneof(
        { weight: 10, arbitrary: record },
        { weight: hostility, arbitrary: record.map((value) => ({ ...value, unexpected_field: 1 })) },
      );
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}
