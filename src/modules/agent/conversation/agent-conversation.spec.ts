import { Counter } from 'prom-client';
import { ValidationError } from '../../../common/errors/domain-error';
import type { AppConfig } from '../../../config/app-config';
import type { CustomerMemoryService } from '../../memory/customer-memory/customer-memory.service';
import type {
  KnowledgeSearchResult,
  KnowledgeService,
} from '../../memory/knowledge/knowledge.service';
import { Agent } from '../agents/agent.entity';
import {
  GenerationEvent,
  GenerationRequest,
  LanguageModel,
  RecalledMemory,
  RetrievedContext,
} from '../llm/language-model';
import { LocalRulesModel } from '../local/local-rules-model';
import { CalculatorTool } from '../tools/calculator/calculator.tool';
import { EndCallTool } from '../tools/end-call.tool';
import { KnowledgeSearchTool } from '../tools/knowledge-search.tool';
import { RememberTool } from '../tools/remember.tool';
import { ToolRegistry } from '../tools/tool-registry';
import { TransferToHumanTool } from '../tools/transfer-to-human.tool';
import { WebResult, WebSearch } from '../tools/web-search/web-search';
import { WebSearchTool } from '../tools/web-search/web-search.tool';
import {
  AgentConversation,
  ConversationSettings,
  MAX_INPUT_CHARACTERS,
} from './agent-conversation';
import type { AgentEvent, ConversationOutcome } from './agent-event';

const TOOL_TIMEOUT_MS = 200;
const CUT_SHORT = 'Sorry, I lost my train of thought there. Could you say that again?';
const LOOP_CAPPED = "I'm sorry, I couldn't finish that. Could you ask me in a different way?";

type Step = GenerationEvent | Error;

/** A language model that plays one scripted round per `generate` (an Error in a round is thrown there). */
class ScriptedModel extends LanguageModel {
  readonly requests: GenerationRequest[] = [];

  constructor(
    readonly name: string,
    private readonly rounds: Step[][] = [],
  ) {
    super();
  }

  async *generate(request: GenerationRequest): AsyncGenerator<GenerationEvent> {
    this.requests.push(request);
    for (const step of this.rounds.shift() ?? []) {
      // Real adapters stream over the network: every event arrives on a later tick.
      await Promise.resolve();
      if (step instanceof Error) throw step;
      yield step;
    }
  }
}

/** A model stuck in a loop: whatever it is given, it asks for the calculator again. */
class AlwaysCallsTool extends LanguageModel {
  readonly name = 'looping';
  readonly requests: GenerationRequest[] = [];

  async *generate(request: GenerationRequest): AsyncGenerator<GenerationEvent> {
    this.requests.push(request);
    await Promise.resolve();
    yield toolCall(`loop-${this.requests.length}`, 'calculator', { expression: '1 + 1' });
  }
}

/** Web search that answers at once, or never (until the tool's signal gives up on it). */
class FakeWebSearch extends WebSearch {
  readonly name = 'fake';
  readonly queries: string[] = [];
  abortedWith: unknown;

  constructor(private readonly behaviour: WebResult[] | 'hang') {
    super();
  }

  search(query: string, options: { limit: number; signal?: AbortSignal }): Promise<WebResult[]> {
    this.queries.push(query);
    if (this.behaviour !== 'hang') return Promise.resolve(this.behaviour);
    return new Promise((_, reject) => {
      options.signal?.addEventListener('abort', () => {
        this.abortedWith = options.signal?.reason;
        reject(options.signal?.reason as Error);
      });
    });
  }
}

function text(value: string): GenerationEvent {
  return { type: 'text', text: value };
}

function toolCall(id: string, name: string, args: Record<string, unknown>): GenerationEvent {
  return { type: 'tool_call', call: { id, name, arguments: JSON.stringify(args) } };
}

function memory(id: string, content: string): RecalledMemory {
  return { id, kind: 'fact', content, createdAt: new Date('2024-05-01'), score: 0.5 };
}

const HOURS_PASSAGE: KnowledgeSearchResult = {
  documentId: 'doc-hours',
  chunkId: 'chunk-1',
  title: 'Opening hours',
  heading: null,
  content: 'We open at nine on weekdays.',
  score: 0.83,
};

