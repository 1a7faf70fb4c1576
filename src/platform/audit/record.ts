// recordAudit: the one way an audit entry is written, inside the transaction of the write it
// describes, so a rolled-back write leaves no entry and a committed one always has its entry.
// Who did it, from where and in which request come from the request context (set by the hook in
// routes.ts once the caller is authenticated); outside a request (a job, the demo seed) the actor
// is the system.
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '../db/index.js';
import { requestContext } from '../observability/context.js';
import { diffChanges, type Fields } from './redact.js';
import { auditRepo } from './repo.js';

/** `<context>.<entity>.<past-tense verb>` (a fourth part allowed): `tenancy.store_hours.replaced`. */
export const AUDIT_ACTION_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2,3}$/;
const TARGET_TYPE = /^[a-z][a-z0-9_]*$/;

export interface AuditEntry {
  organizationId: string;
  storeId?: string | null;
  action: string;
  target: { type: string; id: string };
  /** The target's fields before the write (null or absent for a creation). */
  before?: Fields | null;
  /** The target's fields after the write (null or absent for a removal). */
  after?: Fields | null;
  /**
   * Fields that are personal data for this target only, beyond the house list of redact.ts:
   * a staff member's `name` is a person's name, an item's `name` is not.
   */
  personal?: readonly string[];
}

export async function recordAudit(trx: Tx, entry: AuditEntry): Promise<void> {
  if (!trx.isTransaction)
    throw new Error(`Audit entry ${entry.action} must be written inside the transaction of the write it records`);
  if (!AUDIT_ACTION_PATTERN.test(entry.action))
    throw new Error(`Audit action "${entry.action}" must look like <context>.<entity>.<past-tense verb>`);
  if (!TARGET_TYPE.test(entry.target.type))
    throw new Error(`Audit target type "${entry.target.type}" is not snake_case`);
  const context = requestContext.getStore();
  const actor = context?.actor;
  await auditRepo.insert(trx, {
    id: uuidv7(),
    organization_id: entry.organizationId,
    store_id: entry.storeId ?? null,
    actor_kind: actor?.kind ?? 'system',
    actor_id: actor?.id ?? null,
    action: entry.action,
    target_type: entry.target.type,
    target_id: entry.target.id,
    changes: JSON.stringify(diffChanges(entry.before, entry.after, entry.personal)),
    request_id: context?.requestId ?? null,
    ip: context?.ip ?? null,
  });
}
