import request from 'supertest';
import { CustomerMemoryService } from '../../src/modules/memory/customer-memory/customer-memory.service';
import { registerAccount, type Account } from '../factories/account.factory';
import { createAgent, createPhoneNumber, uniqueE164 } from '../factories/telephony.factory';
import { OpenAiStandIn, type StandInChatRequest } from '../support/openai-stand-in';
import { callAndWait } from '../support/phone-call';
import { createTestApp, type TestApp } from '../support/test-app';
import { sharedAudio, TWILIO_ENV } from '../support/twilio';
import { waitFor } from '../support/wait-for';

interface MemoryView {
  id: string;
  kind: string;
  content: string;
  sourceCallId: string | null;
}

const SUMMARY = 'The caller asked about order 4572, which has not arrived; the agent noted it.';
const isSummaryRequest = (chat: StandInChatRequest) =>
  chat.messages[0]?.content?.startsWith('You write the memory') ?? false;

describe('Caller memory across calls (e2e, real media streams)', () => {
  const openai = new OpenAiStandIn();
  let sut: TestApp;
  let owner: Account;
  let number: { e164: string };
  const caller = uniqueE164();

  beforeAll(async () => {
    await openai.start();
    openai.speechSeconds = 0.2;
    // The model remembers the caller's order the first time it hears of it, and summarises calls when asked.
    openai.respond = (chat) => {
      if (isSummaryRequest(chat)) return SUMMARY;
      const last = chat.messages.at(-1)!;
      if (last.role === 'tool') return 'I have made a note of that.';
      const known = chat.messages[0].content?.includes('order 4572') ?? false;
      if (!known && last.content?.includes('order')) {
        return {
          toolCalls: [
            {
              name: 'remember',
              arguments: {
                content: 'Order 4572 has not arrived yet.',
                kind: 'issue',
                importance: 0.9,
              },
            },
          ],
        };
      }
      return known ? 'Welcome back. Is this about order 4572?' : 'How can I help?';
    };
    sut = await createTestApp(
      {
        ...TWILIO_ENV,
        ...openai.voiceEnv(),
        ENDPOINTING_SILENCE_MS: '500',
      },
      { listen: true },
    );
    owner = await registerAccount(sut.app);
    const agent = await createAgent(sut.app, owner, {
      firstMessage: '',
      toolsEnabled: ['remember'],
    });
    number = await createPhoneNumber(sut.app, owner, agent.id);
  });
  afterAll(async () => {
    await sut.close();
    await openai.stop();
  });

  const memories = async (account: Account, customerId: string) =>
    (
      await request(sut.app.getHttpServer())
        .get(`/api/v1/customers/${customerId}/memories`)
        .set('authorization', `Bearer ${account.accessToken}`)
        .expect(200)
    ).body.items as MemoryView[];

  /** The system prompt the model got for the first caller turn of the calls placed after `since`. */
  const systemPromptAfter = (since: number) =>
    openai.requests
      .slice(since)
      .map((recorded) => recorded.json as unknown as StandInChatRequest | undefined)
      .find((chat) => chat?.messages && !isSummaryRequest(chat))!.messages[0].content!;

  let customerId: string;
  let firstCallId: string;

  it('stores what the agent learned on the first call, and a summary of it afterwards', async () => {
    const before = openai.requests.length;
    // A spy that counts, not a mock: the real service runs.
    const recall = jest.spyOn(sut.app.get(CustomerMemoryService), 'recallVector');
    let first: Awaited<ReturnType<typeof callAndWait>>;
    try {
      first = await callAndWait(sut, owner, {
        from: caller,
        to: number.e164,
        audio: Buffer.concat([
          sharedAudio('order'),
          Buffer.alloc(8000 * 1.2, 0xff),
          sharedAudio('goodbye'),
        ]),
      });
      // A new caller: no search of their memories until the remember tool has stored one (on the first
      // turn), then on every turn (the second).
      const searches = recall.mock.calls.map((args) =>
        args[2] === undefined ? 'opening' : 'turn',
      );
      expect(searches).toEqual(['opening', 'turn']);
    } finally {
      recall.mockRestore();
    }
    expect(first.turns.filter((turn) => turn.role === 'caller')).toHaveLength(2);
    expect(systemPromptAfter(before)).not.toContain('order 4572');
    customerId = first.call.customerId!;
    firstCallId = first.call.id;
    const tool = first.turns.find((turn) => turn.role === 'tool');
    expect(tool).toMatchObject({ metadata: { tool: 'remember', ok: true } });

    const stored = await waitFor(
      () => memories(owner, customerId),
      (items) => items.some((memory) => memory.kind === 'summary'),
      { timeoutMs: 15_000 },
    );
    expect(stored).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'issue',
          content: 'Order 4572 has not arrived yet.',
          sourceCallId: firstCallId,
        }),
        expect.objectContaining({ kind: 'summary', content: SUMMARY, sourceCallId: firstCallId }),
      ]),
    );
  }, 30_000);

  it("gives the second call's agent what the first call stored", async () => {
    const before = openai.requests.length;
    const second = await callAndWait(sut, owner, {
      from: caller,
      to: number.e164,
      audio: sharedAudio('hello'),
    });

    expect(second.call.customerId).toBe(customerId);
    const prompt = systemPromptAfter(before);
    expect(prompt).toContain('What you remember about this caller from earlier calls:');
    expect(prompt).toContain('Order 4572 has not arrived yet.');
    expect(prompt).toContain(SUMMARY);
    expect(second.turns.find((turn) => turn.role === 'agent')?.text).toBe(
      'Welcome back. Is this about order 4572?',
    );
  }, 30_000);

  it("keeps one organization's callers' memories from another's agents", async () => {
    const other = await registerAccount(sut.app);
    const theirAgent = await createAgent(sut.app, other, { firstMessage: '' });
    const theirNumber = await createPhoneNumber(sut.app, other, theirAgent.id);
    const before = openai.requests.length;
    const call = await callAndWait(sut, other, {
      from: caller,
      to: theirNumber.e164,
      audio: sharedAudio('hello'),
    });

    expect(call.call.customerId).not.toBe(customerId);
    expect(systemPromptAfter(before)).not.toContain('4572');
    await request(sut.app.getHttpServer())
      .get(`/api/v1/customers/${customerId}/memories`)
      .set('authorization', `Bearer ${other.accessToken}`)
      .expect(404);
  }, 30_000);

  it('forgets a caller on request: one memory, then all of them, and the next call knows nothing', async () => {
    const added = await request(sut.app.getHttpServer())
      .post(`/api/v1/customers/${customerId}/memories`)
      .set('authorization', `Bearer ${owner.accessToken}`)
      .send({ content: 'Prefers morning appointments.', kind: 'preference' })
      .expect(201);
    await request(sut.app.getHttpServer())
      .delete(`/api/v1/customers/${customerId}/memories/${added.body.id}`)
      .set('authorization', `Bearer ${owner.accessToken}`)
      .expect(204);
    expect((await memories(owner, customerId)).map((memory) => memory.id)).not.toContain(
      added.body.id,
    );

    const forgotten = await request(sut.app.getHttpServer())
      .delete(`/api/v1/customers/${customerId}/memories`)
      .set('authorization', `Bearer ${owner.accessToken}`)
      .expect(200);
    expect(forgotten.body.deleted).toBeGreaterThanOrEqual(2);
    expect(await memories(owner, customerId)).toEqual([]);

    const before = openai.requests.length;
    await callAndWait(sut, owner, { from: caller, to: number.e164, audio: sharedAudio('hello') });
    expect(systemPromptAfter(before)).not.toContain('What you remember about this caller');
  }, 30_000);
});
