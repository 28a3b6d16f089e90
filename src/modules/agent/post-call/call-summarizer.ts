import { Inject, Injectable, Logger } from '@nestjs/common';
import { LanguageModel } from '../llm/language-model';
import type { PostCallPayload } from './post-call-payload';

const INSTRUCTIONS =
  'You write the memory an assistant keeps about a caller. In one or two sentences, say what the caller wanted, ' +
  'what was done or resolved, and anything to follow up next time. Facts from the transcript only, no preamble.';
const MAX_SUMMARY_CHARACTERS = 600;

/**
 * The summary memory of a finished conversation: by the language model when one is configured, extractive
 * (the caller's own words, what the agent did) otherwise or when the model fails.
 */
@Injectable()
export class CallSummarizer {
  private readonly logger = new Logger('CallSummarizer');

  constructor(@Inject(LanguageModel) private readonly model: LanguageModel) {}

  async summarize(
    payload: PostCallPayload,
    signal?: AbortSignal,
  ): Promise<{ text: string; by: string }> {
    if (this.model.name !== 'local') {
      try {
        let text = '';
        for await (const event of this.model.generate({
          agent: { name: 'summarizer', persona: '', transferNumber: null },
          messages: [
            { role: 'system', content: INSTRUCTIONS },
            { role: 'user', content: renderTranscript(payload) },
          ],
          tools: [],
          context: { knowledge: [], memories: [] },
          channel: 'chat',
          signal,
        })) {
          if (event.type === 'text') text += event.text;
        }
        if (text.trim())
          return { text: text.trim().slice(0, MAX_SUMMARY_CHARACTERS), by: this.model.name };
      } catch (error) {
        this.logger.warn(
          `Summary by ${this.model.name} failed, writing an extractive one: ${(error as Error).message}`,
        );
      }
    }
    return { text: extractiveSummary(payload), by: 'extractive' };
  }
}

function renderTranscript(payload: PostCallPayload): string {
  return payload.transcript
    .filter((turn) => turn.role !== 'tool')
    .map((turn) => `${turn.role === 'caller' ? 'Caller' : 'Agent'}: ${turn.text}`)
    .join('\n')
    .slice(-12_000);
}

/** The caller's first and last words, and what the agent did: true, if plain. */
export function extractiveSummary(payload: PostCallPayload): string {
  const said = payload.transcript
    .filter((turn) => turn.role === 'caller' && !turn.text.startsWith('(The caller pressed'))
    .map((turn) => turn.text.trim());
  const parts: string[] = [];
  const when = payload.channel === 'phone' ? 'On this call' : 'In this chat';
  if (said[0]) parts.push(`${when} the caller said: "${clip(said[0])}"`);
  if (said.length > 1) parts.push(`Last they said: "${clip(said.at(-1)!)}"`);
  const done: string[] = [];
  if (payload.toolsUsed.includes('remember')) done.push('noted details about them');
  if (payload.toolsUsed.includes('knowledge_search')) done.push('looked up information');
  if (payload.toolsUsed.includes('calculator')) done.push('did a calculation');
  if (payload.outcome.transferred) done.push('transferred them to a colleague');
  if (done.length > 0) parts.push(`The agent ${done.join(', ')}`);
  return parts
    .map((part) => (/[.!?]"?$/.test(part) ? part : `${part}.`))
    .join(' ')
    .slice(0, MAX_SUMMARY_CHARACTERS);
}

function clip(text: string): string {
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
