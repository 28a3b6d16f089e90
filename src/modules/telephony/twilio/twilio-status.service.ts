import { Injectable } from '@nestjs/common';
import { fromTwilioStatus, isTerminal } from '../calls/call-status';
import { CallsService, StatusOutcome } from '../calls/calls.service';
import { AdmissionService } from '../queue/admission.service';
import type { StatusCallback } from './twilio-webhook.params';
import { OutboundCallService } from '../calls/outbound-call.service';

/** Twilio call-status callbacks: idempotent, ordered by the call state machine. */
@Injectable()
export class TwilioStatusService {
  constructor(
    private readonly calls: CallsService,
    private readonly admission: AdmissionService,
    private readonly outbound: OutboundCallService,
  ) {}

  async apply(
    params: StatusCallback,
    rawParams: Record<string, unknown>,
  ): Promise<StatusOutcome | 'unknown_status'> {
    const status = fromTwilioStatus(params.CallStatus);
    if (!status) return 'unknown_status';
    const { outcome, call } = await this.calls.applyProviderStatus(
      'twilio',
      params.CallSid,
      status,
      {
        type: `twilio.status.${params.CallStatus}`,
        payload: rawParams,
        dedupeKey: `twilio.status:${params.CallStatus}:${params.SequenceNumber ?? params.Timestamp ?? ''}`,
      },
    );
    if (call && isTerminal(call.status)) {
      // Also when the call had already ended (the fallback route, a session, an earlier callback): whoever ended
      // it may not have freed its place in the queue or its slot, and a ghost at the queue's head blocks every
      // caller behind it. Both are idempotent.
      await this.admission.release(call.id);
      if (outcome === 'applied') await this.outbound.retryIfUnanswered(call);
    }
    return outcome;
  }
}
