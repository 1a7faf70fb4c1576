// Credentials we mint (refresh tokens, invitation tokens, API keys) are 256 random bits, so a
// plain SHA-256 is a sufficient at-rest hash: there is nothing to brute-force. Passwords are
// chosen by people and get argon2id instead (passwords.ts).
import { createHash, randomBytes } from 'node:crypto';

export function mintSecret(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export const REFRESH_PREFIX = 'rt_';
export const INVITATION_PREFIX = 'inv_';
export const API_KEY_PREFIX = 'bk_live_';
