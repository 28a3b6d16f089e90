import type { placeCall } from '../../scripts/call-simulator/twilio-caller';
import {
  VoiceEvents,
  type VoiceEventEnvelope,
} from '../../src/modules/voice/pipeline/voice-events';
import { CustomerMemoryService } from '../../src/modules/memory/customer-memory/customer-memory.service';
import { KnowledgeService } from '../../src/modules/memory/knowledge/knowledge.service';
import { registerAccount, type Account } from '../factories/account.factory';
import { ingestDocument } from '../factories/knowledge.factory';
import { createAgent, createPhoneNumber, uniqueE164 } from '../factories/telephony.factory';
import { OpenAiStandIn } from '../support/openai-stand-in';
import { callAndWait } from '../support/phone-call';
import { createTestApp, type TestApp } from '../support/test-app';
import { sharedAudio, TWILIO_ENV } from '../support/twilio';

const GREETING =
  'Hello and welcome to Acme Dental. I can book, move or cancel an appointment for you. What would you like to do today?';

interface TurnView {
  callId: string;
  index: number;
  role: string;
  text: string | null;
  interrupted: boolean;
  sentiment: number | null;
  latency: Record<string, number>;
}

describe('Voice conversation over a real Twilio media stream (e2e)', () => {
  const openai = new OpenAiStandIn();
  let sut: TestApp;
  let owner: Account;

  beforeAll(async () => {
    await openai.start();
    sut = await createTestApp(
      {
        ...TWILIO_ENV,
        ...openai.voiceEnv(),
        ENDPOINTING_SILENCE_MS: '500',
      },
      { listen: true },
    );
    owner = await registerAccount(sut.app);
  });
  afterAll(async () => {
    await sut.close();
    await openai.stop();
  });

  async function call(
    audio: Buffer,
    firstMessage: string,
    extra: Partial<Parameters<typeof placeCall>[0]> = {},
  ) {
    const agent = await createAgent(sut.app, owner, { firstMessage });
    const number = await createPhoneNumber(sut.app, owner, agent.id);
    const { result, turns, events } = await callAndWait(sut, owner, {
      from: uniqueE164(),
      to: number.e164,
      audio,
      ...extra,
    });
    return { result, turns: turns as TurnView[], events };
  }

  it('transcribes 4 caller turns, answers each with spoken agent audio, and stores every latency', async () => {
    const seen: VoiceEventEnvelope[] = [];
    const unsubscribe = sut.app.get(VoiceEvents).subscribe((event) => seen.push(event));
    // Short replies leave the caller's 1 s pauses room for endpointing and latency, even on a loaded machine.
    openai.speechSeconds = 0.2;
    const { result, turns } = await call(sharedAudio('call-4-turns'), '');

    expect(result.protocolErrors).toEqual([]);
    expect(result.clears).toBe(0);
    expect(turns.map((turn) => turn.role)).toEqual([
      'caller',
      'agent',
      'caller',
      'agent',
      'caller',
      'agent',
      'caller',
      'agent',
    ]);
    const caller = turns.filter((turn) => turn.role === 'caller').map((turn) => turn.text);
    expect(caller).toEqual([
      'Hello, I would like to check the status of my order please.',
      'My order number is four five seven two. It has not arrived yet.',
      'What is twelve times thirty four?',
      'Thank you, that is all. Goodbye.',
    ]);
    const sentiments = turns.filter((turn) => turn.role === 'caller').map((turn) => turn.sentiment);
    expect(sentiments[3]).toBeGreaterThan(0); // "Thank you, that is all."
    expect(sentiments.every((value) => typeof value === 'number')).toBe(true);
    const agent = turns.filter((turn) => turn.role === 'agent');
    expect(agent.map((turn) => turn.text)).toEqual(
      caller.map((text) => `You said: ${text!.replace(/[.?!]+$/, '')}.`),
    );
    for (const turn of agent) {
      expect(turn.interrupted).toBe(false);
      expect(turn.latency).toEqual({
        endOfSpeechToFinalTranscriptMs: expect.any(Number),
        toFirstLlmTokenMs: expect.any(Number),
        toFirstTtsAudioMs: expect.any(Number),
        toFirstAudioSentMs: expect.any(Number),
      });
      expect(turn.latency.toFirstAudioSentMs).toBeGreaterThanOrEqual(
        turn.latency.toFirstLlmTokenMs,
      );
    }
    unsubscribe();
    const types = new Set(seen.map((event) => event.type));
    for (const type of [
      'utterance.started',
      'utterance.ended',
      'transcript.final',
      'sentiment',
      'agent.text_delta',
      'agent.audio',
    ]) {
      expect(types).toContain(type);
    }
    expect(seen.filter((event) => event.type === 'transcript.final')).toHaveLength(4);
    // 4 replies of 0.2 s each reached the caller.
    expect(result.receivedAudio.length).toBeGreaterThanOrEqual(4 * 0.2 * 8000 - 100);
  }, 40_000);

  it('stops talking when the caller barges in: clear sent, synthesis cancelled, turn recorded with what was heard', async () => {
    openai.speechSeconds = 1;
    const silence = Buffer.alloc(8000 * 1.5, 0xff); // the caller listens to one sentence and a half
    const { result, turns, events } = await call(
      Buffer.concat([silence, sharedAudio('hello')]),
      GREETING,
    );

    expect(result.clears).toBe(1);
    const greeting = turns.find((turn) => turn.role === 'agent')!;
    expect(greeting).toMatchObject({
      interrupted: true,
      text: 'Hello and welcome to Acme Dental.',
    });
    expect(events.map((event) => event.type)).toContain('agent.interrupted');
    // Synthesis outran playback here, so all three sentences had been sent: the clear dropped the unplayed ones.
    expect(result.marks).toContain(`${greeting.callId.slice(0, 8)}:1`);
    const caller = turns.find((turn) => turn.role === 'caller');
    expect(caller?.text).toBe('Hello, I would like to check the status of my order please.');
  }, 30_000);

  it('cancels synthesis still in progress when the caller barges in', async () => {
    openai.speechSeconds = 3; // one long sentence, synthesized slower than real time
    openai.speechChunkDelayMs = 250;
    const before = openai.requests.length;
    try {
      const silence = Buffer.alloc(8000 * 0.8, 0xff);
      const { result, turns } = await call(
        Buffer.concat([silence, sharedAudio('hello')]),
        'Please listen carefully, as our menu options have recently changed in many small ways.',
      );

      const speech = openai.requests
        .slice(before)
        .find((request) => request.path === '/v1/audio/speech');
      expect(speech?.aborted).toBe(true);
      expect(result.clears).toBe(1);
      expect(turns.find((turn) => turn.role === 'agent')).toMatchObject({
        interrupted: true,
        text: '',
      });
    } finally {
      openai.speechChunkDelayMs = 0;
    }
  }, 30_000);

  it('lets a short backchannel ("mm-hm") pass without interrupting', async () => {
    openai.speechSeconds = 1;
    const backchannel = Buffer.alloc(8000 * 0.15, 0x20); // 150 ms at speech level
    const audio = Buffer.concat([
      Buffer.alloc(8000 * 1.2, 0xff),
      backchannel,
      Buffer.alloc(8000 * 3, 0xff),
    ]);
    const { result, turns } = await call(audio, GREETING);

    expect(result.clears).toBe(0);
    expect(turns).toEqual([
      expect.objectContaining({ role: 'agent', interrupted: false, text: GREETING }),
    ]);
  }, 30_000);

  it('passes keypad digits to the agent as caller input', async () => {
    openai.speechSeconds = 0.2;
    const { turns, events } = await call(Buffer.alloc(8000 * 2, 0xff), '', {
      dtmf: [{ atMs: 300, digit: '5' }],
    });

    expect(events.map((event) => event.type)).toContain('caller.dtmf');
    expect(turns.map((turn) => [turn.role, turn.text])).toEqual([
      ['caller', '(The caller pressed the key 5 on the phone keypad.)'],
      ['agent', 'You said: (The caller pressed the key 5 on the phone keypad.).'],
    ]);
  }, 30_000);

  it('apologises when speech-to-text fails mid-call, records why, and carries on', async () => {
    openai.speechSeconds = 0.2;
    openai.failNext.push(401); // the first transcription is refused (not retried)
    const gap = Buffer.alloc(8000 * 1.2, 0xff);
    const { result, turns, events } = await call(
      Buffer.concat([sharedAudio('math'), gap, sharedAudio('goodbye')]),
      '',
    );

    const failure = events.find((event) => event.type === 'pipeline.provider_failure') as
      { type: string; payload: { stage: string; code: string } } | undefined;
    expect(failure?.payload).toMatchObject({ stage: 'stt', code: 'PROVIDER_FAILURE' });
    expect(result.marks.some((mark) => mark.endsWith(':apology'))).toBe(true);
    expect(turns.map((turn) => [turn.role, turn.text])).toEqual([
      ['caller', 'Thank you, that is all. Goodbye.'],
      ['agent', 'You said: Thank you, that is all. Goodbye.'],
    ]);
  }, 30_000);

  it('on a call, searches only what can answer: no memories of a new caller, the knowledge base until found empty', async () => {
    openai.speechSeconds = 0.2;
    const twoUtterances = () =>
      Buffer.concat([sharedAudio('math'), Buffer.alloc(8000 * 1.2, 0xff), sharedAudio('goodbye')]);
    // Spies that count, not mocks: the real services run.
    const knowledge = jest.spyOn(sut.app.get(KnowledgeService), 'searchVector');
    const memory = jest.spyOn(sut.app.get(CustomerMemoryService), 'recallVector');
    try {
      // A new caller (no memories, no remember tool) of an organization without documents.
      const empty = await call(twoUtterances(), '');
      expect(empty.turns.filter((turn) => turn.role === 'caller')).toHaveLength(2);
      expect(memory.mock.calls.map((args) => args[2])).toEqual([undefined]); // the opening recall only
      expect(knowledge).toHaveBeenCalledTimes(1); // found empty on the first turn

      // Once the organization has a document, every turn of the next call searches it.
      await ingestDocument(sut.app, owner);
      knowledge.mockClear();
      const searched = await call(twoUtterances(), '');
      expect(searched.turns.filter((turn) => turn.role === 'caller')).toHaveLength(2);
      expect(knowledge).toHaveBeenCalledTimes(2);
    } finally {
      knowledge.mockRestore();
      memory.mockRestore();
    }
  }, 40_000);
});
