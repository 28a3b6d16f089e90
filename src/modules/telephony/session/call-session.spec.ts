import { EventEmitter } from 'node:events';
import type WebSocket from 'ws';
import type { Call } from '../calls/call.entity';
import type { CallsService } from '../calls/calls.service';
import { MemoryCallRegistry } from '../registry/memory-call-registry';
import type { StreamTokenService } from '../streams/stream-token.service';
import type { TwilioCallControl } from '../twilio/rest/twilio-call-control';
import { CallSession } from './call-session';
import { VoicePipelineFactory, type VoicePipeline } from './voice-pipeline';

const CALL = {
  id: 'call-1',
  organizationId: 'org-1',
  customerId: null,
  fromNumber: '+14155550100',
  toNumber: '+14155550101',
  providerCallId: 'CA1',
} as unknown as Call;

/** A pipeline whose start the test finishes by hand, recording the frames it is given. */
class GatedPipeline implements VoicePipeline {
  readonly frames: number[] = [];
  release!: () => void;
  readonly started = new Promise<void>((resolve) => (this.release = resolve));
  start = () => this.started;
  onAudio = (frame: Buffer) => void this.frames.push(frame[0]);
  onDtmf = () => undefined;
  onMark = () => undefined;
  close = () => Promise.resolve();
}

const frame = (marker: number) =>
  JSON.stringify({
    event: 'media',
    media: { track: 'inbound', payload: Buffer.alloc(160, marker).toString('base64') },
  });

describe(CallSession.name, () => {
  it('hands the pipeline the frames buffered while the stream attached before any that arrive later', async () => {
    const pipeline = new GatedPipeline();
    let releaseLoad!: () => void;
    const loaded = new Promise<void>((resolve) => (releaseLoad = resolve));
    const socket = Object.assign(new EventEmitter(), {
      readyState: 1,
      send: () => undefined,
      close: () => undefined,
    });
    // Only what the start path touches; everything past the network edge stays out of a unit test.
    const sut = new CallSession(socket as unknown as WebSocket, undefined, {
      calls: { attachStream: () => Promise.resolve('attached') } as unknown as CallsService,
      registry: new MemoryCallRegistry('instance', 60_000),
      streamTokens: {
        verify: () => ({
          callId: CALL.id,
          organizationId: CALL.organizationId,
          providerCallId: 'CA1',
        }),
      } as unknown as StreamTokenService,
      pipelines: new (class extends VoicePipelineFactory {
        create = () => pipeline;
      })(),
      callControl: {} as TwilioCallControl,
      loadCall: async () => {
        await loaded;
        return { call: CALL, agent: null, variantId: null };
      },
      maxTurns: 10,
      heartbeatMs: 60_000,
      onFrames: () => undefined,
      onInboundLag: () => undefined,
      onAttached: () => undefined,
      onEnded: () => undefined,
    });
    const receive = (message: string) => socket.emit('message', Buffer.from(message), false);

    receive(
      JSON.stringify({
        event: 'start',
        streamSid: 'MZ1',
        start: { callSid: 'CA1', customParameters: { token: 't' }, tracks: ['inbound'] },
      }),
    );
    receive(frame(1));
    receive(frame(2));
    releaseLoad();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sut.isLive).toBe(true);
    // The pipeline is still starting when the next frame comes.
    receive(frame(3));
    pipeline.release();
    await new Promise((resolve) => setImmediate(resolve));

    expect(pipeline.frames).toEqual([1, 2, 3]);
  });
});
