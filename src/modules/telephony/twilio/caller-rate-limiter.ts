import { Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import { RateLimitedError } from '../../../common/errors/domain-error';
import { AppConfig } from '../../../config/app-config';

const MINUTE_MS = 60_000;

type HitRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

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
    const record = await this.hit(caller);
    if (this.over(record)) {
      throw new RateLimitedError(
        Math.max(record.timeToBlockExpire, record.timeToExpire, 1),
        'Too many calls from this number',
      );
    }
  }

  /**
   * Whether the caller is over the limit now. Twilio answers our 429 by fetching the fallback URL, whose request
   * carries no trace of it, so the fallback asks again; the storage has no read, so asking counts as one more
   * request from the number (a blocked number stays blocked for its window either way).
   */
  async isOverLimit(caller: string): Promise<boolean> {
    return this.over(await this.hit(caller));
  }

  private hit(caller: string): Promise<HitRecord> {
    const limit = this.config.telephony.twilio.ratePerMinute;
    // Blocked for the rest of the window once over the limit (the throttler's own semantics).
    return this.storage.increment(
      `twilio-caller:${caller}`,
      MINUTE_MS,
      limit,
      MINUTE_MS,
      'twilio-caller',
    );
  }

  private over(record: HitRecord): boolean {
    return record.isBlocked || record.totalHits > this.config.telephony.twilio.ratePerMinute;
  }
}
