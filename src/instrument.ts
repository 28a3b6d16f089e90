import * as Sentry from '@sentry/nestjs';

// Sentry must hook modules before anything else loads, so this runs ahead of config validation and reads the
// raw variable; an invalid DSN is still reported by the config validation that follows.
const dsn = process.env.SENTRY_DSN?.trim();
if (dsn) {
  Sentry.init({
    dsn,
    environment: process.env.NODE_ENV ?? 'development',
    sendDefaultPii: false,
    tracesSampleRate: 0,
  });
}
