import { registerAccount, type Account } from '../factories/account.factory';
import { createAgent, createPhoneNumber, uniqueE164 } from '../factories/telephony.factory';
import { OpenAiStandIn, type StandInChatRequest } from '../support/openai-stand-in';
import { callAndWait } from '../support/phone-call';
import { createTestApp, type TestApp } from '../support/test-app';
import { sharedAudio, TWILIO_ENV } from '../support/twilio';

const isSentimentRequest = (request: StandInChatRequest) =>
  String(request.messages[0]?.content ?? '').startsWith('Rate the sentiment');

describe('Caller sentiment by the chat model, stored on the caller turn (e2e)', () => {
  const openai = new OpenAiStandIn();
  let sut: TestApp;
  let owner: Account;

  beforeAll(async () => {
    await openai.start();
    openai.speechSeconds = 0.2;
    sut = await createTestApp(
      {
        ...TWILIO_ENV,
        ...openai.voiceEnv(),
        SENTIMENT_PROVIDER: 'llm',
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

  // A prompt answer is stored with the turn as it is inserted; a slow one is added to the stored turn later.
  it.each([
    ['answers at once', 0],
    ['answers after the turn was stored', 400],
  ])(
    'keeps the score and its label when the model %s',
    async (_case, delayMs) => {
      openai.respond = async (request) => {
        if (!isSentimentRequest(request)) return undefined;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        return '-0.6';
      };
      const agent = await createAgent(sut.app, owner, { firstMessage: '' });
      const number = await createPhoneNumber(sut.app, owner, agent.id);

      const { turns } = await callAndWait(sut, owner, {
        from: uniqueE164(),
        to: number.e164,
        audio: sharedAudio('hello'),
      });

      const caller = turns.filter((turn) => turn.role === 'caller');
      expect(caller).toHaveLength(1);
      expect(caller[0]).toMatchObject({
        text: 'Hello, I would like to check the status of my order please.',
        sentiment: -0.6,
        metadata: { transcribed: true, sentiment: 'negative', sentimentBy: 'llm' },
      });
      expect(turns.map((turn) => turn.role)).toEqual(['caller', 'agent']);
    },
    30_000,
  );
});
