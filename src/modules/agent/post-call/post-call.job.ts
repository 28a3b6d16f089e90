import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { JobContext, JobRunner } from '../../../common/jobs/job-runner.service';
import { CustomerMemoryService } from '../../memory/customer-memory/customer-memory.service';
import { InsightsService } from '../../memory/patterns/insights.service';
import { CallSummarizer } from './call-summarizer';
import { POST_CALL_JOB, PostCallPayload } from './post-call-payload';

/**
 * After a conversation: the caller's summary memory (so the next call knows what happened) and, for phone
 * calls, the outcome counted against the learned pattern of the agent's persona and tools.
 */
@Injectable()
export class PostCallJob implements OnModuleInit {
  private readonly logger = new Logger('PostCall');

  constructor(
    private readonly runner: JobRunner,
    private readonly summarizer: CallSummarizer,
    private readonly memory: CustomerMemoryService,
    private readonly insights: InsightsService,
  ) {}

  onModuleInit(): void {
    this.runner.register(POST_CALL_JOB, {
      run: (context) => this.run(context),
      leaseMs: 2 * 60_000,
    });
  }

  private async run({ job, signal }: JobContext): Promise<void> {
    const payload = job.payload as unknown as PostCallPayload;
    const { organizationId, customerId, callId } = payload;
    const summarised = callId ? await this.memory.hasSummaryOf(organizationId, callId) : false;
    if (customerId && !summarised) {
      const summary = await this.summarizer.summarize(payload, signal);
      if (signal.aborted) return;
      await this.memory.remember({
        organizationId,
        customerId,
        content: summary.text,
        kind: 'summary',
        importance: payload.outcome.transferred ? 0.7 : 0.5,
        sourceCallId: callId,
      });
      this.logger.log(
        `Stored the ${summary.by} summary of ${callId ? `call ${callId}` : 'a chat'}`,
      );
    }
    if (payload.channel === 'phone' && callId) {
      await this.insights.recordOutcome({
        callId,
        organizationId,
        callType: payload.callType,
        persona: payload.persona,
        tools: payload.tools,
        success: payload.outcome.success,
        context: payload.transcript.find((turn) => turn.role === 'caller')?.text,
      });
    }
  }
}
