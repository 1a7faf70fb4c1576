// Notifications' tables as Kysely sees them (migrations/0019_notifications.sql is the truth).
import type { Generated, Kysely } from 'kysely';
import type { PlatformTables } from '../../platform/db/index.js';

// A type, not an interface: withTables<T> needs an index-signature-compatible record.
export type NotificationTables = {
  notification_templates: {
    organization_id: string;
    template: string;
    locale: string;
    subject: string | null;
    text_body: string | null;
    html_body: string | null;
    sms_body: string | null;
    version: Generated<number>;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  notification_preferences: {
    user_id: string;
    email_transactional: boolean;
    email_marketing: boolean;
    email_marketing_consent_at: Date | null;
    email_marketing_withdrawn_at: Date | null;
    sms_transactional: boolean;
    sms_marketing: boolean;
    sms_marketing_consent_at: Date | null;
    sms_marketing_withdrawn_at: Date | null;
    phone_sealed: Buffer | null;
    locale: string;
    updated_at: Generated<Date>;
  };
};

export type Executor = Kysely<PlatformTables>;
export const notificationTables = (ex: Executor) => ex.withTables<NotificationTables>();
