// Idempotency keys (API-CONVENTIONS.md, "Idempotency"): the hooks, the request's claim and the
// purge, for app.ts, main.ts and the routes that record a recovery point.
export { registerIdempotency, type IdempotencyClaim, type IdempotencyOptions } from './hooks.js';
export type { IdempotencyMode } from './documentation.js';
export { canonicalJson, requestFingerprint } from './fingerprint.js';
export { forgetStoredResponses, purgeExpiredIdempotencyKeys, type RecoveryPoint } from './keys.js';
