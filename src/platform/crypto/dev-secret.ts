// Development secrets: generated once into the data folder (like the JWT signing key), so an
// api and a worker process on one machine agree without anyone setting them. Production refuses
// to start without the real ones in the environment (config.ts).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** `bytes` random bytes as base64, kept in `<dataDir>/keys/<name>`; the first process to write it wins. */
export function loadOrCreateDevSecret(dataDir: string, name: string, bytes = 32): string {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`Invalid secret name: ${name}`);
  const file = path.join(dataDir, 'keys', name);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const value = randomBytes(bytes).toString('base64');
  try {
    fs.writeFileSync(file, value, { mode: 0o600, flag: 'wx' });
  } catch {
    return fs.readFileSync(file, 'utf8').trim();
  }
  return value;
}
