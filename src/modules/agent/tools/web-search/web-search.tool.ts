import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AgentTool, ToolContext, ToolOutcome } from '../agent-tool';
import { WEB_SEARCH, WebSearch } from './web-search';

const parameters = z.object({
  query: z.string().min(1).max(300).describe('The search query'),
});

/** Looks something up on the web, through whichever WebSearch adapter is configured (none by default). */
@Injectable()
export class WebSearchTool implements AgentTool<z.infer<typeof parameters>> {
  readonly name = 'web_search';
  readonly description =
    'Searches the web for current public information and returns short snippets.';
  readonly parameters = parameters;
  readonly fallback = "I'm sorry, I can't search for that right now.";

  constructor(@Inject(WEB_SEARCH) private readonly search: WebSearch | null) {}

  available(): boolean {
    return this.search !== null;
  }

  async run({ query }: z.infer<typeof parameters>, context: ToolContext): Promise<ToolOutcome> {
    const results = await this.search!.search(query, { limit: 3, signal: context.signal });
    return { content: JSON.stringify({ results }) };
  }
}
