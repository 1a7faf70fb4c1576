// Helpers shared by the tenancy HTTP tests (not a test file itself).
import type { TestApp } from '../../test-support/harness.js';
import { bearer } from '../../test-support/identity-factories.js';

/**
 * A fixed-offset IANA zone in which it is about noon right now, so tests about "today" never
 * straddle a local midnight whenever they run. (Etc/GMT-3 is UTC+3: POSIX signs are inverted.)
 */
export function middayZone(now = new Date()): string {
  const offset = 12 - now.getUTCHours();
  if (offset === 0) return 'Etc/GMT';
  return offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

/** A new API key of the organization with these scopes, created by its owner. */
export async function apiKey(
  t: TestApp,
  ownerToken: string,
  organizationId: string,
  scopes: string[],
): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/organizations/${organizationId}/api-keys`,
    headers: bearer(ownerToken),
    payload: { name: `key ${scopes.join(' ')}`, scopes },
  });
  if (res.statusCode !== 201) throw new Error(`API key creation failed: ${res.statusCode} ${res.body}`);
  return res.json<{ secret: string }>().secret;
}

export const storeBody = (overrides: Record<string, unknown> = {}) => ({
  name: 'Pasta Place',
  address: { line1: 'Torstraße 1', city: 'Berlin', postal_code: '10119', country: 'DE' },
  timezone: 'Europe/Berlin',
  currency: 'EUR',
  ...overrides,
});
