import { requestLogLevel } from './request-log.hooks';

describe(requestLogLevel.name, () => {
  it('logs failures whatever the route', () => {
    expect(requestLogLevel(500, '/telephony/twilio/voice')).toBe('error');
    expect(requestLogLevel(403, '/telephony/twilio/voice')).toBe('warn');
    expect(requestLogLevel(404, '/api/v1/calls')).toBe('warn');
  });

  it('keeps probes, scrapes and self-logging webhooks at debug, other routes at info', () => {
    expect(requestLogLevel(200, '/health/ready')).toBe('debug');
    expect(requestLogLevel(200, '/metrics')).toBe('debug');
    expect(requestLogLevel(200, '/telephony/twilio/status')).toBe('debug');
    expect(requestLogLevel(200, '/api/v1/calls')).toBe('info');
    expect(requestLogLevel(201, '/telephony/twilio/recording-status')).toBe('info');
  });
});
