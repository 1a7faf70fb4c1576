// People's personal fields at rest (ADR 0025): a user's name, email and phone are stored sealed
// together with the platform's data key (`users.personal_sealed`), with two blind indexes beside
// them: `email_index`, the HMAC of the normalized email (unique; login, sign-up, password reset
// and invitations look people up by it), and `search_tokens`, HMACs of the trigrams staff
// customer search matches on (customer-search.ts). Rows from before the sealing keep plaintext
// columns until the re-encryption job seals them; `open` reads either.
//
// Why one process-wide holder: the accounts repository is called with only an executor by
// several services (sessions, sign-up, account tokens, staff); the identity module sets the
// sealing once when it is built, from the process's one master key.
import type { PersonalDataVault } from '../../platform/crypto/personal-data.js';
import { PLATFORM_HOLDER } from '../../platform/crypto/personal-data.js';
import type { Executor } from './tables.js';

export interface PersonalFields {
  name: string;
  email: string;
  phone: string | null;
}

/** What a users row stores for its personal fields. */
export interface SealedColumns {
  personal_sealed: Buffer;
  email_index: Buffer;
  search_tokens: string[];
}

/** The columns of a users row the sealing reads. */
export interface StoredPerson {
  id: string;
  personal_sealed: Buffer | null;
  email: string | null;
  name: string | null;
  phone: string | null;
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();
const context = (userId: string) => `user-personal-fields:${userId}`;

/** The words of a name as pg_trgm sees them, padded ("  ana "), cut into trigrams. */
function wordTrigrams(text: string): string[] {
  const out = new Set<string>();
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (word === '') continue;
    const chars = [' ', ' ', ...word, ' '];
    for (let i = 0; i + 3 <= chars.length; i++) out.add(chars[i]! + chars[i + 1]! + chars[i + 2]!);
  }
  return [...out];
}

/** Every three-character window of a string (substring search: a fragment's windows are all in the whole's). */
function windows(text: string): string[] {
  const chars = [...text];
  const out = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) out.add(chars[i]! + chars[i + 1]! + chars[i + 2]!);
  return [...out];
}

export const phoneDigits = (phone: string) => phone.replace(/\D/g, '');

export function createPeopleSealing(vault: PersonalDataVault) {
  /** A token: the HMAC of one trigram of one kind, truncated (collisions only widen the candidates). */
  async function tokens(ex: Executor, kind: 'name' | 'email' | 'phone', grams: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const gram of grams)
      out.push(`${kind[0]}${(await vault.blindIndex(ex, `search-${kind}`, gram)).subarray(0, 8).toString('hex')}`);
    return out;
  }

  return {
    emailIndex: (ex: Executor, email: string) => vault.blindIndex(ex, 'email', normalizeEmail(email)),

    async seal(ex: Executor, userId: string, fields: PersonalFields): Promise<SealedColumns> {
      const email = normalizeEmail(fields.email);
      const search = [
        ...(await tokens(ex, 'name', wordTrigrams(fields.name))),
        ...(await tokens(ex, 'email', windows(email))),
        ...(fields.phone ? await tokens(ex, 'phone', windows(phoneDigits(fields.phone))) : []),
      ];
      return {
        personal_sealed: await vault.seal(ex, PLATFORM_HOLDER, JSON.stringify(fields), context(userId)),
        email_index: await vault.blindIndex(ex, 'email', email),
        search_tokens: [...new Set(search)],
      };
    },

    /** The person's fields, from the sealed value or, on a row from before the sealing, the plain columns. */
    async open(ex: Executor, row: StoredPerson): Promise<PersonalFields> {
      if (row.personal_sealed === null) return { name: row.name ?? '', email: row.email ?? '', phone: row.phone };
      return JSON.parse(await vault.open(ex, PLATFORM_HOLDER, row.personal_sealed, context(row.id))) as PersonalFields;
    },

    /** Whether the row needs (re-)sealing: plain columns, or sealed with an older data key. */
    async isStale(ex: Executor, row: StoredPerson): Promise<boolean> {
      if (row.personal_sealed === null) return true;
      return vault.versionOf(row.personal_sealed) < (await vault.newestVersionCached(ex, PLATFORM_HOLDER));
    },

    /** The tokens a search query is matched with: name trigrams (any), email and phone windows (all). */
    async queryTokens(ex: Executor, query: { text: string; digits: string | null }) {
      return {
        name: await tokens(ex, 'name', wordTrigrams(query.text)),
        email: await tokens(ex, 'email', windows(query.text)),
        phone: query.digits ? await tokens(ex, 'phone', windows(query.digits)) : [],
      };
    },
  };
}

export type PeopleSealing = ReturnType<typeof createPeopleSealing>;

let current: PeopleSealing | null = null;

/** Set by createIdentityModule; every identity repository seals and opens people through it. */
export function usePeopleSealing(sealing: PeopleSealing): void {
  current = sealing;
}

export function peopleSealing(): PeopleSealing {
  if (!current) throw new Error('People sealing is not configured: build the identity module first');
  return current;
}
