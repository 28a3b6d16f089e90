import { Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import { RateLimitedError } from '../../../common/errors/domain-error';
import { AppConfig } from '../../../config/app-config';

const MINUTE_MS = 60_000;

/**
 * TWILIO_RATE_LIMIT voice webhooks per minute per calling number, counted in the shared throttler storage
 * (Redis when configured). Checked after the signature, so forged requests cannot exhaust a caller's budget.
 */
@Injectable()
export class CallerRateLimiter {
  constructor(
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    private readonly config: AppConfig,
  ) {}

  async check(caller: string): Promise<void> {
    const limit = this.config.telephony.twilio.ratePerMinute;
    // Blocked for the rest of the window once over the limit (the throttler's own semantics).
    const record = await this.storage.increment(
      `twilio-caller:${caller}`,
      MINUTE_MS,
      limit,
      MINUTE_MS,
      'twilio-caller',
    );
    if (record.isBlocked || record.totalHits > limit) {
      throw new RateLimitedError(
        Math.max(record.timeToBlockExpire, record.timeToExpire, 1),
        'Too many calls from this number',
      );
    }
  }
}
