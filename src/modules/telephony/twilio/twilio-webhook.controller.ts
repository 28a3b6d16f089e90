import { Body, Controller, Header, HttpCode, Post, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../../common/auth/auth.decorators';
import { CallsService } from '../calls/calls.service';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { TwilioStatusService } from './twilio-status.service';
import { TwilioVoiceService } from './twilio-voice.service';
import { Twiml } from './twiml';
import { TwimlExceptionFilter } from './twiml-exception.filter';
import {
  parseTwilioParams,
  recordingCallbackSchema,
  statusCallbackSchema,
  voiceWebhookSchema,
} from './twilio-webhook.params';

type Params = Record<string, unknown>;

/** Twilio's webhooks. Signed (X-Twilio-Signature), answered with TwiML only, even on errors. */
@ApiExcludeController()
@Public()
@Controller('telephony/twilio')
@UseGuards(TwilioSignatureGuard)
@UseFilters(TwimlExceptionFilter)
export class TwilioWebhookController {
  constructor(
    private readonly voice: TwilioVoiceService,
    private readonly status: TwilioStatusService,
    private readonly calls: CallsService,
  ) {}

  @Post('voice')
  @HttpCode(200)
  @Header('content-type', 'text/xml; charset=utf-8')
  answer(@Body() body: Params): Promise<string> {
    return this.voice.answer(parseTwilioParams(voiceWebhookSchema, body), body);
  }

  @Post('queue-wait')
  @HttpCode(200)
  @Header('content-type', 'text/xml; charset=utf-8')
  queueWait(@Body() body: Params): Promise<string> {
    return this.voice.pollQueue(
      parseTwilioParams(statusCallbackSchema.pick({ CallSid: true }), body).CallSid,
    );
  }

  @Post('status')
  @HttpCode(200)
  @Header('content-type', 'text/xml; charset=utf-8')
  async statusCallback(@Body() body: Params): Promise<string> {
    await this.status.apply(parseTwilioParams(statusCallbackSchema, body), body);
    return Twiml.empty();
  }

  /** Stored as events now; the Recording module acts on them. */
  @Post('recording-status')
  @HttpCode(200)
  @Header('content-type', 'text/xml; charset=utf-8')
  async recordingStatus(@Body() body: Params): Promise<string> {
    const params = parseTwilioParams(recordingCallbackSchema, body);
    const call = await this.calls.findByProviderCallId('twilio', params.CallSid);
    if (call) {
      await this.calls.recordEvent(
        call,
        `twilio.recording.${params.RecordingStatus}`,
        body,
        `twilio.recording:${params.RecordingSid}:${params.RecordingStatus}`,
      );
    }
    return Twiml.empty();
  }

  /** Twilio's Fallback URL: our primary answer failed or timed out. The caller hears an apology. */
  @Post('fallback')
  @HttpCode(200)
  @Header('content-type', 'text/xml; charset=utf-8')
  fallback(@Body() body: Params): Promise<string> {
    return this.voice.fallback(body);
  }
}
