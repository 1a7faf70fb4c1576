// Request and response schemas of a promotion's codes: one shared code or a batch of unique
// single-use codes, their pages (JSON or CSV) and the batch's answer.
import { Type, type Static } from 'typebox';
import { Count, Int, Nullable, Page, PaginationQuery, Timestamp, Uuid } from '../../platform/http/schema.js';
import { CODE_PATTERN } from './model.js';
import { Limit, MAX_BATCH } from './schema.js';

const closed = { additionalProperties: false } as const;

export const PREFIX_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,23}$';

export const PromotionCodeSchema = Type.Object({
  id: Uuid,
  promotion_id: Uuid,
  code: Type.String({ maxLength: 40, pattern: CODE_PATTERN, description: 'As issued; matched case-insensitively' }),
  usage_limit: Nullable(Limit('1 for a single-use code; null: limited only by its promotion')),
  uses: Count(),
  created_at: Timestamp,
});
export type PromotionCodeOut = Static<typeof PromotionCodeSchema>;
export const PromotionCodePage = Page(PromotionCodeSchema);
export const CreatedCodes = Type.Object({
  data: Type.Array(PromotionCodeSchema, { maxItems: MAX_BATCH }),
});

export const CreateCodesBody = Type.Union(
  [
    Type.Object(
      {
        code: Type.String({ maxLength: 40, pattern: CODE_PATTERN, examples: ['WELCOME10'] }),
        usage_limit: Type.Optional(Limit('Uses of this code; absent: limited only by its promotion')),
      },
      { ...closed, description: 'One shared code' },
    ),
    Type.Object(
      {
        count: Int(1, MAX_BATCH, { description: 'How many unique single-use codes to generate' }),
        prefix: Type.Optional(Type.String({ maxLength: 24, pattern: PREFIX_PATTERN, examples: ['SPRING-'] })),
        length: Type.Optional(Int(8, 16, { description: 'Random characters after the prefix (default 10)' })),
      },
      { ...closed, description: 'A batch of unique single-use codes (usage_limit 1)' },
    ),
  ],
  { description: '`{code, usage_limit?}` for one shared code, or `{count, prefix?, length?}` for a batch' },
);
export type CreateCodesBody = Static<typeof CreateCodesBody>;

export const CodeListQuery = Type.Object(
  {
    ...PaginationQuery,
    format: Type.Optional(
      Type.Union([Type.Literal('json'), Type.Literal('csv')], {
        description: '`csv`: every code as text/csv (as `Accept: text/csv`), ignoring limit and cursor',
      }),
    ),
  },
  closed,
);
export type CodeListQuery = Static<typeof CodeListQuery>;
