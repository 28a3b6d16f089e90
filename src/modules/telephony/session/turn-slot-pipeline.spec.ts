import type { CallAudioSink, CallContext } from './voice-pipeline';
import { TurnSlotPipelineFactory } from './turn-slot-pipeline';

describe(TurnSlotPipelineFactory.name, () => {
  it('starts a call whose greeting cannot be spoken even when recording that fact fails', async () => {
    const recorded: string[] = [];
    const sink = {
      recordEvent: (type: string) => {
        recorded.push(type);
        return Promise.reject(new Error('database unavailable'));
      },
    } as unknown as CallAudioSink;
    const context = {
      callId: 'call-1',
      organizationId: 'org-1',
      agent: { firstMessage: 'Hello, how can I help?' },
      maxTurns: 5,
    } as unknown as CallContext;
    const sut = new TurnSlotPipelineFactory().create(context, sink);

    await expect(sut.start()).resolves.toBeUndefined();
    expect(recorded).toEqual(['agent.first_message_not_spoken']);
  });
});
