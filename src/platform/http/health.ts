// Liveness says the process is up; readiness says it can do its job: database reachable,
// migrations current, Redis answering when configured. A failing check is named in the 503.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

export type ReadinessCheck = () => Promise<void>;

const CheckResult = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('failing')]),
  detail: Type.Optional(Type.String({ maxLength: 500, description: 'A short, fixed message (no connection details)' })),
});
const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Record(Type.String(), CheckResult),
});

async function withTimeout(check: ReadinessCheck, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealth(app: FastifyInstance, checks: Record<string, ReadinessCheck>): void {
  app.get(
    '/health/live',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getLiveness',
        summary: 'The process is up',
        tags: ['platform'],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return { status: 'ok' as const };
    },
  );

  app.get(
    '/health/ready',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getReadiness',
        summary: 'Dependencies are reachable and the schema is current',
        tags: ['platform'],
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (request, reply) => {
      const results = await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          try {
            await withTimeout(check, 2000);
            return [name, { status: 'ok' as const }] as const;
          } catch (error) {
            request.log.warn({ check: name, reason: (error as Error).message }, 'readiness check failing');
            return [name, { status: 'failing' as const, detail: (error as Error).message }] as const;
          }
        }),
      );
      const ready = results.every(([, result]) => result.status === 'ok');
      reply.code(ready ? 200 : 503).header('cache-control', 'no-store');
      if (!ready) reply.header('retry-after', '5');
      return { status: ready ? ('ready' as const) : ('not_ready' as const), checks: Object.fromEntries(results) };
    },
  );
}
