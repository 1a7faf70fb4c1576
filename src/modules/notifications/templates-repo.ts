// SQL for organizations' own wording of templates (notification_templates).
import { sql } from 'kysely';
import { notificationTables, type Executor } from './tables.js';

export interface TemplateOverride {
  organization_id: string;
  template: string;
  locale: string;
  subject: string | null;
  text_body: string | null;
  html_body: string | null;
  sms_body: string | null;
  version: number;
  updated_at: Date;
}

const COLUMNS = [
  'organization_id',
  'template',
  'locale',
  'subject',
  'text_body',
  'html_body',
  'sms_body',
  'version',
  'updated_at',
] as const;

export type OverrideParts = Pick<TemplateOverride, 'subject' | 'text_body' | 'html_body' | 'sms_body'>;

export const templatesRepo = {
  async find(
    ex: Executor,
    key: { organizationId: string; template: string; locale: string },
    lock = false,
  ): Promise<TemplateOverride | null> {
    let query = notificationTables(ex)
      .selectFrom('notification_templates')
      .select(COLUMNS)
      .where('organization_id', '=', key.organizationId)
      .where('template', '=', key.template)
      .where('locale', '=', key.locale);
    if (lock) query = query.forUpdate();
    return (await query.executeTakeFirst()) ?? null;
  },

  /** Inserts or replaces the override, bumping its version. */
  async put(
    ex: Executor,
    key: { organizationId: string; template: string; locale: string },
    parts: OverrideParts,
  ): Promise<TemplateOverride> {
    return notificationTables(ex)
      .insertInto('notification_templates')
      .values({ organization_id: key.organizationId, template: key.template, locale: key.locale, ...parts })
      .onConflict((oc) =>
        oc.columns(['organization_id', 'template', 'locale']).doUpdateSet({
          ...parts,
          version: sql<number>`notification_templates.version + 1`,
          updated_at: sql<Date>`now()`,
        }),
      )
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
  },
};
