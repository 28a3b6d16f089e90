import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AgentTool, ToolContext, ToolError, ToolOutcome } from './agent-tool';

const parameters = z.object({
  reason: z.string().max(200).default('').describe('Why the caller needs a person, briefly'),
});

/**
 * Hands the caller to a person at the agent's transfer number. The transfer itself (Twilio `<Dial>` through the
 * REST API) happens once the agent's reply has been heard; the model is told to announce it.
 */
@Injectable()
export class TransferToHumanTool implements AgentTool<z.infer<typeof parameters>> {
  readonly name = 'transfer_to_human';
  readonly description =
    'Transfers the caller to a human colleague. Use when the caller asks for a person or you cannot help.';
  readonly parameters = parameters;
  readonly fallback = "I'm sorry, I couldn't connect you to a colleague just now.";

  available(context: Pick<ToolContext, 'agent'>): boolean {
    return Boolean(context.agent.transferNumber);
  }

  run(args: z.infer<typeof parameters>, context: ToolContext): Promise<ToolOutcome> {
    const to = context.agent.transferNumber;
    if (!to) throw new ToolError('TRANSFER_NOT_CONFIGURED', 'This agent has no transfer number');
    if (context.channel !== 'phone') {
      return Promise.resolve({
        content: JSON.stringify({
          transferred: false,
          note: `This is a chat test: on a call the caller would now be transferred to ${to}. Tell them so.`,
        }),
      });
    }
    return Promise.resolve({
      content: JSON.stringify({
        transferring: true,
        note: 'The caller will be connected to a colleague right after your reply. Tell them so, briefly.',
        reason: args.reason,
      }),
      action: { kind: 'transfer', to },
    });
  }
}
