/**
 * Audio bytes appended into one buffer that grows by doubling. A caller's utterance kept as a list of 20 ms
 * frames is fifty objects a second per call that all outlive the young generation's collections: the garbage
 * collector copies them, promotes them and later marks and compacts them, pauses every other call's audio
 * waits behind. Copied in here, each frame dies young and an utterance is a handful of allocations.
 *
 * With `window`, only the most recent `window` bytes are kept (a pre-roll of the last few frames).
 */
export class ByteAccumulator {
  private buffer: Buffer;
  private used = 0;

  constructor(
    initialCapacity: number,
    private readonly window = Infinity,
  ) {
    this.buffer = Buffer.allocUnsafe(Math.min(initialCapacity, window));
  }

  get length(): number {
    return this.used;
  }

  append(bytes: Uint8Array): void {
    if (bytes.length >= this.window) {
      this.ensureCapacity(this.window);
      this.buffer.set(bytes.subarray(bytes.length - this.window));
      this.used = this.window;
      return;
    }
    const overflow = this.used + bytes.length - this.window;
    if (overflow > 0) {
      this.buffer.copyWithin(0, overflow, this.used);
      this.used -= overflow;
    }
    this.ensureCapacity(this.used + bytes.length);
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** What is held, without copying: valid until the next append or clear. */
  view(): Buffer {
    return this.buffer.subarray(0, this.used);
  }

  /** A copy of what is held: later appends do not change it. */
  copy(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.used));
  }

  clear(): void {
    this.used = 0;
  }

  private ensureCapacity(needed: number): void {
    if (needed <= this.buffer.length) return;
    let capacity = Math.max(1, this.buffer.length);
    while (capacity < needed) capacity *= 2;
    // `needed` never exceeds the window: append trims first.
    const grown = Buffer.allocUnsafe(Math.min(capacity, this.window));
    this.buffer.copy(grown, 0, 0, this.used);
    this.buffer = grown;
  }
}