interface Setup {
  model?: LanguageModel;
  fallback?: LanguageModel;
  toolsEnabled?: string[];
  transferNumber?: string | null;
  customerId?: string | null;
  maxToolRounds?: number;
  recallLimit?: number;
  webSearch?: FakeWebSearch | null;
  context?: RetrievedContext;
  openingMemories?: RecalledMemory[];
}

function setup(options: Setup = {}) {
  const model = options.model ?? new ScriptedModel('primary');
  const fallback = options.fallback ?? new LocalRulesModel();
  const toolCalls = new Counter({
    name: 'test_tool_calls_total',
    help: 'x',
    labelNames: ['tool', 'outcome'],
    registers: [],
  });
  const fallbacks = new Counter({
    name: 'test_llm_fallbacks_total',
    help: 'x',
    labelNames: ['model'],
    registers: [],
  });
  const knowledgeSearches: unknown[][] = [];
  const knowledge = {
    search: (...args: unknown[]) => {
      knowledgeSearches.push(args);
      return Promise.resolve([HOURS_PASSAGE]);
    },
  } as unknown as KnowledgeService;
  const remembered: unknown[] = [];
  const memories = {
    remember: (input: unknown) => {
      remembered.push(input);
      return Promise.resolve({ id: 'memory-1' });
    },
  } as unknown as CustomerMemoryService;
  const webSearch = options.webSearch === undefined ? new FakeWebSearch([]) : options.webSearch;
  const tools = new ToolRegistry(
    { agent: { toolTimeoutMs: TOOL_TIMEOUT_MS } } as unknown as AppConfig,
    toolCalls,
    new CalculatorTool(),
    new KnowledgeSearchTool(knowledge),
    new RememberTool(memories),
    new TransferToHumanTool(),
    new EndCallTool(),
    new WebSearchTool(webSearch),
  );
  const agent = Object.assign(new Agent(), {
    id: 'agent-1',
    organizationId: 'org-1',
    name: 'Acme Books',
    systemPrompt: 'You answer calls for Acme Books.',
    persona: 'Friendly and brief.',
    callType: 'support',
    model: 'gpt-test',
    firstMessage: 'Hello, Acme Books.',
    voice: 'default',
    language: 'en-US',
    toolsEnabled: options.toolsEnabled ?? ['calculator', 'end_call'],
    sttProvider: null,
    ttsProvider: null,
    maxTurns: 8,
    transferNumber: options.transferNumber ?? null,
  });
  const settings: ConversationSettings = {
    organizationId: 'org-1',
    agent,
    customerId: options.customerId === undefined ? 'customer-1' : options.customerId,
    callId: 'call-1',
    variantId: null,
    channel: 'phone',
    contextTokens: 4000,
    historyTurns: 20,
    maxToolRounds: options.maxToolRounds ?? 3,
    recallLimit: options.recallLimit ?? 5,
  };
  const retrieved: string[] = [];
  const ended: [AgentConversation, ConversationOutcome][] = [];
  const sut = new AgentConversation(
    settings,
    {
      model,
      fallback,
      tools,
      fallbacks,
      retrieve: (input) => {
        retrieved.push(input);
        return Promise.resolve(options.context ?? { knowledge: [], memories: [] });
      },
      onEnd: (conversation, outcome) => {
        ended.push([conversation, outcome]);
        return Promise.resolve();
      },
    },
    options.openingMemories ?? [],
    undefined,
  );
  return { sut, toolCalls, fallbacks, retrieved, ended, remembered, knowledgeSearches };
}

