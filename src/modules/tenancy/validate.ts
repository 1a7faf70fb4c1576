// Rules a JSON schema cannot express: real time zones, currencies and countries, and hours
// that do not overlap. Every problem is collected, so one response lists every bad field.
// Also checks formats, because the module API (seed, other modules) bypasses HTTP validation.
import { ValidationError, type FieldError } from '../../platform/http/errors.js';
import {
  dailyHoursProblems,
  isCountryCode,
  isCurrencyCode,
  isHhmm,
  normalizeTimeZone,
  weeklyHoursProblems,
  type DailyInterval,
  type WeeklyInterval,
} from './hours.js';
import type { Address } from './repo.js';

export interface AddressInput {
  line1: string;
  line2?: string | null;
  city: string;
  region?: string | null;
  postal_code?: string | null;
  country: string;
}

export interface StoreSettingsInput {
  name?: string;
  address?: AddressInput;
  phone?: string | null;
  timezone?: string;
  currency?: string;
  location?: { lat: number; lng: number } | null;
}

export function normalizeAddress(address: AddressInput): Address {
  return {
    line1: address.line1,
    line2: address.line2 ?? null,
    city: address.city,
    region: address.region ?? null,
    postal_code: address.postal_code ?? null,
    country: address.country,
  };
}

/** "+49 (30) 123-4567" → "+49301234567", or null when that is not an E.164 number. */
export function normalizePhone(phone: string): string | null {
  const digits = phone.replace(/[\s()./-]/g, '');
  return /^\+[1-9]\d{6,14}$/.test(digits) ? digits : null;
}

/** Problems of the settings, with time zone and phone in canonical form when they are valid. */
export function checkStoreSettings<T extends StoreSettingsInput>(
  input: T,
  base = '/body',
): { settings: T; problems: FieldError[] } {
  const problems: FieldError[] = [];
  let phone = input.phone;
  if (typeof phone === 'string') {
    phone = normalizePhone(phone) ?? undefined;
    if (phone === undefined)
      problems.push({
        path: `${base}/phone`,
        message: 'is not an international phone number (E.164, e.g. +493012345678)',
      });
  }
  let timezone = input.timezone;
  if (timezone !== undefined) {
    timezone = normalizeTimeZone(timezone) ?? undefined;
    if (timezone === undefined)
      problems.push({ path: `${base}/timezone`, message: 'is not an IANA time zone name (e.g. Europe/Berlin)' });
  }
  if (input.currency !== undefined && !isCurrencyCode(input.currency)) {
    problems.push({ path: `${base}/currency`, message: 'is not an ISO 4217 currency code in use (e.g. EUR)' });
  }
  if (input.address !== undefined && !isCountryCode(input.address.country)) {
    problems.push({ path: `${base}/address/country`, message: 'is not an ISO 3166-1 alpha-2 country code (e.g. DE)' });
  }
  // The module API (seed, tests) skips the HTTP schema: the database's range check must not be the first to say so.
  const location = input.location;
  if (location && !(Math.abs(location.lat) <= 90 && Math.abs(location.lng) <= 180))
    problems.push({ path: `${base}/location`, message: 'must be lat -90..90 and lng -180..180 (degrees)' });
  if (input.name !== undefined && (input.name.length < 1 || input.name.length > 200)) {
    problems.push({ path: `${base}/name`, message: 'must be 1 to 200 characters' });
  }
  return {
    settings: { ...input, ...(timezone === undefined ? {} : { timezone }), ...(phone === undefined ? {} : { phone }) },
    problems,
  };
}

function intervalFormatProblems(
  intervals: Array<Partial<WeeklyInterval>>,
  base: string,
  weekly: boolean,
): FieldError[] {
  const problems: FieldError[] = [];
  intervals.forEach((interval, index) => {
    if (weekly && !(Number.isInteger(interval.weekday) && interval.weekday! >= 1 && interval.weekday! <= 7)) {
      problems.push({ path: `${base}/${index}/weekday`, message: 'must be an ISO weekday, 1 (Monday) to 7 (Sunday)' });
    }
    for (const field of ['opens_at', 'closes_at'] as const) {
      const value = interval[field];
      if (typeof value !== 'string' || !isHhmm(value))
        problems.push({ path: `${base}/${index}/${field}`, message: 'must be a time HH:MM (00:00 to 23:59)' });
    }
  });
  return problems;
}

export function weeklyProblems(weekly: WeeklyInterval[], base: string): FieldError[] {
  const format = intervalFormatProblems(weekly, base, true);
  if (format.length > 0) return format;
  return weeklyHoursProblems(weekly).map((problem) => ({ path: `${base}${problem.path}`, message: problem.message }));
}

export function exceptionProblems(
  input: { date: string; closed: boolean; intervals: DailyInterval[] },
  base: string,
): FieldError[] {
  const path = `${base}/intervals`;
  if (input.closed && input.intervals.length > 0) return [{ path, message: 'must be empty when closed is true' }];
  if (!input.closed && input.intervals.length === 0)
    return [{ path, message: 'must list at least one interval when closed is false' }];
  const format = intervalFormatProblems(input.intervals, path, false);
  if (format.length > 0) return format;
  return dailyHoursProblems(input.intervals).map((problem) => ({
    path: `${path}${problem.path}`,
    message: problem.message,
  }));
}

export function throwIfProblems(problems: FieldError[]): void {
  if (problems.length > 0) throw new ValidationError(problems);
}
