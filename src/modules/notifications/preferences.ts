// A guest's notification preferences: per channel, transactional messages (about their orders:
// on unless turned off) and marketing (off until they consent; the consent and its withdrawal
// are recorded with their time). The SMS number is normalized to E.164 and sealed at rest.
import { PLATFORM_HOLDER, type PersonalDataVault } from '../../platform/crypto/personal-data.js';
import { requireUser, type Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db } from '../../platform/db/index.js';
import { DEFAULT_LOCALE, isLocale, type Locale } from './catalogue.js';
import { normalizePhone } from './phone.js';
import { notificationTables, type Executor, type NotificationTables } from './tables.js';

type Row = Omit<NotificationTables['notification_preferences'], 'updated_at'> & { updated_at: Date };
export type NoticeChannel = 'email' | 'sms';
export type NoticeKind = 'transactional' | 'marketing';

export interface ChannelChoice {
  transactional: boolean;
  marketing: boolean;
}

export interface PreferencesInput {
  email: ChannelChoice;
  sms: ChannelChoice;
  phone?: string | null;
  phone_country?: string | null;
  locale?: Locale;
}

export interface Preferences {
  email: ChannelChoice & { marketing_consent_at: Date | null; marketing_withdrawn_at: Date | null };
  sms: ChannelChoice & { marketing_consent_at: Date | null; marketing_withdrawn_at: Date | null };
  phone: string | null;
  locale: Locale;
  updated_at: Date | null;
}

const phoneContext = (userId: string) => `notification-phone:${userId}`;

const DEFAULTS: Preferences = {
  email: { transactional: true, marketing: false, marketing_consent_at: null, marketing_withdrawn_at: null },
  sms: { transactional: true, marketing: false, marketing_consent_at: null, marketing_withdrawn_at: null },
  phone: null,
  locale: DEFAULT_LOCALE,
  updated_at: null,
};

async function find(ex: Executor, userId: string, lock = false): Promise<Row | null> {
  let query = notificationTables(ex).selectFrom('notification_preferences').selectAll().where('user_id', '=', userId);
  if (lock) query = query.forUpdate();
  return ((await query.executeTakeFirst()) as Row | undefined) ?? null;
}

/** Consent is recorded when marketing is turned on, withdrawal when it is turned off. */
function consent(was: { on: boolean; at: Date | null; off: Date | null }, on: boolean, now: Date) {
  if (on === was.on) return { at: was.at, off: was.off };
  return on ? { at: now, off: null } : { at: was.at, off: now };
}

export function createPreferences(deps: { db: Db; vault: PersonalDataVault; clock: () => Date }) {
  async function opened(ex: Executor, userId: string, row: Row | null): Promise<Preferences> {
    if (!row) return DEFAULTS;
    const channel = (prefix: 'email' | 'sms') => ({
      transactional: row[`${prefix}_transactional`],
      marketing: row[`${prefix}_marketing`],
      marketing_consent_at: row[`${prefix}_marketing_consent_at`],
      marketing_withdrawn_at: row[`${prefix}_marketing_withdrawn_at`],
    });
    return {
      email: channel('email'),
      sms: channel('sms'),
      phone: row.phone_sealed
        ? await deps.vault.open(ex, PLATFORM_HOLDER, row.phone_sealed, phoneContext(userId))
        : null,
      locale: isLocale(row.locale) ? row.locale : DEFAULT_LOCALE,
      updated_at: row.updated_at,
    };
  }

  return {
    /** A person's preferences (the defaults when they never set any), inside the caller's transaction or not. */
    of: async (ex: Executor, userId: string): Promise<Preferences> => opened(ex, userId, await find(ex, userId)),

    /** Deletes the person's preferences (their sealed phone with them); the defaults apply again. */
    async forget(ex: Executor, userId: string): Promise<void> {
      await notificationTables(ex).deleteFrom('notification_preferences').where('user_id', '=', userId).execute();
    },

    async read(principal: Principal | null): Promise<Preferences> {
      const { userId } = requireUser(principal);
      return opened(deps.db, userId, await find(deps.db, userId));
    },

    /** Replaces the caller's preferences: a phone left out is removed, a locale left out is English. */
    async replace(principal: Principal | null, input: PreferencesInput): Promise<Preferences> {
      const { userId } = requireUser(principal);
      const phone =
        input.phone == null ? null : normalizePhone(input.phone, input.phone_country ?? null, '/body/phone');
      return inTransaction(deps.db, async (trx) => {
        const now = deps.clock();
        const was = await opened(trx, userId, await find(trx, userId, true));
        const email = consent(
          { on: was.email.marketing, at: was.email.marketing_consent_at, off: was.email.marketing_withdrawn_at },
          input.email.marketing,
          now,
        );
        const sms = consent(
          { on: was.sms.marketing, at: was.sms.marketing_consent_at, off: was.sms.marketing_withdrawn_at },
          input.sms.marketing,
          now,
        );
        const values = {
          email_transactional: input.email.transactional,
          email_marketing: input.email.marketing,
          email_marketing_consent_at: email.at,
          email_marketing_withdrawn_at: email.off,
          sms_transactional: input.sms.transactional,
          sms_marketing: input.sms.marketing,
          sms_marketing_consent_at: sms.at,
          sms_marketing_withdrawn_at: sms.off,
          phone_sealed:
            phone === null ? null : await deps.vault.seal(trx, PLATFORM_HOLDER, phone, phoneContext(userId)),
          locale: input.locale ?? DEFAULT_LOCALE,
          updated_at: now,
        };
        const row = await notificationTables(trx)
          .insertInto('notification_preferences')
          .values({ user_id: userId, ...values })
          .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
          .returningAll()
          .executeTakeFirstOrThrow();
        return opened(trx, userId, row as Row);
      });
    },
  };
}

/** May this person get a message of this kind on this channel? Marketing needs recorded consent. */
export function mayReceive(preferences: Preferences, channel: NoticeChannel, kind: NoticeKind): boolean {
  const choice = preferences[channel];
  if (kind === 'transactional') return choice.transactional;
  return choice.marketing && choice.marketing_consent_at !== null;
}

export type PreferencesService = ReturnType<typeof createPreferences>;
