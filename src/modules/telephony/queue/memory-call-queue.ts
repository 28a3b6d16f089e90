import { CallQueue, QueuedCall, queueScore } from './call-queue';

interface Entry {
  callId: string;
  score: number;
  seenAt: number;
}

export class MemoryCallQueue extends CallQueue {
  readonly shared = false;
  private entries: Entry[] = [];

  enqueue(call: QueuedCall, maxSize: number): Promise<number | undefined> {
    const existing = this.indexOf(call.callId);
    if (existing >= 0) return Promise.resolve(existing);
    if (this.entries.length >= maxSize) return Promise.resolve(undefined);
    const score = queueScore(call);
    const at = this.entries.findIndex((entry) => entry.score > score);
    const index = at === -1 ? this.entries.length : at;
    this.entries.splice(index, 0, { callId: call.callId, score, seenAt: call.enqueuedAt });
    return Promise.resolve(index);
  }

  checkIn(callId: string, at: number): Promise<number | undefined> {
    const index = this.indexOf(callId);
    if (index === -1) return Promise.resolve(undefined);
    this.entries[index].seenAt = Math.max(this.entries[index].seenAt, at);
    return Promise.resolve(index);
  }

  removeUnseenSince(before: number): Promise<string[]> {
    const gone = this.entries.filter((entry) => entry.seenAt < before).map((entry) => entry.callId);
    if (gone.length > 0) this.entries = this.entries.filter((entry) => entry.seenAt >= before);
    return Promise.resolve(gone);
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

  private indexOf(callId: string): number {
    return this.entries.findIndex((entry) => entry.callId === callId);
  }
}
