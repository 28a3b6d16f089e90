import { registerAccount, type Account } from '../factories/account.factory';
import { createAgent, createPhoneNumber, uniqueE164 } from '../factories/telephony.factory';
import type { CreateAgentDto } from '../../src/modules/agent/agents/dto/agent.dto';
import { OpenAiStandIn, type StandInChatRequest } from '../support/openai-stand-in';
import { SearxngStandIn } from '../support/searxng-stand-in';
import { callAndWait } from '../support/phone-call';
import { createTestApp, type TestApp } from '../support/test-app';
import { TwilioRestStandIn } from '../support/twilio-rest-stand-in';
import { sharedAudio, TWILIO_ENV } from '../support/twilio';

const isConversation = (chat: StandInChatRequest) =>
  !(chat.messages[0]?.content?.startsWith('You write the memory') ?? false);

describe('The agent on a phone call: tools, call actions, fallbacks, silence (e2e)', () => {
  const openai = new OpenAiStandIn();
  const twilio = new TwilioRestStandIn();
  const searxng = new SearxngStandIn();
  let sut: TestApp;
  let owner: Account;

  beforeAll(async () => {
    await Promise.all([openai.start(), twilio.start(), searxng.start()]);
    openai.speechSeconds = 0.2;
    sut = await createTestApp(
      {
        ...TWILIO_ENV,
        TWILIO_API_BASE_URL: twilio.url,
        WEB_SEARCH_URL: searxng.url,
        ...openai.voiceEnv(),
        ENDPOINTING_SILENCE_MS: '500',
        AGENT_SILENCE_FILLER_MS: '400',
        RETRY_MAX_ATTEMPTS: '2',
        RETRY_BACKOFF_INITIAL: '0.01',
        CIRCUIT_BREAKER_THRESHOLD: '100',
        PROVIDER_STREAM_IDLE_TIMEOUT: '1',
      },
      { listen: true },
    );
    owner = await registerAccount(sut.app);
  });
  beforeEach(() => {
    openai.respond = undefined;
    openai.failNext.length = 0;
    openai.tokenDelayMs = 5;
    searxng.hang = false;
    openai.stallSpeech = 0;
  });
  afterAll(async () => {
    await sut.close();
    await Promise.all([openai.stop(), twilio.stop(), searxng.stop()]);
  });

  async function call(agent: Partial<CreateAgentDto>, audio = sharedAudio('hello')) {
    const created = await createAgent(sut.app, owner, { firstMessage: '', ...agent });
    const number = await createPhoneNumber(sut.app, owner, created.id);
    return callAndWait(sut, owner, { from: uniqueE164(), to: number.e164, audio });
  }

  /** The model: a tool call for the caller's first words, then `after` once the tool has answered. */
  function scriptTool(name: string, args: Record<string, unknown>, after: string) {
    openai.respond = (chat) => {
      if (!isConversation(chat)) return 'Summary.';
      if (chat.messages.at(-1)!.role === 'tool') return after;
      return { toolCalls: [{ name, arguments: args }] };
    };
  }

  it('ends the call when the agent calls end_call, after its goodbye has been heard', async () => {
    scriptTool('end_call', { reason: 'caller is done' }, 'Goodbye, and thank you for calling.');
    const {
      result,
      call: stored,
      turns,
    } = await call({ toolsEnabled: ['end_call'] }, sharedAudio('goodbye'));

    expect(stored.endReason).toBe('agent_end_call');
    expect(result.closedBy).toBe('server');
    expect(turns.map((turn) => turn.role)).toEqual(['caller', 'tool', 'agent']);
    expect(turns[1]).toMatchObject({ metadata: { tool: 'end_call', ok: true } });
    expect(turns[2]).toMatchObject({
      text: 'Goodbye, and thank you for calling.',
      interrupted: false,
    });
    // The goodbye's mark came back (it was played) before the stream was closed.
    expect(result.marks.length).toBeGreaterThan(0);
  }, 30_000);

  it('transfers the caller to a person with <Dial> through the Twilio REST API', async () => {
    scriptTool(
      'transfer_to_human',
      { reason: 'asked for a person' },
      'Of course, connecting you now.',
    );
    const {
      result,
      call: stored,
      events,
      turns,
    } = await call(
      { toolsEnabled: ['transfer_to_human'], transferNumber: '+14155550100' },
      sharedAudio('human'),
    );

    const update = twilio.updates.find((candidate) => candidate.sid === result.callSid);
    expect(update?.params.Twiml).toContain('<Dial>+14155550100</Dial>');
    expect(stored.endReason).toBe('transferred');
    expect(events.map((event) => event.type)).toContain('call.transferred');
    expect(turns.find((turn) => turn.role === 'agent')?.text).toBe(
      'Of course, connecting you now.',
    );
  }, 30_000);

  it('records a failed tool as a tool turn with its error code, and the caller hears a graceful fallback', async () => {
    scriptTool('calculator', { expression: '1/0' }, 'never asked');
    const { turns } = await call({ toolsEnabled: ['calculator'] }, sharedAudio('math'));

    const tool = turns.find((turn) => turn.role === 'tool');
    expect(tool).toMatchObject({
      text: 'calculator failed: Division by zero',
      metadata: { tool: 'calculator', ok: false, errorCode: 'CALCULATOR_INVALID_EXPRESSION' },
    });
    expect(turns.find((turn) => turn.role === 'agent')?.text).toBe(
      "I'm sorry, I couldn't work that out.",
    );
  }, 30_000);

  it('stores a tool the caller barged in on as a tool turn, though the reply it was for is cut off', async () => {
    // The search never answers: the caller's next words interrupt the agent while the tool is running.
    searxng.hang = true;
    scriptTool('web_search', { query: 'delivery times' }, 'Deliveries take two days.');
    const { turns, events } = await call(
      { toolsEnabled: ['web_search'] },
      sharedAudio('call-4-turns'),
    );

    expect(events.map((event) => event.type)).toContain('agent.interrupted');
    const tool = turns.findIndex((turn) => turn.role === 'tool');
    expect(tool).toBeGreaterThan(0);
    expect(turns[tool - 1].role).toBe('caller');
    expect(turns[tool]).toMatchObject({ metadata: { tool: 'web_search', ok: false } });
    expect(searxng.queries).toContain('delivery times');
  }, 60_000);

  it('cuts off a reply whose speech stalls mid-stream, apologises, and goes on with the call', async () => {
    openai.stallSpeech = 1; // the first sentence's audio starts, then nothing comes
    const before = openai.requests.length;
    const { result, call: stored, turns, events } = await call({}, sharedAudio('hello'));

    const failure = events.find((event) => event.type === 'pipeline.provider_failure');
    expect(failure?.payload).toMatchObject({ stage: 'agent', code: 'PROVIDER_FAILURE' });
    expect(String(failure?.payload.message)).toContain('stream stalled');
    const speech = openai.requests
      .slice(before)
      .filter((request) => request.path === '/v1/audio/speech');
    expect(speech[0].aborted).toBe(true);
    expect(turns.find((turn) => turn.role === 'agent')).toMatchObject({
      metadata: { error: 'PROVIDER_FAILURE' },
    });
    // Not stuck speaking: the call ends as the caller ends it.
    expect(stored).toMatchObject({ status: 'completed', endReason: 'stream_stopped' });
    expect(result.closedBy).toBe('caller');
  }, 30_000);

  it('answers with the local agent when the model is down, and records the fallback', async () => {
    openai.respond = (chat) => (isConversation(chat) ? undefined : 'Summary.');
    // Transcription works; both attempts at the chat model fail.
    openai.failNext.push(0, 503, 503);
    const { turns, events } = await call({ toolsEnabled: ['calculator'] }, sharedAudio('math'));

    expect(events.map((event) => event.type)).toContain('agent.llm_fallback');
    expect(turns.filter((turn) => turn.role === 'agent').map((turn) => turn.text)).toEqual([
      '12 times 34 is 408.',
    ]);
  }, 30_000);

  it('fills a long silence with "one moment" while the model is slow', async () => {
    openai.tokenDelayMs = 120; // the first sentence takes over a second to arrive
    const { result, events } = await call({}, sharedAudio('hello'));

    expect(events.map((event) => event.type)).toContain('agent.filler');
    expect(result.marks.some((mark) => mark.endsWith(':filler'))).toBe(true);
  }, 30_000);
});
