// Phone numbers as Brigade stores them: E.164 (+4915123456789), whatever way a guest typed
// them. Checked against the full metadata (libphonenumber-js/max): a number must be possible
// and valid for its country, not just the right length.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { UnprocessableError } from '../../platform/http/errors.js';

/** E.164, or null when the input is no valid number (national forms need `country`). */
export function toE164(input: string, country?: string | null): string | null {
  const parsed = parsePhoneNumberFromString(input.trim(), (country ?? undefined) as CountryCode | undefined);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}

export function normalizePhone(input: string, country: string | null, path: string): string {
  const number = toE164(input, country);
  if (number === null)
    throw new UnprocessableError(
      'INVALID_PHONE_NUMBER',
      'This is not a valid phone number: give it in international form (+49 151 …) or name its country.',
      [{ path, message: 'must be a valid phone number' }],
    );
  return number;
}
