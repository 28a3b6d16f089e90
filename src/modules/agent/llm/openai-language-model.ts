import OpenAI from 'openai';
import type {
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { openStream } from '../../../common/resilience/open-stream';
import type { ProviderPolicy } from '../../../common/resilience/provider-policy';
import {
  ChatMessage,
  GenerationEvent,
  GenerationRequest,
  LanguageModel,
  ToolCall,
} from './language-model';

/**
 * Streamed chat completions with tool calls from OpenAI or any compatible server (Ollama, vLLM, llama.cpp)
 * through OPENAI_BASE_URL. The policy covers obtaining the stream (timeouts, retries on 429/5xx, the circuit);
 * text is passed on as it is generated, tool calls once their arguments are complete.
 */
export class OpenAiLanguageModel extends LanguageModel {
  readonly name = 'openai';

  constructor(
    private readonly client: OpenAI,
    private readonly defaultModel: string,
    private readonly policy: ProviderPolicy,
  ) {
    super();
  }

  async *generate(request: GenerationRequest): AsyncGenerator<GenerationEvent> {
    const tools: ChatCompletionTool[] = request.tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, description: tool.description, parameters: tool.parameters },
    }));
    const stream = await openStream(
      this.policy,
      (signal) =>
        this.client.chat.completions.create(
          {
            model: request.model ?? this.defaultModel,
            messages: request.messages.map(toOpenAi),
            ...(tools.length > 0 && { tools }),
            stream: true,
            temperature: 0.4,
          },
          { signal, maxRetries: 0 },
        ),
      request.signal,
    );
    const calls = new Map<number, ToolCall>();
    for await (const chunk of stream.read(stream.value)) {
      if (request.signal?.aborted) return;
      const delta = chunk.choices[0]?.delta;
      if (delta?.content) yield { type: 'text', text: delta.content };
      for (const part of delta?.tool_calls ?? []) {
        const call = calls.get(part.index) ?? { id: '', name: '', arguments: '' };
        if (part.id) call.id = part.id;
        if (part.function?.name) call.name += part.function.name;
        if (part.function?.arguments) call.arguments += part.function.arguments;
        calls.set(part.index, call);
      }
    }
    for (const [index, call] of [...calls].sort(([a], [b]) => a - b)) {
      yield { type: 'tool_call', call: { ...call, id: call.id || `call_${index}` } };
    }
  }
}

function toOpenAi(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content || null,
        ...(message.toolCalls?.length && {
          tool_calls: message.toolCalls.map((call) => ({
            id: call.id,
            type: 'function' as const,
            function: { name: call.name, arguments: call.arguments },
          })),
        }),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}
