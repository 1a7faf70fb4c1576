// A code promotion's codes: one shared code (WELCOME10) or a batch of unique single-use codes
// drawn with crypto randomness from an alphabet without look-alikes (no 0/O, 1/I/L), inserted in
// one statement per round; codes that collide with one already issued in the organization are
// drawn again. Codes are unique per organization case-insensitively: a taken one is 409
// CODE_TAKEN. Only `code` promotions have codes (else 422 PROMOTION_NOT_CODE_KIND). Every change
// is audited in its own transaction, with the promotion row locked so a concurrent PATCH of its
// kind cannot slip past.
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { recordAudit } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/http/errors.js';
import { decodeCursor, toPage, type PageOf } from '../../platform/http/schema.js';
import { assertRule, RULES } from './access.js';
import { codesRepo, type CodeRow } from './codes-repo.js';
import { csvLines, presentCode } from './present.js';
import { promotionsRepo, type PromotionRow } from './promotions-repo.js';
import type { CodeListQuery, CreateCodesBody, PromotionCodeOut } from './codes-schema.js';

/** 31 characters: upper-case letters and digits without 0/O, 1/I/L. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** Bytes at or above this are redrawn, so every character is equally likely (248 = 8 × 31). */
const UNBIASED_BELOW = 256 - (256 % CODE_ALPHABET.length);
const DEFAULT_LENGTH = 10;
/** Rounds of redrawing collided codes before giving up (at length 8 a collision is ~1 in 10^12). */
const BATCH_ROUNDS = 5;
const EXPORT_PAGE = 1000;

