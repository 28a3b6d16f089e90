import { Module } from '@nestjs/common';
import { RateLimitModule } from '../../common/guards/rate-limit.module';
import { ResilienceFactory } from '../../common/resilience/resilience.factory';
import { AppConfig } from '../../config/app-config';
import { AgentModule } from '../agent/agent.module';
import { JwtKeysModule } from '../auth/tokens/jwt-keys.module';
import { ConversationPipelineFactory } from '../voice/pipeline/conversation-pipeline.factory';
import { VoiceModule } from '../voice/voice.module';
import { CallHistoryService } from './calls/call-history.service';
import { CallsController } from './calls/calls.controller';
import { CallsRepository } from './calls/calls.repository';
import { CallsService } from './calls/calls.service';
import { OutboundCallService } from './calls/outbound-call.service';
import { CustomersController } from './customers/customers.controller';
import { CustomersRepository } from './customers/customers.repository';
import { PhoneNumbersController } from './phone-numbers/phone-numbers.controller';
import { PhoneNumbersRepository } from './phone-numbers/phone-numbers.repository';
import { PhoneNumbersService } from './phone-numbers/phone-numbers.service';
import { AdmissionService } from './queue/admission.service';
import { CallQueue } from './queue/call-queue';
import { CallRegistry } from './registry/call-registry';
import { callStateProviders } from './registry/call-state.providers';
import { CallSessionManager } from './session/call-session.manager';
import { VoicePipelineFactory } from './session/voice-pipeline';
import { PendingStreams } from './streams/pending-streams';
import { StreamTokenService } from './streams/stream-token.service';
import { telephonyMetricProviders } from './telephony.metrics';
import { CallerRateLimiter } from './twilio/caller-rate-limiter';
import { TwilioCallControl } from './twilio/rest/twilio-call-control';
import {
  safeToRetryCreate,
  TwilioRestCallControl,
  UnconfiguredTwilioCallControl,
} from './twilio/rest/twilio-rest-call-control';
import { TwilioMediaGateway } from './twilio/twilio-media.gateway';
import { TwilioSignatureGuard } from './twilio/twilio-signature.guard';
import { TwilioStatusService } from './twilio/twilio-status.service';
import { TwilioVoiceService } from './twilio/twilio-voice.service';
import { TwilioWebhookController } from './twilio/twilio-webhook.controller';

/** The Twilio REST adapter when credentials are configured, bound through the resilience factory. */
const twilioCallControlProvider = {
  provide: TwilioCallControl,
  inject: [AppConfig, ResilienceFactory],
  useFactory: (config: AppConfig, resilience: ResilienceFactory): TwilioCallControl => {
    const { accountSid, authToken, apiBaseUrl } = config.telephony.twilio;
    if (!accountSid || !authToken) return new UnconfiguredTwilioCallControl();
    return new TwilioRestCallControl(
      accountSid,
      authToken,
      apiBaseUrl,
      resilience.create('twilio'),
      resilience.create('twilio-create-call', { retryable: safeToRetryCreate }),
    );
  },
};

@Module({
  imports: [RateLimitModule, JwtKeysModule, AgentModule, VoiceModule],
  controllers: [
    TwilioWebhookController,
    CallsController,
    PhoneNumbersController,
    CustomersController,
  ],
  providers: [
    ...telephonyMetricProviders,
    ...callStateProviders,
    twilioCallControlProvider,
    { provide: VoicePipelineFactory, useExisting: ConversationPipelineFactory },
    CallsRepository,
    CustomersRepository,
    PhoneNumbersRepository,
    CallsService,
    CallHistoryService,
    OutboundCallService,
    PhoneNumbersService,
    AdmissionService,
    PendingStreams,
    StreamTokenService,
    CallSessionManager,
    CallerRateLimiter,
    TwilioSignatureGuard,
    TwilioVoiceService,
    TwilioStatusService,
    TwilioMediaGateway,
  ],
  exports: [CallSessionManager, CallRegistry, CallQueue, VoicePipelineFactory],
})
export class TelephonyModule {}
