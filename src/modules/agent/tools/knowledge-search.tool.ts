import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { KnowledgeService } from '../../memory/knowledge/knowledge.service';
import { AgentTool, ToolContext, ToolOutcome } from './agent-tool';

const parameters = z.object({
  query: z.string().min(1).max(500).describe('What to look up, in a few words'),
});

/** Searches the organization's knowledge base by meaning. */
@Injectable()
export class KnowledgeSearchTool implements AgentTool<z.infer<typeof parameters>> {
  readonly name = 'knowledge_search';
  readonly description =
    "Searches the organization's knowledge base (policies, prices, hours, FAQs) and returns the best passages.";
  readonly parameters = parameters;
  readonly fallback = "I'm sorry, I can't look that up right now.";

  constructor(private readonly knowledge: KnowledgeService) {}

  available(): boolean {
    return true;
  }

  async run({ query }: z.infer<typeof parameters>, context: ToolContext): Promise<ToolOutcome> {
    const results = await this.knowledge.search(context.organizationId, query, 3);
    return {
      content: JSON.stringify({
        results: results.map((hit) => ({
          title: hit.title,
          heading: hit.heading,
          text: hit.content,
          score: Math.round(hit.score * 100) / 100,
        })),
      }),
    };
  }
}
