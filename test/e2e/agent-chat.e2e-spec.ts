import request from 'supertest';
import { registerAccount, addUser, type Account } from '../factories/account.factory';
import { ingestDocument } from '../factories/knowledge.factory';
import { CustomersRepository } from '../../src/modules/telephony/customers/customers.repository';
import { createAgent, uniqueE164 } from '../factories/telephony.factory';
import { ChatStreamClient } from '../support/chat-client';
import { OpenAiStandIn, type StandInChatRequest } from '../support/openai-stand-in';
import { SearxngStandIn } from '../support/searxng-stand-in';
import { createTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

interface ChatReply {
  reply: string;
  answeredBy: string;
  events: Record<string, unknown>[];
}

const lastToolResult = (chat: StandInChatRequest) =>
  JSON.parse(chat.messages.filter((message) => message.role === 'tool').at(-1)!.content!) as Record<
    string,
    unknown
  >;

describe('Agent chat with an OpenAI-compatible model and tools (e2e)', () => {
  const openai = new OpenAiStandIn();
  const searxng = new SearxngStandIn();
  let sut: TestApp;
  let owner: Account;
  let agentId: string;

  beforeAll(async () => {
    await Promise.all([openai.start(), searxng.start()]);
    sut = await createTestApp(
      {
        LLM_PROVIDER: 'openai',
        OPENAI_BASE_URL: openai.url,
        OPENAI_API_KEY: 'sk-test',
        OPENAI_CHAT_MODEL: 'stand-in-model',
        WEB_SEARCH_URL: searxng.url,
        AGENT_TOOL_TIMEOUT_MS: '300',
        AGENT_MAX_TOOL_ROUNDS: '2',
        RETRY_MAX_ATTEMPTS: '2',
        RETRY_BACKOFF_INITIAL: '0.01',
        CIRCUIT_BREAKER_THRESHOLD: '100',
      },
      { listen: true },
    );
    owner = await registerAccount(sut.app);
    agentId = (
      await createAgent(sut.app, owner, {
        persona: 'Warm and brief.',
        toolsEnabled: ['calculator', 'web_search', 'end_call'],
      })
    ).id;
  });
  beforeEach(() => {
    openai.scriptedTurns.length = 0;
    openai.failNext.length = 0;
    openai.respond = undefined;
    searxng.hang = false;
  });
  afterAll(async () => {
    await sut.close();
    await Promise.all([openai.stop(), searxng.stop()]);
  });

  const chat = (body: Record<string, unknown>, account = owner, id = agentId) =>
    request(sut.app.getHttpServer())
      .post(`/api/v1/agents/${id}/chat`)
      .set('authorization', `Bearer ${account.accessToken}`)
      .send(body);

  const chatRequests = (since: number) =>
    openai.requests
      .slice(since)
      .filter((recorded) => recorded.path === '/v1/chat/completions')
      .map((recorded) => recorded.json as unknown as StandInChatRequest & { tools?: unknown[] });

  it('runs a tool the model calls and answers with its result', async () => {
    const before = openai.requests.length;
    openai.scriptTurns({ toolCalls: [{ name: 'calculator', arguments: { expression: '12*34' } }] });
    openai.respond = (request) => `That comes to ${String(lastToolResult(request).result)}.`;

    const response = await chat({ message: 'What is twelve times thirty four?' }).expect(200);
    const body = response.body as ChatReply;

    expect(body.reply).toBe('That comes to 408.');
    expect(body.answeredBy).toBe('openai');
    expect(body.events).toEqual([
      {
        type: 'tool_call',
        id: expect.any(String),
        name: 'calculator',
        arguments: '{"expression":"12*34"}',
      },
      expect.objectContaining({ type: 'tool_result', name: 'calculator', ok: true }),
    ]);
    const [first, second] = chatRequests(before);
    expect(first.model).toBe('stand-in-model');
    const offered = (first.tools as { function: { name: string } }[]).map(
      (tool) => tool.function.name,
    );
    expect(offered.sort()).toEqual(['calculator', 'end_call', 'web_search']);
    expect(first.messages[0]).toMatchObject({ role: 'system' });
    expect(first.messages[0].content).toContain('Persona: Warm and brief.');
    expect(second.messages.slice(-2)).toEqual([
      expect.objectContaining({
        role: 'assistant',
        tool_calls: [expect.objectContaining({ type: 'function' })],
      }),
      expect.objectContaining({ role: 'tool', content: '{"expression":"12*34","result":"408"}' }),
    ]);
  });

  it('gives a graceful fallback, not a made-up answer, when a tool fails', async () => {
    const before = openai.requests.length;
    openai.scriptTurns(
      { toolCalls: [{ name: 'calculator', arguments: { expression: '1/0' } }] },
      'This turn must never be asked for.',
    );
    const body = (await chat({ message: 'What is one divided by zero?' }).expect(200))
      .body as ChatReply;

    expect(body.reply).toBe("I'm sorry, I couldn't work that out.");
    expect(body.events[1]).toMatchObject({
      type: 'tool_result',
      ok: false,
      code: 'CALCULATOR_INVALID_EXPRESSION',
      message: 'Division by zero',
    });
    expect(chatRequests(before)).toHaveLength(1);
  });

  it('times a hanging tool out and says so gracefully', async () => {
    searxng.hang = true;
    openai.scriptTurns({
      toolCalls: [{ name: 'web_search', arguments: { query: 'weather in Paris' } }],
    });
    const started = Date.now();
    const body = (await chat({ message: 'What is the weather in Paris?' }).expect(200))
      .body as ChatReply;

    expect(body.reply).toBe("I'm sorry, I can't search for that right now.");
    expect(body.events[1]).toMatchObject({ type: 'tool_result', ok: false, code: 'TOOL_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('uses a configured web search', async () => {
    openai.scriptTurns({
      toolCalls: [{ name: 'web_search', arguments: { query: 'Acme Dental' } }],
    });
    openai.respond = (request) =>
      String((lastToolResult(request).results as { snippet: string }[])[0].snippet);
    const body = (await chat({ message: 'Search the web for Acme Dental' }).expect(200))
      .body as ChatReply;
    expect(body.reply).toBe('The first result about Acme Dental.');
    expect(searxng.queries).toContain('Acme Dental');
  });

  it('refuses bad tool arguments and tools the agent does not have', async () => {
    openai.scriptTurns({ toolCalls: [{ name: 'calculator', arguments: '{"expr": 5' }] });
    const invalid = (await chat({ message: 'Compute something' }).expect(200)).body as ChatReply;
    expect(invalid.events[1]).toMatchObject({ ok: false, code: 'TOOL_INVALID_ARGUMENTS' });

    openai.scriptTurns({ toolCalls: [{ name: 'transfer_to_human', arguments: {} }] });
    const unavailable = (await chat({ message: 'Get me a person' }).expect(200)).body as ChatReply;
    expect(unavailable.events[1]).toMatchObject({ ok: false, code: 'TOOL_UNAVAILABLE' });
  });

  it('caps tool loops', async () => {
    const before = openai.requests.length;
    openai.respond = () => ({
      toolCalls: [{ name: 'calculator', arguments: { expression: '1+1' } }],
    });
    const body = (await chat({ message: 'Keep calculating' }).expect(200)).body as ChatReply;

    expect(body.reply).toBe(
      "I'm sorry, I couldn't finish that. Could you ask me in a different way?",
    );
    const requests = chatRequests(before);
    expect(requests).toHaveLength(3); // two rounds with tools, then one without
    expect(requests[2].tools).toBeUndefined();
  });

  it('answers through the local agent when the model is down (after retrying)', async () => {
    const before = openai.requests.length;
    openai.failNext.push(503, 500);
    const body = (await chat({ message: 'What is twelve times thirty four?' }).expect(200))
      .body as ChatReply;

    expect(chatRequests(before)).toHaveLength(2); // the retry policy tried twice
    expect(body.answeredBy).toBe('local');
    expect(body.events[0]).toMatchObject({ type: 'fallback', from: 'openai' });
    expect(body.events).toContainEqual(
      expect.objectContaining({ type: 'tool_result', name: 'calculator', ok: true }),
    );
    expect(body.reply).toBe('12 times 34 is 408.');
  });

  it('keeps multi-turn context: earlier turns reach the model in order', async () => {
    const before = openai.requests.length;
    openai.respond = (request) =>
      request.messages.some((message) => message.content?.includes('Ada'))
        ? 'You are Ada.'
        : 'I do not know.';
    const body = (
      await chat({
        message: 'What is my name?',
        history: [
          { role: 'caller', text: 'Hi, my name is Ada.' },
          { role: 'agent', text: 'Nice to meet you, Ada.' },
        ],
      }).expect(200)
    ).body as ChatReply;
    expect(body.reply).toBe('You are Ada.');
    const [sent] = chatRequests(before);
    expect(sent.messages.slice(1).map((message) => [message.role, message.content])).toEqual([
      ['user', 'Hi, my name is Ada.'],
      ['assistant', 'Nice to meet you, Ada.'],
      ['user', 'What is my name?'],
    ]);
  });

  it('gives the model the knowledge passages relevant to the question', async () => {
    await ingestDocument(sut.app, owner);
    const before = openai.requests.length;
    await chat({ message: 'When are you open on Saturday?' }).expect(200);
    const [sent] = chatRequests(before);
    expect(sent.messages[0].content).toContain('On Saturdays we are open from 9am to 1pm.');
  });

  it('answers bad requests with clear errors', async () => {
    const empty = await chat({ message: '   ' }).expect(422);
    expect(empty.body.error.code).toBe('AGENT_EMPTY_INPUT');
    await chat({ message: 'x'.repeat(4001) }).expect(422);
    await chat({ message: 'hi', customerId: 'not-a-uuid' }).expect(422);
    await chat({ message: 'hi', customerId: '00000000-0000-4000-8000-000000000000' }).expect(404);
    const other = await registerAccount(sut.app);
    const foreign = await chat({ message: 'hi' }, other).expect(404);
    expect(foreign.body.error.code).toBe('AGENT_NOT_FOUND');
    const viewer = await addUser(sut.app, owner, 'viewer');
    await chat({ message: 'hi' }, viewer).expect(403);
  });

  describe('streamed over a WebSocket', () => {
    const streamUrl = () =>
      `${sut.baseUrl.replace('http', 'ws')}/api/v1/agents/${agentId}/chat/stream`;

    it('streams text deltas and tool events, and keeps the conversation across messages', async () => {
      const client = await ChatStreamClient.connect(streamUrl(), {
        authorization: `Bearer ${owner.accessToken}`,
      });
      try {
        await client.next((message) => message.type === 'ready');
        const before = openai.requests.length;
        openai.scriptTurns(
          { toolCalls: [{ name: 'calculator', arguments: { expression: '2^10' } }] },
          'Two to the tenth is 1024, which is a kibibyte.',
          'You asked about two to the tenth.',
        );
        client.send({ type: 'message', text: 'What is two to the tenth?' });
        const done = await client.next((message) => message.type === 'done');
        expect(done.text).toBe('Two to the tenth is 1024, which is a kibibyte.');
        const types = client.received.map((message) => message.type);
        expect(types.indexOf('tool_call')).toBeLessThan(types.indexOf('tool_result'));
        expect(types.filter((type) => type === 'text_delta').length).toBeGreaterThan(3);

        const mark = client.received.length;
        client.send({ type: 'message', text: 'What did I just ask?' });
        await client.next((message) => message.type === 'done', mark);
        const second = chatRequests(before).at(-1)!;
        expect(second.messages.map((message) => message.role)).toEqual([
          'system',
          'user',
          'assistant',
          'tool',
          'assistant',
          'user',
        ]);
      } finally {
        client.close();
      }
    });

    it('accepts a token in the query string, reports bad messages, and stays open', async () => {
      const client = await ChatStreamClient.connect(
        `${streamUrl()}?access_token=${owner.accessToken}`,
      );
      try {
        await client.next((message) => message.type === 'ready');
        client.send('not json');
        expect(await client.next((message) => message.type === 'error')).toMatchObject({
          code: 'INVALID_MESSAGE',
        });
        client.send({ type: 'message', text: '  ' });
        expect(await client.next((message) => message.code === 'AGENT_EMPTY_INPUT')).toBeDefined();
        openai.scriptTurns('Still here.');
        client.send({ type: 'message', text: 'Are you there?' });
        expect(await client.next((message) => message.type === 'done')).toMatchObject({
          text: 'Still here.',
        });
      } finally {
        client.close();
      }
    });

    it('refuses a connection without valid credentials', async () => {
      const client = await ChatStreamClient.connect(streamUrl(), { authorization: 'Bearer nope' });
      expect(await client.next((message) => message.type === 'error')).toMatchObject({
        code: 'AUTH_TOKEN_INVALID',
      });
      expect((await client.waitClosed()).code).toBe(1008);
    });

    it("refuses another organization's agent", async () => {
      const other = await registerAccount(sut.app);
      const client = await ChatStreamClient.connect(streamUrl(), {
        authorization: `Bearer ${other.accessToken}`,
      });
      expect(await client.next((message) => message.type === 'error')).toMatchObject({
        code: 'AGENT_NOT_FOUND',
      });
      expect((await client.waitClosed()).code).toBe(1008);
    });
  });
});

describe('Agent chat with the local agent, no model configured (e2e)', () => {
  let sut: TestApp;
  let owner: Account;

  beforeAll(async () => {
    sut = await createTestApp({}, { listen: true });
    owner = await registerAccount(sut.app);
    await ingestDocument(sut.app, owner);
  });
  afterAll(() => sut.close());

  const chat = async (agentId: string, message: string) =>
    (
      await request(sut.app.getHttpServer())
        .post(`/api/v1/agents/${agentId}/chat`)
        .set('authorization', `Bearer ${owner.accessToken}`)
        .send({ message })
        .expect(200)
    ).body as ChatReply;

  it('answers from the knowledge base, calculates with its tool, and ends the call on goodbye', async () => {
    const agent = await createAgent(sut.app, owner, { toolsEnabled: ['calculator', 'end_call'] });

    const hours = await chat(agent.id, 'When are you open on Saturday?');
    expect(hours.answeredBy).toBe('local');
    expect(hours.reply).toMatch(/^On Saturdays we are open from 9am to 1pm\./);

    const math = await chat(agent.id, 'What is twelve times thirty four?');
    expect(math.reply).toBe('12 times 34 is 408.');
    expect(math.events.map((event) => event.type)).toEqual(['tool_call', 'tool_result']);

    const bye = await chat(agent.id, 'Thank you, that is all. Goodbye.');
    expect(bye.reply).toBe('Thank you for calling. Goodbye.');
    expect(bye.events).toContainEqual({
      type: 'action',
      action: { kind: 'end_call', reason: 'the caller said goodbye' },
    });
  });

  it('keeps an extractive summary of a chat with a known customer, and remembers what it was told', async () => {
    const agent = await createAgent(sut.app, owner, { toolsEnabled: ['remember'] });
    const customer = await sut.app
      .get(CustomersRepository)
      .recordContact(owner.organizationId, uniqueE164(), new Date());
    const client = await ChatStreamClient.connect(
      `${sut.baseUrl.replace('http', 'ws')}/api/v1/agents/${agent.id}/chat/stream?customerId=${customer.id}`,
      { authorization: `Bearer ${owner.accessToken}` },
    );
    await client.next((message) => message.type === 'ready');
    client.send({ type: 'message', text: 'My name is Ada Lovelace.' });
    const done = await client.next((message) => message.type === 'done');
    expect(done.text).toBe("Thank you, I've made a note of that for next time.");
    client.close();

    const memories = await waitFor(
      async () =>
        (
          await request(sut.app.getHttpServer())
            .get(`/api/v1/customers/${customer.id}/memories`)
            .set('authorization', `Bearer ${owner.accessToken}`)
            .expect(200)
        ).body.items as { kind: string; content: string }[],
      (items) => items.some((memory) => memory.kind === 'summary'),
    );
    expect(memories).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'fact', content: "The caller's name is Ada Lovelace." }),
        expect.objectContaining({
          kind: 'summary',
          content:
            'In this chat the caller said: "My name is Ada Lovelace." The agent noted details about them.',
        }),
      ]),
    );
  });

  it('says plainly what it cannot do, without claiming to be more than it is', async () => {
    const agent = await createAgent(sut.app, owner, { toolsEnabled: [] });
    const unknown = await chat(agent.id, 'What do you think about the football game last night?');
    expect(unknown.reply).toMatch(
      /^I'm an automated assistant and I don't have an answer to that\./,
    );
    expect(unknown.reply).not.toMatch(/calculations|colleague/);
    const human = await chat(agent.id, 'I want to speak to a real person.');
    expect(human.reply).toContain("I can't transfer you");
  });
});
