import { register } from 'prom-client';
import { SPEECH_TO_TEXT, TEXT_TO_SPEECH } from '../../src/modules/voice/providers/speech-providers';
import { EspeakTextToSpeech } from '../../src/modules/voice/providers/tts/espeak-text-to-speech';
import type { SpeechToText } from '../../src/modules/voice/providers/stt/speech-to-text';
import type { TextToSpeech } from '../../src/modules/voice/providers/tts/text-to-speech';
import { TextToSpeechChain } from '../../src/modules/voice/providers/tts/text-to-speech-chain';
import { CartesiaStandIn } from '../support/cartesia-stand-in';
import { DeepgramStandIn } from '../support/deepgram-stand-in';
import { OpenAiStandIn } from '../support/openai-stand-in';
import { createTestApp, type TestApp } from '../support/test-app';
import { sharedAudio } from '../support/twilio';

const ESPEAK = EspeakTextToSpeech.detect('espeak-ng');
if (!ESPEAK)
  console.warn(
    'espeak-ng is not installed: local text-to-speech checks run in CI only (.ci/run installs it).',
  );

async function collect(audio: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of audio) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('Speech providers against an OpenAI stand-in (e2e)', () => {
  const openai = new OpenAiStandIn();
  let sut: TestApp;
  let tts: TextToSpeech;
  let stt: SpeechToText;

  beforeAll(async () => {
    await openai.start();
    sut = await createTestApp({
      OPENAI_BASE_URL: openai.url,
      OPENAI_API_KEY: 'sk-test-key',
      STT_PROVIDER: 'openai',
      TTS_PROVIDER: 'openai',
      RETRY_MAX_ATTEMPTS: '3',
      RETRY_BACKOFF_INITIAL: '0.01',
      RETRY_BACKOFF_MAX: '0.02',
      PROVIDER_TIMEOUT: '0.5',
      CIRCUIT_BREAKER_THRESHOLD: '5',
    });
    tts = sut.app.get(TEXT_TO_SPEECH);
    stt = sut.app.get(SPEECH_TO_TEXT);
  });
  afterAll(async () => {
    await sut.close();
    await openai.stop();
  });
  beforeEach(() => {
    openai.requests.length = 0;
    openai.failNext.length = 0;
  });

  describe('text-to-speech', () => {
    it('streams OpenAI speech as 8 kHz mu-law of the right length', async () => {
      openai.speechSeconds = 1.5;
      const audio = await collect(tts.synthesize('Hello, how can I help?', { voice: 'nova' }));

      expect(Math.abs(audio.length - 12_000)).toBeLessThanOrEqual(8);
      expect(openai.requests[0]).toMatchObject({
        path: '/v1/audio/speech',
        authorization: 'Bearer sk-test-key',
        json: {
          model: 'gpt-4o-mini-tts',
          voice: 'nova',
          input: 'Hello, how can I help?',
          response_format: 'pcm',
        },
      });
    });

    it('retries a 429 and a 503, then speaks', async () => {
      openai.failNext.push(429, 503);
      const audio = await collect(tts.synthesize('Retry me'));

      expect(audio.length).toBeGreaterThan(0);
      expect(openai.requests).toHaveLength(3);
    });

    it('does not retry a 400', async () => {
      openai.failNext.push(400);
      const attempt = collect(tts.synthesize('Bad request'));
      if (ESPEAK) {
        // the chain hands over to the local voice instead
        expect((await attempt).length).toBeGreaterThan(0);
      } else {
        await expect(attempt).rejects.toThrow(/400/);
      }
      expect(openai.requests).toHaveLength(1);
    });

    (ESPEAK ? it : it.failing)(
      'falls back to the local voice when OpenAI keeps failing or times out, and counts it',
      async () => {
        openai.failNext.push(500, 502, 'hang');
        const audio = await collect(tts.synthesize('Your order ships tomorrow.'));

        expect(audio.length).toBeGreaterThan(8000); // about two seconds of espeak-ng speech
        const metric = await register.getSingleMetricAsString(
          'switchboard_provider_fallbacks_total',
        );
        expect(metric).toContain(
          'switchboard_provider_fallbacks_total{kind="tts",from="openai",to="local"}',
        );
      },
    );
  });

  describe('speech-to-text', () => {
    it('transcribes an utterance through /v1/audio/transcriptions as 8 kHz 16-bit WAV', async () => {
      const stream = stt.open({ language: 'en-US' });
      const audio = sharedAudio('hello');
      for (let offset = 0; offset < audio.length; offset += 160)
        stream.push(audio.subarray(offset, offset + 160));

      const transcript = await stream.finish();

      expect(transcript.text).toBe('Hello, I would like to check the status of my order please.');
      expect(openai.requests[0].fields).toMatchObject({ model: 'whisper-1', language: 'en' });
      expect(openai.requests[0].fileBytes).toBe(44 + audio.length * 2);
    });

    it('retries a 5xx and gives up on a 4xx with a provider error', async () => {
      openai.failNext.push(500);
      const retried = stt.open();
      retried.push(sharedAudio('math'));
      expect((await retried.finish()).text).toBe('What is twelve times thirty four?');

      openai.failNext.push(401);
      const refused = stt.open();
      refused.push(sharedAudio('math'));
      await expect(refused.finish()).rejects.toMatchObject({
        code: 'PROVIDER_FAILURE',
        status: 401,
      });
    });
  });
});

