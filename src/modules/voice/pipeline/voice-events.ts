import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

/** What a call's voice pipeline reports as it happens (for live dashboards, analytics, tests). */
export type VoiceEvent =
  | { type: 'utterance.started'; atMs: number }
  | { type: 'utterance.ended'; speechMs: number }
  | { type: 'transcript.partial'; text: string }
  | { type: 'transcript.final'; text: string; latencyMs: number }
  | { type: 'sentiment'; score: number; label: string }
  | { type: 'agent.text_delta'; text: string }
  | { type: 'agent.audio'; bytes: number }
  | { type: 'agent.tool_call'; name: string; arguments: string }
  | { type: 'agent.filler' }
  | { type: 'agent.interrupted'; heard: string; reason: 'barge_in' | 'dtmf' }
  | { type: 'error'; stage: string; code?: string; message: string };

export type VoiceEventEnvelope = VoiceEvent & {
  callId: string;
  organizationId: string;
  at: string;
};

/**
 * The process-wide stream of voice events, typed. Turns and call events are persisted by the session; this
 * bus is for whoever wants them live (the dashboard stream, metrics, tests).
 */
@Injectable()
export class VoiceEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(100);

  emit(call: { callId: string; organizationId: string }, event: VoiceEvent): void {
    // Most of the time nobody watches: a call's many events (a frame of speech each) then cost nothing.
    if (this.emitter.listenerCount('event') === 0) return;
    const envelope = {
      ...event,
      callId: call.callId,
      organizationId: call.organizationId,
      at: new Date().toISOString(),
    };
    this.emitter.emit('event', envelope);
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: (event: VoiceEventEnvelope) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
