import { Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../../config/app-config';
import { JwtKeys } from '../../auth/tokens/jwt-keys';

export interface StreamClaims {
  callId: string;
  organizationId: string;
  providerCallId: string;
}

/**
 * Short-lived tokens that the voice webhook puts in the TwiML `<Parameter>`s and the media WebSocket checks:
 * only a call this server accepted can attach a stream, and only for a little while.
 */
@Injectable()
export class StreamTokenService {
  private readonly key: Buffer;

  constructor(
    keys: JwtKeys,
    private readonly config: AppConfig,
  ) {
    this.key = keys.derive('media-stream-token');
  }

  issue(claims: StreamClaims, now = Date.now()): string {
    const body = Buffer.from(
      JSON.stringify({
        c: claims.callId,
        o: claims.organizationId,
        p: claims.providerCallId,
        e: Math.floor(now / 1000) + this.config.telephony.streamTokenTtlSeconds,
      }),
    ).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The claims of a valid, unexpired token; undefined otherwise. */
  verify(token: string, now = Date.now()): StreamClaims | undefined {
    const [body, signature] = token.split('.');
    if (!body || !signature) return undefined;
    const expected = Buffer.from(this.sign(body));
    const presented = Buffer.from(signature);
    if (expected.length !== presented.length || !timingSafeEqual(expected, presented))
      return undefined;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
        c: string;
        o: string;
        p: string;
        e: number;
      };
      if (claims.e * 1000 < now) return undefined;
      return { callId: claims.c, organizationId: claims.o, providerCallId: claims.p };
    } catch {
      return undefined;
    }
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
