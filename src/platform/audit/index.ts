// The audit log (ADR 0024): an append-only record of every staff and admin write, written by the
// modules' services inside their own transactions, read by an organization's owners.
export { recordAudit, AUDIT_ACTION_PATTERN, type AuditEntry } from './record.js';
export { diffChanges, isSensitiveField, redact, REDACTED } from './redact.js';
export { registerAuditLog, AuditEntrySchema } from './routes.js';
export { auditJobs, purgeAuditLog } from './retention.js';
