// The process's sealing of outgoing messages (ADR 0025), set once when the modules are built.
import type { PersonalDataVault } from '../crypto/personal-data.js';

let vault: PersonalDataVault | null = null;

/**
 * Recipients and data are personal (an email address, a name, a reset link): they are stored
 * sealed with the platform's data key (ADR 0025). Set once per process when the modules are built.
 */
export function useMessageSealing(personalData: PersonalDataVault): void {
  vault = personalData;
}

export function messageSealing(): PersonalDataVault {
  if (!vault) throw new Error('Message sealing is not configured: build the modules first (useMessageSealing)');
  return vault;
}
