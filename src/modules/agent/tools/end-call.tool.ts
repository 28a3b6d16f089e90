import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AgentTool, ToolContext, ToolOutcome } from './agent-tool';

const parameters = z.object({
  reason: z.string().max(200).default('').describe('Why the call ends, briefly'),
});

/** Ends the call once the agent's goodbye has been heard. */
@Injectable()
export class EndCallTool implements AgentTool<z.infer<typeof parameters>> {
  readonly name = 'end_call';
  readonly description =
    'Ends the call after your reply. Use when the caller says goodbye or the conversation is complete.';
  readonly parameters = parameters;
  readonly fallback = 'Thank you for calling. Goodbye.';

  available(): boolean {
    return true;
  }

  run(args: z.infer<typeof parameters>, context: ToolContext): Promise<ToolOutcome> {
    return Promise.resolve({
      content: JSON.stringify({
        ending: context.channel === 'phone',
        note: 'The call ends right after your reply: say a short goodbye.',
      }),
      action: { kind: 'end_call', reason: args.reason || 'agent_end_call' },
    });
  }
}
