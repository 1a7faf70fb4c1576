// What holds content for a moderator before anyone sees it: a word on the blocklist, or enough
// distinct reports. Deliberately small and explicit: a match holds (a person decides), it never
// removes on its own.

/** Distinct reporters that hold a published review or reply. */
export const REPORT_THRESHOLD = 3;

/** Slurs and spam markers; matched as whole words, case- and accent-insensitively. */
const BLOCKLIST = ['viagra', 'casino', 'bitcoin giveaway', 'crypto giveaway', 'idiot', 'scumbag', 'whore', 'retard'];

const fold = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

const PATTERNS = BLOCKLIST.map((term) => new RegExp(`(^|[^\\p{L}\\p{N}])${fold(term)}($|[^\\p{L}\\p{N}])`, 'u'));

/** True when the text carries a blocklisted term: the content starts held. */
export function isBlocked(text: string | null | undefined): boolean {
  if (!text) return false;
  const folded = fold(text);
  return PATTERNS.some((pattern) => pattern.test(folded));
}

/** Person text with surrounding whitespace trimmed; empty after trimming counts as absent. */
export function tidy(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const trimmed = text.trim();
  return trimmed.length === 0 ? null : trimmed;
}