/** `prefix` then `length` characters drawn uniformly from CODE_ALPHABET with crypto randomness. */
export function randomCode(prefix: string, length: number): string {
  let code = prefix;
  while (code.length < prefix.length + length) {
    for (const byte of randomBytes(length)) {
      if (byte >= UNBIASED_BELOW) continue;
      code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
      if (code.length === prefix.length + length) break;
    }
  }
  return code;
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

export interface CodeServiceDeps {
  db: Db;
}

export function createCodeService(deps: CodeServiceDeps) {
  const { db } = deps;

  async function promotionFor(trx: Tx | Db, organizationId: string, promotionId: string, lock: boolean) {
    const promotion = await promotionsRepo.find(trx, organizationId, promotionId, lock);
    if (!promotion) throw new NotFoundError('promotion');
    return promotion;
  }

  function requireCodeKind(promotion: PromotionRow): void {
    if (promotion.kind !== 'code')
      throw new UnprocessableError(
        'PROMOTION_NOT_CODE_KIND',
        'Only a promotion of kind "code" has codes; an automatic one applies without them.',
        [{ path: '/params/promotionId', message: 'is an automatic promotion', code: 'PROMOTION_NOT_CODE_KIND' }],
      );
  }

  async function generate(
    trx: Tx,
    promotion: PromotionRow,
    count: number,
    prefix: string,
    length: number,
  ): Promise<CodeRow[]> {
    const created: CodeRow[] = [];
    const drawn = new Set<string>();
    for (let round = 0; round < BATCH_ROUNDS && created.length < count; round++) {
      const codes: string[] = [];
      while (codes.length < count - created.length) {
        const code = randomCode(prefix, length);
        const key = code.toUpperCase();
        if (drawn.has(key)) continue;
        drawn.add(key);
        codes.push(code);
      }
      const rows = await codesRepo.insertBatch(trx, {
        organizationId: promotion.organization_id,
        promotionId: promotion.id,
        ids: codes.map(() => uuidv7()),
        codes,
      });
      created.push(...rows);
    }
    if (created.length < count)
      throw new ConflictError(
        'CODE_SPACE_EXHAUSTED',
        'Could not draw enough unused codes with this prefix and length; use a longer length or another prefix.',
      );
    return created.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  return {
    /** Creates one shared code or a batch; the codes created, in id order. */
    async create(
      principal: Principal | null,
      organizationId: string,
      promotionId: string,
      body: CreateCodesBody,
    ): Promise<{ shared: boolean; codes: PromotionCodeOut[] }> {
      assertRule(principal, RULES.editPromotions, organizationId);
      if ('count' in body) {
        const prefix = body.prefix ?? '';
        const length = body.length ?? DEFAULT_LENGTH;
        const rows = await inTransaction(db, async (trx) => {
          const promotion = await promotionFor(trx, organizationId, promotionId, true);
          requireCodeKind(promotion);
          const created = await generate(trx, promotion, body.count, prefix, length);
          await recordAudit(trx, {
            organizationId,
            action: 'marketing.promotion_codes.generated',
            target: { type: 'promotion', id: promotionId },
            after: { count: created.length, prefix: prefix === '' ? null : prefix, length },
          });
          return created;
        });
        return { shared: false, codes: rows.map(presentCode) };
      }
      try {
        const row = await inTransaction(db, async (trx) => {
          const promotion = await promotionFor(trx, organizationId, promotionId, true);
          requireCodeKind(promotion);
          const inserted = await codesRepo.insert(trx, {
            id: uuidv7(),
            organization_id: organizationId,
            promotion_id: promotionId,
            code: body.code,
            usage_limit: body.usage_limit ?? null,
          });
          await recordAudit(trx, {
            organizationId,
            action: 'marketing.promotion_code.created',
            target: { type: 'promotion_code', id: inserted.id },
            after: { promotion_id: promotionId, code: inserted.code, usage_limit: inserted.usage_limit },
          });
          return inserted;
        });
        return { shared: true, codes: [presentCode(row)] };
      } catch (error) {
        if (isUniqueViolation(error))
          throw new ConflictError(
            'CODE_TAKEN',
            `The code ${body.code} is already issued in this organization (codes ignore case).`,
          );
        throw error;
      }
    },

    async list(
      principal: Principal | null,
      organizationId: string,
      promotionId: string,
      query: CodeListQuery,
    ): Promise<PageOf<PromotionCodeOut>> {
      assertRule(principal, RULES.readPromotions, organizationId);
      await promotionFor(db, organizationId, promotionId, false);
      const limit = query.limit ?? 20;
      const after = decodeCursor(query.cursor, ['id'] as const);
      const rows = await codesRepo.list(db, organizationId, promotionId, { afterId: after?.id ?? null, limit });
      return toPage(rows, limit, presentCode, (row) => ({ id: row.id }));
    },

    /** Every code of the promotion as CSV (code,usage_limit,uses,created_at), in id order. */
    async exportCsv(principal: Principal | null, organizationId: string, promotionId: string): Promise<string> {
      assertRule(principal, RULES.readPromotions, organizationId);
      await promotionFor(db, organizationId, promotionId, false);
      let csv = csvLines([], true);
      let afterId: string | null = null;
      for (;;) {
        const rows = await codesRepo.list(db, organizationId, promotionId, { afterId, limit: EXPORT_PAGE });
        const page = rows.slice(0, EXPORT_PAGE);
        csv += csvLines(page, false);
        if (rows.length <= EXPORT_PAGE) return csv;
        afterId = page[page.length - 1]!.id;
      }
    },

    async get(
      principal: Principal | null,
      organizationId: string,
      promotionId: string,
      codeId: string,
    ): Promise<PromotionCodeOut> {
      assertRule(principal, RULES.readPromotions, organizationId);
      await promotionFor(db, organizationId, promotionId, false);
      const row = await codesRepo.find(db, organizationId, promotionId, codeId);
      if (!row) throw new NotFoundError('promotion code');
      return presentCode(row);
    },

    /** Removes the code: it no longer applies (redemptions made with it keep their history). */
    async remove(principal: Principal | null, organizationId: string, promotionId: string, codeId: string) {
      assertRule(principal, RULES.editPromotions, organizationId);
      await inTransaction(db, async (trx) => {
        await promotionFor(trx, organizationId, promotionId, true);
        const row = await codesRepo.remove(trx, organizationId, promotionId, codeId);
        if (!row) throw new NotFoundError('promotion code');
        await recordAudit(trx, {
          organizationId,
          action: 'marketing.promotion_code.deleted',
          target: { type: 'promotion_code', id: codeId },
          before: { promotion_id: promotionId, code: row.code, usage_limit: row.usage_limit, uses: row.uses },
        });
      });
    },
  };
}

export type CodeService = ReturnType<typeof createCodeService>;
