// PII_ENCRYPTION_KEY and PII_ENCRYPTION_PREVIOUS_KEYS: the master key of personal data at rest
// and the retired ones that still open data keys during a rotation (ADR 0025).
import { ConfigError, read, type Env } from './read-env.js';
import type { Config } from './types.js';

/** PII_ENCRYPTION_KEY (required in production) and the retired keys that still open data keys (ADR 0025). */
export function personalDataKeys(env: Env, production: boolean): Config['personalData'] {
  const key32 = (name: string, raw: string): Buffer => {
    const key = Buffer.from(raw, 'base64');
    if (key.length !== 32 || !/^[A-Za-z0-9+/]+=*$/.test(raw))
      throw new ConfigError(name, 'must be the base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`)');
    return key;
  };
  const raw = read(env, 'PII_ENCRYPTION_KEY');
  if (raw === undefined && production)
    throw new ConfigError('PII_ENCRYPTION_KEY', 'is required when NODE_ENV=production (it seals personal data keys)');
  const previous = (read(env, 'PII_ENCRYPTION_PREVIOUS_KEYS') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => key32('PII_ENCRYPTION_PREVIOUS_KEYS', entry));
  return { masterKey: raw === undefined ? null : key32('PII_ENCRYPTION_KEY', raw), previousKeys: previous };
}
