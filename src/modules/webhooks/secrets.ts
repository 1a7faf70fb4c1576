// Endpoint secrets at rest: sealed with the platform's personal data key (ADR 0025), bound to
// the endpoint they belong to, so a sealed secret copied onto another endpoint does not open.
import { PLATFORM_HOLDER, type PersonalDataVault } from '../../platform/crypto/personal-data.js';
import type { Executor } from './tables.js';

const context = (endpointId: string) => `webhook-secret:${endpointId}`;

export const sealSecret = (ex: Executor, vault: PersonalDataVault, endpointId: string, secret: string) =>
  vault.seal(ex, PLATFORM_HOLDER, secret, context(endpointId));

export const openSecret = (ex: Executor, vault: PersonalDataVault, endpointId: string, sealed: Buffer) =>
  vault.open(ex, PLATFORM_HOLDER, sealed, context(endpointId));
