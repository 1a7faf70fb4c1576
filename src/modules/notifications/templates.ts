// Templates as a brand's managers see them: the wording in force per template and locale (the
// organization's own parts over the built-in ones), rewording (versioned for If-Match, audited in
// the write's transaction), and previews. The same lookup renders messages at send time.
import { recordAudit } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db } from '../../platform/db/index.js';
import { NotFoundError, PreconditionFailedError, UnprocessableError } from '../../platform/http/errors.js';
import type { MessageRenderer } from '../../platform/messages/index.js';
import { assertRule, RULES } from './access.js';
import {
  DEFAULT_LOCALE,
  isGuestTemplate,
  isLocale,
  PARTS,
  SAMPLE_DATA,
  type GuestTemplate,
  type Locale,
  type Part,
  type TemplateName,
  type TemplateParts,
} from './catalogue.js';
import { DE } from './defaults-de.js';
import { EN } from './defaults-en.js';
import { renderParts, templateProblem } from './render.js';
import { templatesRepo, type OverrideParts, type TemplateOverride } from './templates-repo.js';
import type { Executor } from './tables.js';

const BUILT_IN: Record<Locale, Record<TemplateName, TemplateParts>> = { en: EN, de: DE };
const COLUMN: Record<Part, keyof OverrideParts> = {
  subject: 'subject',
  text: 'text_body',
  html: 'html_body',
  sms: 'sms_body',
};

export type PartsInput = Partial<Record<Part, string | null>>;

export interface TemplateOut extends TemplateParts {
  template: GuestTemplate;
  locale: Locale;
  /** The parts the organization reworded (the others are the built-in wording). */
  custom: Part[];
  version: number;
  updated_at: string | null;
}

export const TEMPLATE_PROBLEMS = {
  INVALID_NOTIFICATION_TEMPLATE: 'a part does not parse, unescapes a value in HTML, or uses a partial',
} as const;

/** The parts in force: each reworded part over the built-in one. */
function merged(template: TemplateName, locale: Locale, override: OverrideParts | null): TemplateParts {
  const base = BUILT_IN[locale][template];
  if (!override) return base;
  const parts = { ...base };
  for (const part of PARTS) parts[part] = override[COLUMN[part]] ?? base[part];
  return parts;
}

function present(template: GuestTemplate, locale: Locale, row: TemplateOverride | null): TemplateOut {
  return {
    template,
    locale,
    ...merged(template, locale, row),
    custom: row ? PARTS.filter((part) => row[COLUMN[part]] !== null) : [],
    version: row?.version ?? 0,
    updated_at: row ? row.updated_at.toISOString() : null,
  };
}

/** Every problem of the given parts, as JSON pointers into the body. */
function check(template: TemplateName, locale: Locale, input: PartsInput, pointer: string): void {
  const errors = [];
  for (const part of PARTS) {
    const source = input[part];
    if (source == null) continue;
    const problem = templateProblem(part, source);
    if (problem !== null) errors.push({ path: `${pointer}/${part}`, message: problem });
  }
  if (errors.length === 0) {
    // A template that parses still has to render the data it will get.
    try {
      renderParts(merged(template, locale, toColumns(input)), SAMPLE_DATA[template], locale);
    } catch (error) {
      errors.push({ path: pointer, message: error instanceof Error ? error.message : 'does not render' });
    }
  }
  if (errors.length > 0)
    throw new UnprocessableError('INVALID_NOTIFICATION_TEMPLATE', 'The template cannot be used as written.', errors);
}

function toColumns(input: PartsInput): OverrideParts {
  return {
    subject: input.subject ?? null,
    text_body: input.text ?? null,
    html_body: input.html ?? null,
    sms_body: input.sms ?? null,
  };
}

function guestTemplate(name: string): GuestTemplate {
  if (!isGuestTemplate(name)) throw new NotFoundError('notification template', 'NOTIFICATION_TEMPLATE_NOT_FOUND');
  return name;
}

export function createTemplateService(deps: { db: Db }) {
  async function wording(ex: Executor, template: TemplateName, locale: Locale, organizationId: string | null) {
    const row =
      organizationId !== null && isGuestTemplate(template)
        ? await templatesRepo.find(ex, { organizationId, template, locale })
        : null;
    return merged(template, locale, row);
  }

  /** What delivery renders a message with; null for a template Brigade does not know. */
  const render: MessageRenderer = async (message) => {
    const template = message.template as TemplateName;
    if (!(template in EN)) return null;
    const locale = isLocale(message.locale) ? message.locale : DEFAULT_LOCALE;
    const parts = await wording(deps.db, template, locale, message.organization_id);
    return renderParts(parts, (message.data ?? {}) as Record<string, unknown>, locale);
  };

  return {
    render,

    async read(principal: Principal | null, organizationId: string, name: string, locale: Locale) {
      assertRule(principal, RULES.readTemplates, organizationId);
      const template = guestTemplate(name);
      return present(template, locale, await templatesRepo.find(deps.db, { organizationId, template, locale }));
    },

    /** Replaces the organization's wording; parts left out or null use the built-in wording. */
    async put(
      principal: Principal | null,
      organizationId: string,
      name: string,
      locale: Locale,
      input: PartsInput,
      ifMatch: string[] | null,
    ): Promise<TemplateOut> {
      assertRule(principal, RULES.editTemplates, organizationId);
      const template = guestTemplate(name);
      check(template, locale, input, '/body');
      return inTransaction(deps.db, async (trx) => {
        const key = { organizationId, template, locale };
        const before = await templatesRepo.find(trx, key, true);
        if (ifMatch !== null && !ifMatch.includes(String(before?.version ?? 0))) throw new PreconditionFailedError();
        const after = await templatesRepo.put(trx, key, toColumns(input));
        await recordAudit(trx, {
          organizationId,
          action: 'notifications.template.replaced',
          target: { type: 'notification_template', id: `${template}/${locale}` },
          before: before ? toAudit(before) : null,
          after: toAudit(after),
        });
        return present(template, locale, after);
      });
    },

    /** The template rendered with sample data (and `data` over it), optionally with unsaved parts. */
    async preview(
      principal: Principal | null,
      organizationId: string,
      name: string,
      body: { locale: Locale; data?: Record<string, unknown>; draft?: PartsInput },
    ): Promise<TemplateParts> {
      assertRule(principal, RULES.readTemplates, organizationId);
      const template = guestTemplate(name);
      if (body.draft) check(template, body.locale, body.draft, '/body/draft');
      const saved = await templatesRepo.find(deps.db, { organizationId, template, locale: body.locale });
      const parts = body.draft
        ? merged(template, body.locale, toColumns({ ...fromColumns(saved), ...body.draft }))
        : merged(template, body.locale, saved);
      return renderParts(parts, { ...SAMPLE_DATA[template], ...(body.data ?? {}) }, body.locale);
    },
  };
}

function fromColumns(row: OverrideParts | null): PartsInput {
  if (!row) return {};
  return { subject: row.subject, text: row.text_body, html: row.html_body, sms: row.sms_body };
}

function toAudit(row: TemplateOverride) {
  return { ...fromColumns(row), version: row.version };
}

export type TemplateService = ReturnType<typeof createTemplateService>;