(ESPEAK ? describe : describe.skip)('Local text-to-speech (espeak-ng)', () => {
  it('speaks with no account, and stops when aborted', async () => {
    const tts = new EspeakTextToSpeech('espeak-ng');
    const audio = await collect(tts.synthesize('Thank you for calling. Goodbye.'));
    expect(audio.length / 8000).toBeGreaterThan(1);
    expect(audio.length / 8000).toBeLessThan(5);

    const controller = new AbortController();
    const chunks: Buffer[] = [];
    for await (const chunk of tts.synthesize(
      'A long sentence that is interrupted by the caller right away.',
      {
        signal: controller.signal,
      },
    )) {
      chunks.push(chunk);
      controller.abort();
    }
    expect(chunks).toHaveLength(1);
  });
});

describe('Text-to-speech chain Cartesia → OpenAI → local (e2e)', () => {
  const cartesia = new CartesiaStandIn();
  const openai = new OpenAiStandIn();
  let sut: TestApp;
  let tts: TextToSpeech;

  beforeAll(async () => {
    await Promise.all([cartesia.start(), openai.start()]);
    sut = await createTestApp({
      TTS_PROVIDER: 'cartesia',
      CARTESIA_API_KEY: 'cartesia-test-key',
      CARTESIA_URL: cartesia.url,
      OPENAI_BASE_URL: openai.url,
      OPENAI_API_KEY: 'sk-test',
      RETRY_MAX_ATTEMPTS: '2',
      RETRY_BACKOFF_INITIAL: '0.01',
      RETRY_BACKOFF_MAX: '0.02',
    });
    tts = sut.app.get(TEXT_TO_SPEECH);
  });
  afterAll(async () => {
    await sut.close();
    await Promise.all([cartesia.stop(), openai.stop()]);
  });

  it('asks Cartesia for raw 8 kHz mu-law and passes it through untouched', async () => {
    const audio = await collect(
      tts.synthesize('Your appointment is confirmed.', { language: 'en-US' }),
    );

    expect(audio.length).toBe(8000);
    expect(cartesia.requests.at(-1)).toMatchObject({
      headers: { 'x-api-key': 'cartesia-test-key', 'cartesia-version': '2024-06-10' },
      body: {
        model_id: 'sonic-2',
        transcript: 'Your appointment is confirmed.',
        voice: { mode: 'id', id: expect.any(String) },
        output_format: { container: 'raw', encoding: 'pcm_mulaw', sample_rate: 8000 },
        language: 'en',
      },
    });
  });

  it('lets an agent put its own provider first', async () => {
    openai.speechSeconds = 0.25;
    const before = { cartesia: cartesia.requests.length, openai: openai.requests.length };

    const audio = await collect(
      (tts as TextToSpeechChain).preferring('openai').synthesize('Agent choice.'),
    );

    expect(Math.abs(audio.length - 2000)).toBeLessThanOrEqual(8);
    expect(openai.requests.length).toBe(before.openai + 1);
    expect(cartesia.requests.length).toBe(before.cartesia);
    expect((tts as TextToSpeechChain).preferring('nonexistent')).toBe(tts);
  });

  it('falls back to OpenAI when Cartesia keeps failing, and counts the switch', async () => {
    cartesia.failNext.push(503, 503);
    openai.speechSeconds = 0.5;
    const before = openai.requests.length;

    const audio = await collect(tts.synthesize('Falling back.'));

    expect(Math.abs(audio.length - 4000)).toBeLessThanOrEqual(8);
    expect(openai.requests.length).toBe(before + 1);
    const metric = await register.getSingleMetricAsString('switchboard_provider_fallbacks_total');
    expect(metric).toContain(
      'switchboard_provider_fallbacks_total{kind="tts",from="cartesia",to="openai"} 1',
    );
  });
});

