import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { fromTwilioStatus } from '../calls/call-status';
import type { Call } from '../calls/call.entity';
import { CallsService } from '../calls/calls.service';
import type { Customer } from '../customers/customer.entity';
import { PhoneNumbersRepository } from '../phone-numbers/phone-numbers.repository';
import { Admission, AdmissionService } from '../queue/admission.service';
import { PendingStreams } from '../streams/pending-streams';
import { StreamTokenService } from '../streams/stream-token.service';
import { CallerRateLimiter } from './caller-rate-limiter';
import { APOLOGY, BUSY_MESSAGE, NOT_IN_SERVICE, SHUTTING_DOWN_MESSAGE, Twiml } from './twiml';
import type { VoiceWebhook } from './twilio-webhook.params';

export const MEDIA_STREAM_PATH = '/telephony/twilio/media';
export const QUEUE_POLL_PATH = '/telephony/twilio/queue-wait';

/** What happens when Twilio asks what to do with a call: find its agent, record it, admit it, answer TwiML. */
@Injectable()
export class TwilioVoiceService {
  private readonly logger = new Logger('TwilioVoice');

  constructor(
    private readonly config: AppConfig,
    private readonly numbers: PhoneNumbersRepository,
    private readonly calls: CallsService,
    private readonly admission: AdmissionService,
    private readonly streamTokens: StreamTokenService,
    private readonly pendingStreams: PendingStreams,
    private readonly rateLimiter: CallerRateLimiter,
  ) {}

  async answer(params: VoiceWebhook, rawParams: Record<string, unknown>): Promise<string> {
    // An outbound call we dialled was answered: Twilio asks for its instructions with the callee as To.
    // (Twilio says which it is; without the parameter, look the call up.)
    const dialled = params.Direction?.startsWith('inbound')
      ? null
      : await this.calls.findByProviderCallId('twilio', params.CallSid);
    if (dialled?.direction === 'outbound') {
      await this.calls.recordEvent(
        dialled,
        'twilio.voice',
        rawParams,
        `twilio.voice:${params.CallSid}`,
      );
      return this.respond(
        dialled,
        await this.admission.admit({
          callId: dialled.id,
          organizationId: dialled.organizationId,
          priority: 0,
        }),
      );
    }

    if (params.From !== 'anonymous') await this.rateLimiter.check(params.From);

    const number = await this.numbers.findByE164(params.To);
    if (!number || !number.enabled || !number.agentId) {
      this.logger.warn(
        `Call ${params.CallSid} to ${params.To}: number unknown, disabled or without an agent`,
      );
      return Twiml.sayAndHangup(NOT_IN_SERVICE);
    }

    const { call, customer } = await this.calls.acceptInbound({
      organizationId: number.organizationId,
      provider: 'twilio',
      providerCallId: params.CallSid,
      from: params.From,
      to: params.To,
      agentId: number.agentId,
      status: fromTwilioStatus(params.CallStatus) ?? 'ringing',
    });
    await this.calls.recordEvent(call, 'twilio.voice', rawParams, `twilio.voice:${params.CallSid}`);

    const priority = priorityOf(customer);
    return this.respond(
      call,
      await this.admission.admit({
        callId: call.id,
        organizationId: call.organizationId,
        priority,
      }),
    );
  }

  /** A queued caller's hold loop asks again. */
  async pollQueue(callSid: string): Promise<string> {
    const call = await this.callBySid(callSid);
    if (!call) return Twiml.sayAndHangup(BUSY_MESSAGE);
    return this.respond(
      call,
      await this.admission.poll({ callId: call.id, organizationId: call.organizationId }),
    );
  }

  private async respond(call: Call, admission: Admission): Promise<string> {
    switch (admission.kind) {
      case 'connect':
        this.pendingStreams.expect(call.id);
        return Twiml.connectStream(this.mediaStreamUrl(), {
          token: this.streamTokens.issue({
            callId: call.id,
            organizationId: call.organizationId,
            providerCallId: call.providerCallId!,
          }),
          callId: call.id,
        });
      case 'queued':
        await this.calls.recordEvent(
          call,
          'queue.waiting',
          { position: admission.position },
          `queue.waiting:${admission.position}`,
        );
        return Twiml.hold(
          this.config.telephony.holdMessage,
          this.config.telephony.queuePollIntervalSeconds,
          this.config.server.publicBaseUrl + QUEUE_POLL_PATH,
        );
      case 'busy':
        await this.calls.end(
          call.id,
          'busy',
          admission.reason === 'queue_full' ? 'queue_full' : 'capacity',
        );
        return admission.reason === 'queue_full'
          ? Twiml.sayAndHangup(BUSY_MESSAGE)
          : Twiml.rejectBusy();
      case 'draining': {
        const redirect = this.config.telephony.drainRedirectUrl;
        await this.calls.end(call.id, 'canceled', redirect ? 'redirected_draining' : 'shutdown');
        return redirect ? Twiml.redirect(redirect) : Twiml.sayAndHangup(SHUTTING_DOWN_MESSAGE);
      }
    }
  }

  private callBySid(callSid: string) {
    return this.calls.findByProviderCallId('twilio', callSid);
  }

  /**
   * Twilio's Fallback URL: our answer to a call failed or timed out, so the caller hears an apology and no stream
   * is coming. The call ends as failed and gives back what admission reserved for it at once: waiting for its
   * status callback would leave a slot taken, or a ghost at the head of the queue, if that callback is lost.
   */
  async fallback(params: Record<string, unknown>): Promise<string> {
    const callSid = typeof params.CallSid === 'string' ? params.CallSid : undefined;
    const call = callSid ? await this.calls.findByProviderCallId('twilio', callSid) : null;
    // Our 429 to an over-limit caller lands here too (Twilio falls back on any non-2xx): no call was created,
    // and the caller should hear busy, not an apology for a fault.
    const from = typeof params.From === 'string' ? params.From : undefined;
    if (!call && from && from !== 'anonymous' && (await this.rateLimiter.isOverLimit(from))) {
      this.logger.log(`Call ${String(callSid)} from an over-limit number: rejected as busy`);
      return Twiml.rejectBusy();
    }
    this.logger.error(
      `Twilio fell back for call ${String(callSid)}: error ${String(params.ErrorCode)} at ${String(params.ErrorUrl)}`,
    );
    if (call) {
      await this.calls.recordEvent(
        call,
        'twilio.fallback',
        params,
        `twilio.fallback:${String(params.ErrorCode)}`,
      );
      await this.calls.end(call.id, 'failed', 'webhook_fallback');
      await this.admission.release(call.id);
      this.pendingStreams.attached(call.id);
    }
    return Twiml.sayAndHangup(APOLOGY);
  }

  mediaStreamUrl(): string {
    return this.config.server.publicBaseUrl.replace(/^http/, 'ws') + MEDIA_STREAM_PATH;
  }
}

/** A customer's queue priority (metadata.priority; higher is served first). */
function priorityOf(customer: Customer): number {
  const priority = Number(customer.metadata?.priority ?? 0);
  return Number.isFinite(priority) ? priority : 0;
}
