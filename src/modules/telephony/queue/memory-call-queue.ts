import { CallQueue, QueuedCall, queueScore } from './call-queue';

export class MemoryCallQueue extends CallQueue {
  private entries: { callId: string; score: number }[] = [];

  enqueue(call: QueuedCall, maxSize: number): Promise<number | undefined> {
    const existing = this.entries.findIndex((entry) => entry.callId === call.callId);
    if (existing >= 0) return Promise.resolve(existing);
    if (this.entries.length >= maxSize) return Promise.resolve(undefined);
    const score = queueScore(call);
    const at = this.entries.findIndex((entry) => entry.score > score);
    const index = at === -1 ? this.entries.length : at;
    this.entries.splice(index, 0, { callId: call.callId, score });
    return Promise.resolve(index);
  }

  position(callId: string): Promise<number | undefined> {
    const index = this.entries.findIndex((entry) => entry.callId === callId);
    return Promise.resolve(index === -1 ? undefined : index);
  }

  remove(callId: string): Promise<boolean> {
    const before = this.entries.length;
    this.entries = this.entries.filter((entry) => entry.callId !== callId);
    return Promise.resolve(this.entries.length < before);
  }

  size(): Promise<number> {
    return Promise.resolve(this.entries.length);
  }

  list(): Promise<string[]> {
    return Promise.resolve(this.entries.map((entry) => entry.callId));
  }
}
