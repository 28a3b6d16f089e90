import { existsSync } from 'node:fs';
import { startErrorReporting } from './common/errors/error-reporting';

// Runs before anything else loads (main.ts imports it first): Sentry must hook modules before they load, so
// this reads the raw variables, .env included, ahead of config validation (which still reports a bad DSN).
if (existsSync('.env')) process.loadEnvFile('.env');
startErrorReporting({
  dsn: process.env.SENTRY_DSN,
  environment: process.env.NODE_ENV ?? 'development',
});