describe('Deepgram live speech-to-text (e2e)', () => {
  const deepgram = new DeepgramStandIn();
  let sut: TestApp;
  let stt: SpeechToText;

  beforeAll(async () => {
    await deepgram.start();
    sut = await createTestApp({
      STT_PROVIDER: 'deepgram',
      DEEPGRAM_API_KEY: 'dg-test-key',
      DEEPGRAM_URL: deepgram.url,
      RETRY_BACKOFF_INITIAL: '0.01',
      RETRY_BACKOFF_MAX: '0.02',
    });
    stt = sut.app.get(SPEECH_TO_TEXT);
  });
  afterAll(async () => {
    await sut.close();
    await deepgram.stop();
  });

  const speak = (name: string) => {
    const stream = stt.open({ language: 'en-US' });
    const audio = sharedAudio(name);
    for (let offset = 0; offset < audio.length; offset += 160)
      stream.push(audio.subarray(offset, offset + 160));
    return stream;
  };

  it('streams mu-law over the WebSocket, reports partials, and returns the final transcript after CloseStream', async () => {
    const stream = speak('order');
    const partials: string[] = [];
    stream.onPartial((text) => partials.push(text));

    const transcript = await stream.finish();

    expect(transcript).toEqual({
      text: 'My order number is four five seven two. It has not arrived yet.',
      confidence: 0.97,
    });
    expect(partials.length).toBeGreaterThan(0);
    const connection = deepgram.connections.at(-1)!;
    expect(connection.authorization).toBe('Token dg-test-key');
    expect(new URL(connection.url, 'ws://x').searchParams.get('encoding')).toBe('mulaw');
    expect(new URL(connection.url, 'ws://x').searchParams.get('sample_rate')).toBe('8000');
  });

  it('retries a refused handshake (429), and gives up on 401', async () => {
    deepgram.refuseNext.push(429);
    expect((await speak('math').finish()).text).toBe('What is twelve times thirty four?');

    deepgram.refuseNext.push(401);
    await expect(speak('math').finish()).rejects.toMatchObject({
      code: 'PROVIDER_FAILURE',
      status: 401,
    });
  });

  it('reports a connection dropped mid-utterance as a provider failure', async () => {
    deepgram.dropAfterFrames = 40;
    await expect(speak('hello').finish()).rejects.toMatchObject({
      code: 'PROVIDER_FAILURE',
      message: expect.stringContaining('mid-utterance'),
    });
  });
});
