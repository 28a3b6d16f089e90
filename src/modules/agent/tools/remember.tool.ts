import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { MEMORY_KINDS } from '../../memory/customer-memory/customer-memory.entity';
import { CustomerMemoryService } from '../../memory/customer-memory/customer-memory.service';
import { AgentTool, ToolContext, ToolOutcome } from './agent-tool';

const parameters = z.object({
  content: z.string().min(1).max(500).describe('The fact, in one sentence about the caller'),
  kind: z
    .enum(MEMORY_KINDS.filter((kind) => kind !== 'summary') as ['fact', 'preference', 'issue'])
    .default('fact'),
  importance: z.number().min(0).max(1).default(0.6).describe('0..1, how much it matters later'),
});

export const REMEMBER_TOOL = 'remember';

/** Stores something about the caller for their next calls. */
@Injectable()
export class RememberTool implements AgentTool<z.infer<typeof parameters>> {
  readonly name = REMEMBER_TOOL;
  readonly description =
    'Remembers a fact, preference or open issue about the caller for future calls (e.g. their name, a preferred time).';
  readonly parameters = parameters;
  readonly fallback = "I'm sorry, I couldn't make a note of that.";

  constructor(private readonly memories: CustomerMemoryService) {}

  /** Only with a known caller: there is nobody to remember it about otherwise. */
  available(context: Pick<ToolContext, 'customerId'>): boolean {
    return context.customerId !== null;
  }

  async run(args: z.infer<typeof parameters>, context: ToolContext): Promise<ToolOutcome> {
    const memory = await this.memories.remember({
      organizationId: context.organizationId,
      customerId: context.customerId!,
      content: args.content,
      kind: args.kind,
      importance: args.importance,
      sourceCallId: context.callId,
    });
    return { content: JSON.stringify({ remembered: true, id: memory.id }) };
  }
}
