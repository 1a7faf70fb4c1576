// Reading the audit log in tests, through the owners' route (what an owner would see).
import { bearer } from './identity-factories.js';
import type { TestApp } from './harness.js';

export interface AuditEntryOut {
  id: string;
  organization_id: string;
  store_id: string | null;
  actor: { kind: 'user' | 'api_key' | 'system'; id: string | null };
  action: string;
  target: { type: string; id: string };
  changes: { before: Record<string, unknown> | null; after: Record<string, unknown> | null };
  request_id: string | null;
  ip: string | null;
  occurred_at: string;
}

/** The organization's audit entries (newest first), read by its owner with these filters. */
export async function auditEntries(
  t: TestApp,
  owner: { token: string },
  organizationId: string,
  query: Record<string, string> = {},
): Promise<AuditEntryOut[]> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/organizations/${organizationId}/audit-log`,
    query: { limit: '100', ...query },
    headers: bearer(owner.token),
  });
  if (res.statusCode !== 200) throw new Error(`audit log read failed: ${res.statusCode} ${res.body}`);
  return res.json<{ data: AuditEntryOut[] }>().data;
}

/** The newest entry with this action (and target), or a failure naming what the log holds. */
export async function lastAudit(
  t: TestApp,
  owner: { token: string },
  organizationId: string,
  action: string,
  targetId?: string,
): Promise<AuditEntryOut> {
  const entries = await auditEntries(t, owner, organizationId, {
    action,
    ...(targetId === undefined ? {} : { target_id: targetId }),
  });
  const entry = entries[0];
  if (!entry) {
    const all = await auditEntries(t, owner, organizationId);
    throw new Error(`no ${action} entry; the log holds: ${all.map((e) => e.action).join(', ') || '(nothing)'}`);
  }
  return entry;
}
