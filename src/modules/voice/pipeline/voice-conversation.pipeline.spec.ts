import { Histogram, Registry } from 'prom-client';
import type { AgentConversation } from '../../agent/conversation/agent-conversation';
import type { AgentEvent } from '../../agent/conversation/agent-event';
import type { CallTurn } from '../../telephony/calls/call-turn.entity';
import type { NewTurn } from '../../telephony/calls/calls.repository';
import type { CallAudioSink, CallContext } from '../../telephony/session/voice-pipeline';
import { SpeechToText, SpeechToTextStream } from '../providers/stt/speech-to-text';
import { TextToSpeech } from '../providers/tts/text-to-speech';
import { LexiconSentimentAnalyzer } from '../sentiment/lexicon-sentiment';
import { DEFAULT_ENDPOINTER_OPTIONS } from '../turns/endpointer';
import { VoiceConversationPipeline } from './voice-conversation.pipeline';
import { VoiceEvents } from './voice-events';

/** Half a second of mu-law per sentence: the pipeline only counts and forwards it. */
class ToneSpeech extends TextToSpeech {
  readonly name = 'tone';
  async *synthesize(): AsyncIterable<Buffer> {
    await Promise.resolve();
    yield Buffer.alloc(4000, 0xff);
  }
}

/** Never used here (the caller speaks with keys), but a pipeline needs one. */
class SilentTranscriber extends SpeechToText {
  readonly name = 'silent';
  open(): SpeechToTextStream {
    return {
      push: () => undefined,
      onPartial: () => undefined,
      finish: () => Promise.resolve({ text: '' }),
      close: () => undefined,
    };
  }
  transcribe() {
    return Promise.resolve({ text: '' });
  }
}

/** The call as the pipeline sees it: what it plays, stores and asks of the line. */
class RecordingSink implements CallAudioSink {
  readonly marks: string[] = [];
  readonly hangups: string[] = [];
  readonly turns: NewTurn[] = [];
  readonly events: string[] = [];

  play(_audio: Buffer, mark?: string): void {
    if (mark) this.marks.push(mark);
  }
  clear(): void {}
  hangup(reason: string): void {
    this.hangups.push(reason);
  }
  transfer(): Promise<void> {
    return Promise.resolve();
  }
  recordTurn(turn: NewTurn): Promise<CallTurn> {
    this.turns.push(turn);
    return Promise.resolve({ id: `turn-${this.turns.length}`, ...turn } as unknown as CallTurn);
  }
  updateTurn(): Promise<void> {
    return Promise.resolve();
  }
  recordEvent(type: string): Promise<void> {
    this.events.push(type);
    return Promise.resolve();
  }
}

const CONTEXT: CallContext = {
  callId: '6f1c2f7e-0000-4000-8000-000000000001',
  organizationId: 'org',
  customerId: null,
  from: '+14155550101',
  to: '+14155550102',
  agent: null,
  variantId: null,
  maxTurns: 20,
};

const END_CALL_RESULT: AgentEvent = {
  type: 'tool_result',
  id: 'call-1',
  name: 'end_call',
  ok: true,
  result: '{"ending":true}',
  durationMs: 1,
};

/** Resolves once `check` holds, polling the event loop (the pipeline works through promise chains). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(check()).toBe(true);
}

describe(VoiceConversationPipeline.name, () => {
  let sink: RecordingSink;
  /** Holds the reply between its tool's result and the tool's call action, until released. */
  let releaseAction: () => void;
  let actionHeld: Promise<void>;

  /** A model that ends the call with end_call, then says goodbye; its later replies are a plain "Okay.". */
  function conversation(): AgentConversation {
    let replies = 0;
    return {
      messages: [],
      async *reply(): AsyncGenerator<AgentEvent> {
        if (replies++ > 0) {
          yield { type: 'text', text: 'Okay.' };
          return;
        }
        yield { type: 'tool_call', id: 'call-1', name: 'end_call', arguments: '{}' };
        yield END_CALL_RESULT;
        await actionHeld;
        yield { type: 'action', action: { kind: 'end_call', reason: 'agent_end_call' } };
        yield { type: 'text', text: 'Goodbye.' };
      },
      noteInterrupted: () => undefined,
      end: () => Promise.resolve(),
    } as unknown as AgentConversation;
  }

  function pipeline(): VoiceConversationPipeline {
    return new VoiceConversationPipeline(
      CONTEXT,
      sink,
      {
        stt: new SilentTranscriber(),
        tts: new ToneSpeech(),
        openConversation: () => Promise.resolve(conversation()),
        sentiment: new LexiconSentimentAnalyzer(),
        latency: new Histogram({
          name: 'test_latency_seconds',
          help: 'test',
          labelNames: ['stage'],
          registers: [new Registry()],
        }),
        events: new VoiceEvents(),
      },
      {
        endpointer: DEFAULT_ENDPOINTER_OPTIONS,
        bargeInMinSpeechMs: 300,
        apologyAudio: undefined,
        fillerAudio: undefined,
        silenceFillerMs: 60_000,
        goodbye: 'Goodbye.',
      },
    );
  }

  beforeEach(() => {
    sink = new RecordingSink();
    actionHeld = new Promise((resolve) => (releaseAction = resolve));
  });

  it("carries out a tool's call action once the reply announcing it has been heard", async () => {
    const sut = pipeline();
    await sut.start();

    sut.onDtmf('1');
    releaseAction();
    await until(() => sink.marks.length === 1);
    expect(sink.hangups).toEqual([]); // not before the goodbye has played
    sut.onMark(sink.marks[0]);

    expect(sink.hangups).toEqual(['agent_end_call']);
    await sut.close('agent_end_call');
  });

  it("drops the call action of a tool the caller interrupted, and keeps the tool's turn", async () => {
    const sut = pipeline();
    await sut.start();

    sut.onDtmf('1');
    await until(() => sink.turns.some((turn) => turn.role === 'tool'));
    sut.onDtmf('2'); // the caller presses a key while the reply with the tool's action is on its way
    releaseAction();
    await until(() => sink.marks.length === 1); // the second key's reply: "Okay."
    sut.onMark(sink.marks[0]);
    await until(() => sink.turns.length === 4);

    expect(sink.hangups).toEqual([]);
    expect(sink.events).toContain('agent.interrupted');
    expect(sink.turns.map((turn) => turn.role)).toEqual(['caller', 'tool', 'caller', 'agent']);
    await sut.close('stream_stopped');
  });
});
