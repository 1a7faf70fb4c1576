// argon2id password hashing. Unknown accounts are verified against a dummy hash so a login
// takes as long whether or not the email exists (no account enumeration by timing).
import { hash, verify } from '@node-rs/argon2';

// Algorithm.Argon2id; the package exports it as an ambient const enum we cannot import.
const ARGON2ID = 2;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(stored: string | null, password: string): Promise<boolean>;
}

export function createPasswordHasher(cost: { memoryKib: number; timeCost: number }): PasswordHasher {
  const options = { algorithm: ARGON2ID, memoryCost: cost.memoryKib, timeCost: cost.timeCost, parallelism: 1 };
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => hash(password, options),
    async verify(stored, password) {
      if (stored === null) {
        dummy ??= hash('brigade-timing-equaliser', options);
        await verify(await dummy, password).catch(() => false);
        return false;
      }
      return verify(stored, password).catch(() => false);
    },
  };
}
