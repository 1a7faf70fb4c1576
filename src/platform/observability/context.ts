// Per-request context that code deep in a call stack can read without threading it through
// every signature: today the request id, which outbound calls forward to other services.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId: string;
  /** The caller's address and who they are, once authenticated (the audit log records both). */
  ip?: string;
  actor?: { kind: 'user' | 'api_key'; id: string };
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}
