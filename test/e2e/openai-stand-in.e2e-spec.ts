import OpenAI from 'openai';
import type { ChatCompletionTool } from 'openai/resources/chat/completions';
import {
  OpenAiStandIn,
  standInEmbedding,
  type StandInChatRequest,
} from '../support/openai-stand-in';
import { waitFor } from '../support/wait-for';

/**
 * The stand-in is only worth trusting if the real SDK reads it as it reads OpenAI: these checks drive it with
 * `openai` itself, so a wire-format slip fails here rather than as a puzzling agent or memory failure.
 */
describe('OpenAI stand-in, read by the openai SDK (e2e)', () => {
  const standIn = new OpenAiStandIn();
  let client: OpenAI;

  const tools: ChatCompletionTool[] = [
    {
      type: 'function',
      function: {
        name: 'lookup_order',
        description: 'Finds an order by its number.',
        parameters: {
          type: 'object',
          properties: { orderId: { type: 'string' } },
          required: ['orderId'],
        },
      },
    },
    {
      type: 'function',
      function: { name: 'transfer_call', parameters: { type: 'object', properties: {} } },
    },
  ];

  beforeAll(async () => {
    await standIn.start();
    client = new OpenAI({ apiKey: 'x', baseURL: standIn.url, maxRetries: 0 });
  });
  afterAll(() => standIn.stop());
  beforeEach(() => {
    standIn.requests.length = 0;
    standIn.failNext.length = 0;
    standIn.scriptedTurns.length = 0;
    standIn.respond = undefined;
    standIn.embeddingDimensionsOverride = undefined;
    standIn.tokenDelayMs = 1;
  });

  function norm(vector: readonly number[]): number {
    return Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  }

  function cosine(a: readonly number[], b: readonly number[]): number {
    return a.reduce((sum, value, index) => sum + value * b[index], 0) / (norm(a) * norm(b));
  }

  describe('chat completions', () => {
    it('streams a tool call whose pieces the SDK reassembles by index', async () => {
      const args = { orderId: 'A-17', lines: ['blue mug', 'tea towel'], gift: true };
      standIn.scriptTurns({ toolCalls: [{ name: 'lookup_order', arguments: args }] });

      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Where is my order A-17?' }],
        tools,
        stream: true,
      });
      const calls: { id?: string; name?: string; arguments: string; pieces: number }[] = [];
      let finishReason: string | null = null;
      let content = '';
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        content += choice.delta.content ?? '';
        for (const delta of choice.delta.tool_calls ?? []) {
          const call = (calls[delta.index] ??= { arguments: '', pieces: 0 });
          call.id ??= delta.id;
          call.name ??= delta.function?.name;
          if (delta.function?.arguments) {
            call.arguments += delta.function.arguments;
            call.pieces++;
          }
        }
        finishReason = choice.finish_reason ?? finishReason;
      }

      expect(finishReason).toBe('tool_calls');
      expect(content).toBe('');
      expect(calls).toHaveLength(1);
      expect(calls[0].id).toMatch(/^call_\w+$/);
      expect(calls[0].name).toBe('lookup_order');
      expect(calls[0].pieces).toBeGreaterThan(1);
      expect(JSON.parse(calls[0].arguments)).toEqual(args);
      expect(standIn.requests[0].json).toMatchObject({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Where is my order A-17?' }],
        tools,
      });
    });

    it('streams text before parallel tool calls, accepted by the SDK’s own accumulator', async () => {
      standIn.scriptTurns({
        content: 'Let me check that for you.',
        toolCalls: [
          { name: 'lookup_order', arguments: { orderId: 'B-2' } },
          { name: 'transfer_call', arguments: '{}' },
        ],
      });

      const completion = await client.chat.completions
        .stream({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'Check B-2 then put me through.' }],
          tools,
          stream_options: { include_usage: true },
        })
        .finalChatCompletion();

      const [choice] = completion.choices;
      expect(choice.finish_reason).toBe('tool_calls');
      expect(choice.message.content).toBe('Let me check that for you.');
      expect(
        choice.message.tool_calls?.map((call) =>
          call.type === 'function' ? [call.function.name, call.function.arguments] : [],
        ),
      ).toEqual([
        ['lookup_order', '{"orderId":"B-2"}'],
        ['transfer_call', '{}'],
      ]);
      const ids = choice.message.tool_calls?.map((call) => call.id);
      expect(new Set(ids).size).toBe(2);
      expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    });

    it('decides a turn from the whole request, tool results included', async () => {
      const seen: StandInChatRequest[] = [];
      standIn.respond = (request) => {
        seen.push(request);
        const result = request.messages.find((message) => message.role === 'tool');
        return result
          ? `Your order is ${JSON.parse(result.content ?? '{}').status}.`
          : { toolCalls: [{ name: request.tools[0].name, arguments: { orderId: 'C-3' } }] };
      };
      const messages: OpenAI.ChatCompletionMessageParam[] = [
        { role: 'user', content: 'How is order C-3?' },
      ];

      const first = await client.chat.completions
        .stream({ model: 'gpt-4o', messages, tools })
        .finalChatCompletion();
      const call = first.choices[0].message.tool_calls![0];
      messages.push(first.choices[0].message, {
        role: 'tool',
        tool_call_id: call.id,
        content: JSON.stringify({ status: 'shipped' }),
      });
      const second = await client.chat.completions
        .stream({ model: 'gpt-4o', messages, tools })
        .finalChatCompletion();

      expect(second.choices[0]).toMatchObject({
        finish_reason: 'stop',
        message: { content: 'Your order is shipped.' },
      });
      expect(seen[0]).toMatchObject({
        model: 'gpt-4o',
        stream: true,
        tools: [{ name: 'lookup_order' }, { name: 'transfer_call' }],
      });
      expect(seen[1].messages).toMatchObject([
        { role: 'user', content: 'How is order C-3?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: call.id, function: { name: 'lookup_order' } }],
        },
        { role: 'tool', tool_call_id: call.id, content: '{"status":"shipped"}' },
      ]);
    });

    it('answers without streaming: reply by default, scripted tool calls when queued', async () => {
      const text = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Summarize the call.' },
          { role: 'user', content: 'Caller asked about opening hours.' },
        ],
      });
      expect(text).toMatchObject({
        object: 'chat.completion',
        model: 'gpt-4o-mini',
        choices: [
          {
            index: 0,
            finish_reason: 'stop',
            message: { role: 'assistant', content: 'You said: Caller asked about opening hours.' },
          },
        ],
      });
      expect(text.usage!.total_tokens).toBe(
        text.usage!.prompt_tokens + text.usage!.completion_tokens,
      );

      standIn.scriptTurns({ toolCalls: [{ name: 'lookup_order', arguments: { orderId: 'D-4' } }] });
      const tool = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'D-4?' }],
        tools,
      });
      expect(tool.choices[0]).toMatchObject({
        finish_reason: 'tool_calls',
        message: {
          content: null,
          tool_calls: [
            {
              type: 'function',
              function: { name: 'lookup_order', arguments: '{"orderId":"D-4"}' },
            },
          ],
        },
      });
    });

    it('refuses with failNext as an APIError, keeping the scripted turn for the retry', async () => {
      standIn.failNext.push(503);
      standIn.scriptTurns('Second time lucky.');
      const request = {
        model: 'gpt-4o-mini',
        messages: [{ role: 'user' as const, content: 'Hi' }],
      };

      const error: unknown = await client.chat.completions.create(request).catch((e) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error).toMatchObject({ status: 503, message: expect.stringContaining('stand-in') });

      const retried = await client.chat.completions.create(request);
      expect(retried.choices[0].message.content).toBe('Second time lucky.');
    });

    it('stops streaming when the client goes away', async () => {
      standIn.tokenDelayMs = 20;
      standIn.scriptTurns('A long answer that the caller interrupts well before it has finished.');
      const controller = new AbortController();
      const stream = await client.chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true },
        { signal: controller.signal },
      );
      let received = '';
      // The SDK ends an aborted stream quietly rather than throwing.
      for await (const chunk of stream) {
        received += chunk.choices[0].delta.content ?? '';
        if (received) controller.abort();
      }
      expect(received.length).toBeLessThan(20);

      await waitFor(
        () => Promise.resolve(standIn.requests[0]),
        (recorded) => recorded.aborted === true,
        { timeoutMs: 2000, intervalMs: 10 },
      );
    });
  });

  describe('embeddings', () => {
    it('answers float vectors of the requested dimension, one per input in order', async () => {
      const response = await client.embeddings.create({
        model: 'text-embedding-3-small',
        input: ['refund policy', 'opening hours'],
        dimensions: 64,
        encoding_format: 'float',
      });

      expect(standIn.requests[0].json).toMatchObject({ encoding_format: 'float', dimensions: 64 });
      expect(response).toMatchObject({
        object: 'list',
        model: 'text-embedding-3-small',
        data: [
          { object: 'embedding', index: 0 },
          { object: 'embedding', index: 1 },
        ],
      });
      expect(response.usage.prompt_tokens).toBeGreaterThan(0);
      for (const { embedding } of response.data) {
        expect(embedding).toHaveLength(64);
        expect(norm(embedding)).toBeCloseTo(1, 5);
      }
      expect(response.data[0].embedding).toEqual(standInEmbedding('refund policy', 64));
    });

    it('answers base64 when the SDK asks by default, decoding to the same vectors', async () => {
      const decoded = await client.embeddings.create({
        model: 'text-embedding-3-small',
        input: 'Refunds are issued within 30 days.',
        dimensions: 256,
      });
      const plain = await client.embeddings.create({
        model: 'text-embedding-3-small',
        input: 'Refunds are issued within 30 days.',
        dimensions: 256,
        encoding_format: 'float',
      });
      const undimensioned = await client.embeddings.create({
        model: 'text-embedding-3-small',
        input: 'Refunds are issued within 30 days.',
      });

      expect(standIn.requests[0].json).toMatchObject({ encoding_format: 'base64' });
      expect(decoded.data[0].embedding).toHaveLength(256);
      expect(norm(decoded.data[0].embedding)).toBeCloseTo(1, 5);
      expect(decoded.data[0].embedding).toEqual(plain.data[0].embedding);
      expect(undimensioned.data[0].embedding).toHaveLength(1536);
      expect(norm(undimensioned.data[0].embedding)).toBeCloseTo(1, 5);
    });

    it('places texts sharing words closer than unrelated ones', async () => {
      const query = 'What is your refund policy for damaged items?';
      const texts = [
        query,
        'Refunds for damaged items are issued within 30 days under our policy.',
        'The shop opens at nine in the morning on weekdays.',
        'Our weekend opening hours are ten to four.',
      ];
      const { data } = await client.embeddings.create({
        model: 'text-embedding-3-small',
        input: texts,
      });
      const [asked, refunds, weekdays, weekend] = data.map((item) => item.embedding);

      expect(cosine(asked, refunds)).toBeGreaterThan(0.5);
      expect(cosine(asked, refunds)).toBeGreaterThan(cosine(asked, weekdays) + 0.3);
      expect(cosine(asked, refunds)).toBeGreaterThan(cosine(asked, weekend) + 0.3);
      expect(cosine(weekdays, weekend)).toBeLessThan(cosine(asked, refunds));
    });

    it('answers a mismatched dimension when overridden, and fails on failNext', async () => {
      standIn.embeddingDimensionsOverride = 12;
      const mismatched = await client.embeddings.create({
        model: 'text-embedding-3-small',
        input: 'hello',
        dimensions: 64,
      });
      expect(mismatched.data[0].embedding).toHaveLength(12);

      standIn.failNext.push(429);
      const error: unknown = await client.embeddings
        .create({ model: 'text-embedding-3-small', input: 'hello' })
        .catch((e) => e);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error).toMatchObject({ status: 429 });
    });

    it('refuses empty input as OpenAI does', async () => {
      const error: unknown = await client.embeddings
        .create({ model: 'text-embedding-3-small', input: '' })
        .catch((e) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    });
  });
});
