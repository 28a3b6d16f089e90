import { Logger } from '@nestjs/common';
import { Twilio } from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import { ExternalProviderError } from '../../../../common/errors/domain-error';
import type { ProviderPolicy } from '../../../../common/resilience/provider-policy';
import { providerStatusOf } from '../../../../common/resilience/retryable-error';
import { TwilioCallControl } from './twilio-call-control';

const TWILIO_API = 'https://api.twilio.com';

/** Sends the SDK's requests to TWILIO_API_BASE_URL instead of api.twilio.com (a stand-in, a proxy, an edge). */
class RebasedRequestClient extends RequestClient {
  constructor(private readonly baseUrl: string) {
    super({ timeout: 15_000 });
  }

  override request<T>(options: RequestClient.RequestOptions<T>) {
    return super.request({ ...options, uri: options.uri.replace(TWILIO_API, this.baseUrl) });
  }
}

/** Creating a call is not idempotent: retry only when Twilio provably did nothing (429, refused connection). */
export function safeToRetryCreate(error: unknown): boolean {
  const status = providerStatusOf(error);
  if (status !== undefined) return status === 429;
  return (error as { code?: unknown } | null)?.code === 'ECONNREFUSED';
}

export class TwilioRestCallControl extends TwilioCallControl {
  private readonly logger = new Logger('TwilioRest');
  private readonly client: Twilio;

  constructor(
    accountSid: string,
    authToken: string,
    baseUrl: string,
    private readonly policy: ProviderPolicy,
    private readonly createPolicy: ProviderPolicy,
  ) {
    super();
    this.client = new Twilio(accountSid, authToken, {
      httpClient: new RebasedRequestClient(baseUrl),
      autoRetry: false,
    });
  }

  async createCall(input: Parameters<TwilioCallControl['createCall']>[0]) {
    const call = await this.createPolicy.execute(() =>
      this.client.calls.create({
        to: input.to,
        from: input.from,
        url: input.url,
        method: 'POST',
        statusCallback: input.statusCallback,
        statusCallbackMethod: 'POST',
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        timeout: input.timeoutSeconds,
      }),
    );
    this.logger.log(`Created outbound call ${call.sid} (${call.status})`);
    return { sid: call.sid, status: call.status };
  }

  async updateCall(
    sid: string,
    update: { twiml: string } | { status: 'completed' },
  ): Promise<void> {
    await this.policy.execute(() => this.client.calls(sid).update(update));
  }
}

/** Used when TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN are missing: says so instead of failing obscurely. */
export class UnconfiguredTwilioCallControl extends TwilioCallControl {
  private error(): ExternalProviderError {
    return new ExternalProviderError(
      'twilio',
      'Twilio is not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN',
      503,
    );
  }

  createCall(): Promise<{ sid: string; status: string }> {
    return Promise.reject(this.error());
  }

  updateCall(): Promise<void> {
    return Promise.reject(this.error());
  }
}