async function collect(events: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const all: AgentEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

async function countOf(counter: Counter<string>, labels: Record<string, string>): Promise<number> {
  const { values } = await counter.get();
  return (
    values.find((value) => Object.entries(labels).every(([k, v]) => value.labels[k] === v))
      ?.value ?? 0
  );
}

describe(AgentConversation.name, () => {
  describe('reply', () => {
    it('streams the model text as it comes and keeps the reply in the history', async () => {
      const model = new ScriptedModel('primary', [[text('We open'), text(' at nine.')]]);
      const { sut } = setup({ model });

      const events = await collect(sut.reply('When do you open?'));

      expect(events).toEqual([
        { type: 'text', text: 'We open' },
        { type: 'text', text: ' at nine.' },
      ]);
      expect(sut.messages).toEqual([
        { role: 'user', content: 'When do you open?' },
        { role: 'assistant', content: 'We open at nine.' },
      ]);
    });

    it('asks the model with the prompt, the offered tools and the retrieved context', async () => {
      const model = new ScriptedModel('primary', [[text('We open at nine.')]]);
      const context: RetrievedContext = {
        knowledge: [
          {
            documentId: 'doc-hours',
            title: 'Opening hours',
            text: 'We open at nine on weekdays.',
            score: 0.8,
          },
        ],
        memories: [memory('m1', "The caller's name is Ada.")],
      };
      const { sut, retrieved } = setup({
        model,
        context,
        toolsEnabled: ['calculator', 'remember', 'transfer_to_human'],
      });

      await collect(sut.reply('  When do you open?\n'));

      expect(retrieved).toEqual(['When do you open?']);
      const [request] = model.requests;
      expect(request.model).toBe('gpt-test');
      expect(request.channel).toBe('phone');
      expect(request.agent.name).toBe('Acme Books');
      // transfer_to_human is enabled but cannot run without a transfer number, so it is not offered.
      expect(request.tools.map((tool) => tool.name)).toEqual(['calculator', 'remember']);
      expect(request.context).toEqual(context);
      expect(request.messages[0].role).toBe('system');
      expect(request.messages[0].content).toContain('You answer calls for Acme Books.');
      expect(request.messages[0].content).toContain('We open at nine on weekdays.');
      expect(request.messages.at(-1)).toEqual({ role: 'user', content: 'When do you open?' });
    });

    it('does not offer remember when the caller is unknown', async () => {
      const model = new ScriptedModel('primary', [[text('Hello.')]]);
      const { sut } = setup({ model, customerId: null, toolsEnabled: ['remember', 'end_call'] });

      await collect(sut.reply('Hi'));

      expect(model.requests[0].tools.map((tool) => tool.name)).toEqual(['end_call']);
    });

    it('adds the memories recalled at the start to every turn, without duplicates and within the limit', async () => {
      const model = new ScriptedModel('primary', [[text('Hello Ada.')], [text('Yes.')]]);
      const { sut } = setup({
        model,
        recallLimit: 1,
        context: { knowledge: [], memories: [memory('m1', "The caller's name is Ada.")] },
        openingMemories: [
          memory('m1', "The caller's name is Ada."),
          memory('m2', 'Prefers email.'),
          memory('m3', 'Ordered a cookbook.'),
        ],
      });

      await collect(sut.reply('Hi'));
      await collect(sut.reply('Do you know me?'));

      for (const request of model.requests) {
        expect(request.context.memories.map((recalled) => recalled.id)).toEqual(['m1', 'm2']);
      }
    });

    it('sends the earlier turns along with the new input', async () => {
      const model = new ScriptedModel('primary', [[text('Hello!')], [text('At nine.')]]);
      const { sut } = setup({ model });

      await collect(sut.reply('Hi'));
      await collect(sut.reply('When do you open?'));

      expect(model.requests[1].messages.slice(1)).toEqual([
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'When do you open?' },
      ]);
    });

    it.each(['', '   ', '\n\t '])('rejects the empty input %j', async (input) => {
      const model = new ScriptedModel('primary', [[text('Never.')]]);
      const { sut, retrieved } = setup({ model });

      const error = await collect(sut.reply(input)).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'AGENT_EMPTY_INPUT', kind: 'validation' });
      expect(sut.messages).toEqual([]);
      expect(retrieved).toEqual([]);
      expect(model.requests).toEqual([]);
    });

    it(`rejects an input longer than ${MAX_INPUT_CHARACTERS} characters and accepts one that long`, async () => {
      const model = new ScriptedModel('primary', [[text('Noted.')]]);
      const { sut } = setup({ model });

      await expect(collect(sut.reply('x'.repeat(MAX_INPUT_CHARACTERS + 1)))).rejects.toMatchObject({
        code: 'AGENT_INPUT_TOO_LONG',
      });
      await expect(collect(sut.reply('x'.repeat(MAX_INPUT_CHARACTERS)))).resolves.toEqual([
        { type: 'text', text: 'Noted.' },
      ]);
    });
  });

  describe('tools', () => {
    it('runs a tool call, appends its result and lets the next round answer', async () => {
      const model = new ScriptedModel('primary', [
        [toolCall('c1', 'calculator', { expression: '12 * 34' })],
        [text('That is 408.')],
      ]);
      const { sut, toolCalls } = setup({ model });

      const events = await collect(sut.reply('What is twelve times thirty four?'));

      const result = '{"expression":"12 * 34","result":"408"}';
      expect(events).toEqual([
        {
          type: 'tool_call',
          id: 'c1',
          name: 'calculator',
          arguments: '{"expression":"12 * 34"}',
        },
        {
          type: 'tool_result',
          id: 'c1',
          name: 'calculator',
          ok: true,
          result,
          durationMs: expect.any(Number),
        },
        { type: 'text', text: 'That is 408.' },
      ]);
      expect(sut.messages).toEqual([
        { role: 'user', content: 'What is twelve times thirty four?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'c1', name: 'calculator', arguments: '{"expression":"12 * 34"}' }],
        },
        { role: 'tool', toolCallId: 'c1', name: 'calculator', content: result },
        { role: 'assistant', content: 'That is 408.' },
      ]);
      expect(model.requests).toHaveLength(2);
      expect(model.requests[1].messages.slice(-2)).toEqual(sut.messages.slice(1, 3));
      expect([...sut.toolsUsed]).toEqual(['calculator']);
      expect(await countOf(toolCalls, { tool: 'calculator', outcome: 'ok' })).toBe(1);
    });

    it('completes a calculation with the local agent as the model', async () => {
      const { sut } = setup({ model: new LocalRulesModel() });

      const events = await collect(sut.reply('What is twelve times thirty four?'));

      expect(events.map((event) => event.type)).toEqual(['tool_call', 'tool_result', 'text']);
      expect(events.at(-1)).toEqual({ type: 'text', text: '12 times 34 is 408.' });
    });

    it('passes the call on to the pipeline when a tool acts on it', async () => {
      const { sut } = setup({ model: new LocalRulesModel() });

      const events = await collect(sut.reply('Thank you, that is all. Goodbye.'));

      const action = { kind: 'end_call', reason: 'the caller said goodbye' };
      expect(events).toContainEqual({ type: 'action', action });
      expect(sut.requestedActions).toEqual([action]);
      expect(events.at(-1)).toEqual({ type: 'text', text: 'Thank you for calling. Goodbye.' });
    });

    it('gives the tool the conversation it runs in', async () => {
      const { sut, remembered } = setup({
        model: new LocalRulesModel(),
        toolsEnabled: ['remember'],
      });

      const events = await collect(sut.reply('my name is Ada Lovelace'));

      expect(remembered).toEqual([
        {
          organizationId: 'org-1',
          customerId: 'customer-1',
          content: "The caller's name is Ada Lovelace.",
          kind: 'fact',
          importance: 0.7,
          sourceCallId: 'call-1',
        },
      ]);
      expect(events.at(-1)).toEqual({
        type: 'text',
        text: "Thank you, I've made a note of that for next time.",
      });
    });

    it('searches the knowledge base of the organization', async () => {
      const model = new ScriptedModel('primary', [
        [toolCall('k1', 'knowledge_search', { query: 'opening hours' })],
        [text('We open at nine.')],
      ]);
      const { sut, knowledgeSearches } = setup({ model, toolsEnabled: ['knowledge_search'] });

      const events = await collect(sut.reply('When do you open?'));

      expect(knowledgeSearches).toEqual([['org-1', 'opening hours', 3]]);
      expect(events[1]).toMatchObject({ type: 'tool_result', ok: true });
      expect(JSON.parse((events[1] as { result: string }).result)).toEqual({
        results: [
          { title: 'Opening hours', heading: null, text: HOURS_PASSAGE.content, score: 0.83 },
        ],
      });
    });

    it("answers a failing tool with the tool's fallback line and asks the model nothing more", async () => {
      const model = new ScriptedModel('primary', [
        [text('Let me work that out.'), toolCall('c1', 'calculator', { expression: '1/0' })],
        [text('It is infinity!')],
      ]);
      const { sut, toolCalls } = setup({ model });

      const events = await collect(sut.reply('What is one divided by zero?'));

      expect(events).toEqual([
        { type: 'text', text: 'Let me work that out.' },
        { type: 'tool_call', id: 'c1', name: 'calculator', arguments: '{"expression":"1/0"}' },
        {
          type: 'tool_result',
          id: 'c1',
          name: 'calculator',
          ok: false,
          code: 'CALCULATOR_INVALID_EXPRESSION',
          message: 'Division by zero',
          durationMs: expect.any(Number),
        },
        { type: 'text', text: " I'm sorry, I couldn't work that out." },
      ]);
      expect(model.requests).toHaveLength(1);
      expect(sut.messages.slice(2)).toEqual([
        {
          role: 'tool',
          toolCallId: 'c1',
          name: 'calculator',
          content: '{"error":"CALCULATOR_INVALID_EXPRESSION","message":"Division by zero"}',
        },
        { role: 'assistant', content: "I'm sorry, I couldn't work that out." },
      ]);
      expect(await countOf(toolCalls, { tool: 'calculator', outcome: 'failed' })).toBe(1);
    });

    it('starts the fallback line without a space when nothing was said before the tool', async () => {
      const model = new ScriptedModel('primary', [
        [toolCall('c1', 'calculator', { expression: '1/0' })],
      ]);
      const { sut } = setup({ model });

      const events = await collect(sut.reply('What is one divided by zero?'));

      expect(events.at(-1)).toEqual({ type: 'text', text: "I'm sorry, I couldn't work that out." });
    });

    it('gives up on a tool that takes too long, and tells the tool to stop', async () => {
      const webSearch = new FakeWebSearch('hang');
      const model = new ScriptedModel('primary', [
        [toolCall('w1', 'web_search', { query: 'weather on Mars' })],
      ]);
      const { sut, toolCalls } = setup({ model, webSearch, toolsEnabled: ['web_search'] });

      const events = await collect(sut.reply('What is the weather on Mars?'));

      expect(events[1]).toEqual({
        type: 'tool_result',
        id: 'w1',
        name: 'web_search',
        ok: false,
        code: 'TOOL_TIMEOUT',
        message: `web_search took longer than ${TOOL_TIMEOUT_MS} ms`,
        durationMs: expect.any(Number),
      });
      expect((events[1] as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(
        TOOL_TIMEOUT_MS - 10,
      );
      expect(events.at(-1)).toEqual({
        type: 'text',
        text: "I'm sorry, I can't search for that right now.",
      });
      expect(webSearch.queries).toEqual(['weather on Mars']);
      expect(webSearch.abortedWith).toBeInstanceOf(Error);
      expect(await countOf(toolCalls, { tool: 'web_search', outcome: 'timeout' })).toBe(1);
    });

    it('refuses a tool the agent has not enabled', async () => {
      const webSearch = new FakeWebSearch([
        { title: 'x', url: 'https://example.com', snippet: 'x' },
      ]);
      const model = new ScriptedModel('primary', [
        [toolCall('w1', 'web_search', { query: 'weather on Mars' })],
      ]);
      const { sut } = setup({ model, webSearch, toolsEnabled: ['calculator'] });

      const events = await collect(sut.reply('What is the weather on Mars?'));

      expect(events[1]).toMatchObject({
        type: 'tool_result',
        ok: false,
        code: 'TOOL_UNAVAILABLE',
        message: 'web_search is not a tool this agent can use here',
      });
      expect(webSearch.queries).toEqual([]);
      expect(events.at(-1)).toEqual({
        type: 'text',
        text: "I'm sorry, I can't search for that right now.",
      });
    });

    it('refuses an enabled tool that cannot run for this agent', async () => {
      const model = new ScriptedModel('primary', [
        [toolCall('t1', 'transfer_to_human', { reason: 'asked for a person' })],
      ]);
      const { sut } = setup({
        model,
        toolsEnabled: ['calculator', 'transfer_to_human'],
        transferNumber: null,
      });

      const events = await collect(sut.reply('Can I talk to a person?'));

      expect(events[1]).toMatchObject({ ok: false, code: 'TOOL_UNAVAILABLE' });
      expect(sut.requestedActions).toEqual([]);
    });

    it('refuses a tool that does not exist', async () => {
      const model = new ScriptedModel('primary', [[toolCall('x1', 'launch_rocket', {})]]);
      const { sut } = setup({ model });

      const events = await collect(sut.reply('Launch the rocket.'));

      expect(events[1]).toMatchObject({ ok: false, code: 'TOOL_UNAVAILABLE' });
      expect(events.at(-1)).toEqual({
        type: 'text',
        text: "I'm sorry, I couldn't do that just now.",
      });
    });

    it('refuses arguments that do not fit the tool', async () => {
      const model = new ScriptedModel('primary', [[toolCall('c1', 'calculator', { sum: '1+1' })]]);
      const { sut } = setup({ model });

      const events = await collect(sut.reply('What is one plus one?'));

      expect(events[1]).toMatchObject({ ok: false, code: 'TOOL_INVALID_ARGUMENTS' });
    });

    it('runs every call of a round and answers with the first failure', async () => {
      const model = new ScriptedModel('primary', [
        [
          toolCall('c1', 'calculator', { expression: '2 + 2' }),
          toolCall('w1', 'web_search', { query: 'news' }),
          toolCall('c2', 'calculator', { expression: '1/0' }),
        ],
      ]);
      const { sut } = setup({ model, toolsEnabled: ['calculator'] });

      const events = await collect(sut.reply('Two plus two, and the news.'));

      expect(
        events.flatMap((event) =>
          event.type === 'tool_result' ? [[event.id, event.ok ? 'ok' : event.code]] : [],
        ),
      ).toEqual([
        ['c1', 'ok'],
        ['w1', 'TOOL_UNAVAILABLE'],
        ['c2', 'CALCULATOR_INVALID_EXPRESSION'],
      ]);
      expect(events.at(-1)).toEqual({
        type: 'text',
        text: "I'm sorry, I can't search for that right now.",
      });
      expect(model.requests).toHaveLength(1);
    });

    it('runs no further call of a round once interrupted, and answers every call it asked for', async () => {
      const model = new ScriptedModel('primary', [
        [
          toolCall('c1', 'calculator', { expression: '2 + 2' }),
          toolCall('c2', 'calculator', { expression: '3 + 3' }),
        ],
      ]);
      const { sut, toolCalls } = setup({ model });
      const controller = new AbortController();

      // The pipeline's way of stopping: abort the reply, then stop reading it (which closes the generator).
      for await (const event of sut.reply('Two sums, please.', { signal: controller.signal })) {
        if (event.type === 'tool_result') {
          controller.abort();
          break;
        }
      }

      expect(await countOf(toolCalls, { tool: 'calculator', outcome: 'ok' })).toBe(1);
      expect(sut.messages.slice(1)).toEqual([
        { role: 'assistant', content: '', toolCalls: expect.any(Array) },
        {
          role: 'tool',
          toolCallId: 'c1',
          name: 'calculator',
          content: '{"expression":"2 + 2","result":"4"}',
        },
        {
          role: 'tool',
          toolCallId: 'c2',
          name: 'calculator',
          content: '{"error":"CANCELLED","message":"The caller interrupted"}',
        },
      ]);
    });

    it('stops a model that keeps calling tools after maxToolRounds rounds', async () => {
      const model = new AlwaysCallsTool();
      const { sut } = setup({ model, maxToolRounds: 2 });

      const events = await collect(sut.reply('What is one plus one?'));

      expect(events.map((event) => event.type)).toEqual([
        'tool_call',
        'tool_result',
        'tool_call',
        'tool_result',
        'text',
      ]);
      expect(events.at(-1)).toEqual({ type: 'text', text: LOOP_CAPPED });
      expect(model.requests).toHaveLength(3);
      // The last round offers no tools, so the model is asked to answer in words.
      expect(model.requests.map((request) => request.tools.length)).toEqual([2, 2, 0]);
      expect(sut.messages.at(-1)).toEqual({ role: 'assistant', content: LOOP_CAPPED });
    });

    it('runs no tool at all with maxToolRounds 0', async () => {
      const model = new AlwaysCallsTool();
      const { sut } = setup({ model, maxToolRounds: 0 });

      const events = await collect(sut.reply('What is one plus one?'));

      expect(events).toEqual([{ type: 'text', text: LOOP_CAPPED }]);
      expect(sut.toolsUsed.size).toBe(0);
    });
  });

  describe('when the model fails', () => {
    it('lets the fallback model answer when the model fails before saying anything', async () => {
      const model = new ScriptedModel('primary', [[new Error('upstream 503')]]);
      const fallback = new ScriptedModel('backup', [[text('We open at nine.')]]);
      const { sut, fallbacks } = setup({ model, fallback });

      const events = await collect(sut.reply('When do you open?'));

      expect(events).toEqual([
        { type: 'fallback', from: 'primary', reason: 'upstream 503' },
        { type: 'text', text: 'We open at nine.' },
      ]);
      expect(fallback.requests).toHaveLength(1);
      expect(fallback.requests[0].messages).toEqual(model.requests[0].messages);
      expect(sut.messages.at(-1)).toEqual({ role: 'assistant', content: 'We open at nine.' });
      expect(await countOf(fallbacks, { model: 'primary' })).toBe(1);
    });

    it('lets the local agent use the tools in its place', async () => {
      const model = new ScriptedModel('primary', [[new Error('circuit open')]]);
      const { sut } = setup({ model });

      const events = await collect(sut.reply('What is twelve times thirty four?'));

      expect(events.map((event) => event.type)).toEqual([
        'fallback',
        'tool_call',
        'tool_result',
        'text',
      ]);
      expect(events.at(-1)).toEqual({ type: 'text', text: '12 times 34 is 408.' });
      expect(model.requests).toHaveLength(1);
    });

    it('ends with an apology, not another model, when the model fails mid-sentence', async () => {
      const model = new ScriptedModel('primary', [[text('Your order'), new Error('stream cut')]]);
      const fallback = new ScriptedModel('backup', [[text('Should not be heard.')]]);
      const { sut, fallbacks } = setup({ model, fallback });

      const events = await collect(sut.reply('Where is my order?'));

      expect(events).toEqual([
        { type: 'text', text: 'Your order' },
        { type: 'fallback', from: 'primary', reason: 'stream cut' },
        { type: 'text', text: ` ${CUT_SHORT}` },
      ]);
      expect(fallback.requests).toEqual([]);
      expect(sut.messages.at(-1)).toEqual({
        role: 'assistant',
        content: `Your order ${CUT_SHORT}`,
      });
      expect(await countOf(fallbacks, { model: 'primary' })).toBe(1);
    });

    it('fails the reply when the fallback model fails too', async () => {
      const model = new ScriptedModel('primary', [[new Error('upstream 503')]]);
      const fallback = new ScriptedModel('backup', [[new Error('backup broken')]]);
      const { sut } = setup({ model, fallback });

      await expect(collect(sut.reply('When do you open?'))).rejects.toThrow('backup broken');
    });

    it('keeps the fallback model for the rest of the reply', async () => {
      const model = new ScriptedModel('primary', [[new Error('upstream 503')]]);
      const fallback = new ScriptedModel('backup', [
        [toolCall('c1', 'calculator', { expression: '12 * 34' })],
        [text('That is 408.')],
      ]);
      const { sut } = setup({ model, fallback });

      await collect(sut.reply('What is twelve times thirty four?'));

      expect(model.requests).toHaveLength(1);
      expect(fallback.requests).toHaveLength(2);
    });
  });

  describe('cancellation', () => {
    it('says nothing when the signal is already aborted', async () => {
      const model = new ScriptedModel('primary', [[text('Hello.')]]);
      const { sut } = setup({ model });
      const controller = new AbortController();
      controller.abort();

      const events = await collect(sut.reply('Hi', { signal: controller.signal }));

      expect(events).toEqual([]);
      expect(model.requests).toEqual([]);
    });

    it('stops streaming as soon as the signal is aborted', async () => {
      const model = new ScriptedModel('primary', [[text('We open'), text(' at nine.')]]);
      const { sut } = setup({ model });
      const controller = new AbortController();
      const events: AgentEvent[] = [];

      for await (const event of sut.reply('When do you open?', { signal: controller.signal })) {
        events.push(event);
        controller.abort();
      }

      expect(events).toEqual([{ type: 'text', text: 'We open' }]);
    });
  });

  describe('noteInterrupted', () => {
    it('keeps only what the caller heard of the last reply', async () => {
      const model = new ScriptedModel('primary', [[text('We open at nine. On Saturday at ten.')]]);
      const { sut } = setup({ model });
      await collect(sut.reply('When do you open?'));

      sut.noteInterrupted('We open at nine.');

      expect(sut.messages).toEqual([
        { role: 'user', content: 'When do you open?' },
        { role: 'assistant', content: 'We open at nine. [interrupted by the caller]' },
      ]);
    });

    it('records a reply cut off before a word was heard', async () => {
      const model = new ScriptedModel('primary', [[text('We open at nine.')]]);
      const { sut } = setup({ model });
      await collect(sut.reply('When do you open?'));

      sut.noteInterrupted('');

      expect(sut.messages.at(-1)).toEqual({
        role: 'assistant',
        content: '[interrupted by the caller before speaking]',
      });
    });

    it('adds what was heard when the reply was cut while still being generated', () => {
      const { sut } = setup();
      sut.messages.push({ role: 'user', content: 'When do you open?' });

      sut.noteInterrupted('We open at nine.');

      expect(sut.messages).toEqual([
        { role: 'user', content: 'When do you open?' },
        { role: 'assistant', content: 'We open at nine. [interrupted by the caller]' },
      ]);
    });
  });

  describe('transcript', () => {
    it('gives the turns in order, tool traffic summarised and empty tool requests left out', async () => {
      const model = new ScriptedModel('primary', [
        [toolCall('c1', 'calculator', { expression: '12 * 34' })],
        [text('That is 408.')],
        [text('One moment.'), toolCall('c2', 'calculator', { expression: '2 + 2' })],
        [text('It is 4.')],
      ]);
      const { sut } = setup({ model });
      await collect(sut.reply('What is twelve times thirty four?'));
      await collect(sut.reply('And two plus two?'));

      expect(sut.transcript()).toEqual([
        { role: 'caller', text: 'What is twelve times thirty four?' },
        { role: 'tool', text: 'calculator: {"expression":"12 * 34","result":"408"}' },
        { role: 'agent', text: 'That is 408.' },
        { role: 'caller', text: 'And two plus two?' },
        { role: 'agent', text: 'One moment.' },
        { role: 'tool', text: 'calculator: {"expression":"2 + 2","result":"4"}' },
        { role: 'agent', text: 'It is 4.' },
      ]);
    });

    it('is empty before anything was said', () => {
      expect(setup().sut.transcript()).toEqual([]);
    });
  });

  describe('end', () => {
    const outcome: ConversationOutcome = {
      reason: 'caller_hangup',
      completed: true,
      averageSentiment: 0.2,
    };

    it('hands the conversation and its outcome on once', async () => {
      const { sut, ended } = setup();

      await sut.end(outcome);
      await sut.end({ reason: 'timeout', completed: false, averageSentiment: null });

      expect(ended).toEqual([[sut, outcome]]);
    });

    it('hands it on once when ended twice at the same time', async () => {
      const { sut, ended } = setup();

      await Promise.all([sut.end(outcome), sut.end(outcome)]);

      expect(ended).toHaveLength(1);
    });
  });
});
