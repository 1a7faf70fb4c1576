// How the fake reads requests and answers errors the way Stripe does: form-encoded parameters in
// bracket notation, integer parameters validated with Stripe's codes, and errors carried as
// Stripe's `{ error: { type, message, code, param } }` bodies.
import { randomBytes } from 'node:crypto';

export type Form = { [key: string]: FormValue };
export type FormValue = string | FormValue[] | Form;
export type Json = Record<string, unknown>;

/** An error the fake answers with `status` and Stripe's error body. */
export class StripeFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(String(body.message));
  }
}

export const fail = (status: number, type: string, message: string, extra: Json = {}) =>
  new StripeFailure(status, { type, message, ...extra });
/** A Stripe-style object id: `pi_…`, `ch_…`, `re_…`, `evt_…`, `req_…`. */
export const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
export const now = () => Math.floor(Date.now() / 1000);

/** `a[b][c]=v`, `a[]=v` and `a[0]=v` into nested objects and arrays, as Stripe reads them. */
export function parseForm(params: URLSearchParams): Form {
  const root: Form = {};
  for (const [key, value] of params) {
    const segments = [key.replace(/\[.*$/, ''), ...[...key.matchAll(/\[([^\]]*)\]/g)].map((match) => match[1] ?? '')];
    let node: Form = root;
    segments.forEach((segment, index) => {
      const name = segment === '' ? String(Object.keys(node).length) : segment;
      if (index === segments.length - 1) node[name] = value;
      else node = (node[name] ??= {}) as Form;
    });
  }
  return arrays(root) as Form;
}

function arrays(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const entries = keys.map((key) => [key, arrays(value[key] as FormValue)] as const);
  if (keys.length > 0 && keys.every((key) => /^\d+$/.test(key)))
    return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, item]) => item);
  return Object.fromEntries(entries);
}

/** Key-order-independent, for "same parameters" under one idempotency key. */
export function canonical(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical(value[key] as FormValue)}`)
    .join(',')}}`;
}

export function integer(form: Form, name: string, fallback?: number): number {
  const raw = form[name];
  if (raw === undefined && fallback !== undefined) return fallback;
  if (raw === undefined)
    throw fail(400, 'invalid_request_error', `Missing required param: ${name}.`, {
      code: 'parameter_missing',
      param: name,
    });
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < 1)
    throw fail(400, 'invalid_request_error', `Invalid integer: ${String(raw)}`, {
      code: 'parameter_invalid_integer',
      param: name,
    });
  return value;
}

export const strings = (value: FormValue | undefined): Record<string, string> =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(
        Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      )
    : {};
