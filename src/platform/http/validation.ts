// How request parts are validated. Two ajv instances: bodies are JSON and already typed, so
// they are never coerced ("quantity": "2" is a 400, not 2); query strings, path parameters and
// headers arrive as text, so they coerce (`?limit=20` is the number 20, `?channel=a` may be an
// array of one). And one rule for every part of every route: no string may hold U+0000, which
// PostgreSQL cannot store in text and would otherwise turn into a 500.
import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

type AjvOptions = NonNullable<FastifyServerOptions['ajv']>;
type Validate = ((data: unknown) => unknown) & { errors?: unknown };
// What Fastify hands a validator compiler; the package's own typings describe ajv's compile.
type CompileRoute = (route: { httpPart?: string }) => Validate;

/** The JSON pointer of the first string (value or key) holding a NUL character, else null. */
export function findNul(value: unknown, at = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? at : null;
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, inner] of Object.entries(value)) {
    const path = `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (key.includes('\u0000')) return path;
    const found = findNul(inner, path);
    if (found !== null) return found;
  }
  return null;
}

function refusingNul(validate: Validate): Validate {
  const checked: Validate = (data) => {
    const at = findNul(data);
    if (at !== null) {
      checked.errors = [
        { instancePath: at, schemaPath: '#/nul', keyword: 'nul', params: {}, message: 'must not contain U+0000' },
      ];
      return false;
    }
    const valid = validate(data);
    checked.errors = validate.errors;
    return valid;
  };
  return checked;
}

/** The `schemaController.compilersFactory.buildValidator` for createServer. */
export function requestValidators(): AjvCompiler.BuildCompilerFromPool {
  const pool = AjvCompiler();
  const factory = (externalSchemas: unknown, options: AjvOptions = {}) => {
    const customOptions = options.customOptions ?? {};
    const withCoercion = (coerceTypes: false | 'array') =>
      pool(externalSchemas as Parameters<typeof pool>[0], {
        plugins: options.plugins,
        onCreate: options.onCreate,
        customOptions: { ...(customOptions as AjvCompiler.Options), coerceTypes },
      }) as unknown as CompileRoute;
    const body = withCoercion(false);
    const text = withCoercion('array');
    return (route: { httpPart?: string }) => refusingNul((route.httpPart === 'body' ? body : text)(route));
  };
  return factory as unknown as AjvCompiler.BuildCompilerFromPool;
}
