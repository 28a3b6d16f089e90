import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { openStream } from '../../../common/resilience/open-stream';
import type { ProviderPolicy } from '../../../common/resilience/provider-policy';
import { ConversationResponder, ResponseRequest } from './conversation-responder';

// Earlier turns sent with each request: enough context for a phone call, bounded cost and latency.
const HISTORY_WINDOW = 24;

const VOICE_GUIDANCE =
  'You are speaking with a caller on the telephone. Answer in short, natural spoken sentences, without ' +
  'lists, markdown or symbols that cannot be read aloud.';

/**
 * Streamed chat completions from OpenAI or any compatible server (Ollama, vLLM, llama.cpp) through
 * OPENAI_BASE_URL. The policy covers obtaining the stream; the caller sees text as soon as it is generated.
 */
export class OpenAiChatResponder extends ConversationResponder {
  readonly name = 'openai';

  constructor(
    private readonly client: OpenAI,
    private readonly model: string,
    private readonly policy: ProviderPolicy,
  ) {
    super();
  }

  async *respond(request: ResponseRequest): AsyncGenerator<string> {
    const messages: ChatCompletionMessageParam[] = [
      {
        role: 'system',
        content: [request.agent?.systemPrompt, VOICE_GUIDANCE].filter(Boolean).join('\n\n'),
      },
      ...request.history.slice(-HISTORY_WINDOW).map((turn): ChatCompletionMessageParam => ({
        role: turn.role === 'caller' ? 'user' : 'assistant',
        content: turn.text,
      })),
      { role: 'user', content: request.callerInput },
    ];
    const stream = await openStream(
      this.policy,
      (signal) =>
        this.client.chat.completions.create(
          { model: this.model, messages, stream: true, temperature: 0.4 },
          { signal, maxRetries: 0 },
        ),
      request.signal,
    );
    for await (const chunk of stream) {
      if (request.signal?.aborted) return;
      const delta = chunk.choices[0]?.delta?.content;
      if (delta) yield delta;
    }
  }
}
