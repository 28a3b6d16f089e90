/**
 * Audio bytes appended into one buffer. A caller's utterance kept as a list of 20 ms frames is fifty objects a
 * second per call that all outlive the young generation's collections: the garbage collector copies them,
 * promotes them and later marks and compacts them, pauses every other call's audio waits behind. Copied in
 * here, each frame dies young and an utterance is a handful of allocations (the buffer doubles as it fills).
 *
 * With a `window`, only the most recent `window` bytes are kept, in a ring (a pre-roll of the last frames).
 */
export class ByteAccumulator {
  private buffer: Buffer;
  private used = 0;
  /** Where the next byte goes when the ring is full (windowed accumulators only). */
  private head = 0;

  constructor(
    initialCapacity: number,
    private readonly window = Infinity,
  ) {
    this.buffer = Buffer.allocUnsafe(Number.isFinite(window) ? window : initialCapacity);
  }

  get length(): number {
    return this.used;
  }

  append(bytes: Uint8Array): void {
    if (Number.isFinite(this.window)) return this.appendToRing(bytes);
    if (this.used + bytes.length > this.buffer.length) this.grow(this.used + bytes.length);
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** What is held, oldest byte first. Without a window, a view valid until the next append or clear. */
  view(): Buffer {
    return this.inOrder ? this.buffer.subarray(0, this.used) : this.copy();
  }

  /** A copy of what is held, oldest byte first: later appends do not change it. */
  copy(): Buffer {
    if (this.inOrder) return Buffer.from(this.buffer.subarray(0, this.used));
    return Buffer.concat([this.buffer.subarray(this.head), this.buffer.subarray(0, this.head)]);
  }

  /** Whether the bytes lie oldest first from the start of the buffer (not a ring that has wrapped). */
  private get inOrder(): boolean {
    return this.head === 0 || this.used < this.buffer.length;
  }

  clear(): void {
    this.used = 0;
    this.head = 0;
  }

  private appendToRing(bytes: Uint8Array): void {
    const size = this.buffer.length;
    const recent = bytes.length > size ? bytes.subarray(bytes.length - size) : bytes;
    // Until the ring is full `head` stays 0 and bytes go after `used`; then they overwrite from `head` on.
    let at = this.used < size ? this.used : this.head;
    const first = Math.min(recent.length, size - at);
    this.buffer.set(first === recent.length ? recent : recent.subarray(0, first), at);
    if (first < recent.length) this.buffer.set(recent.subarray(first), 0);
    at = (at + recent.length) % size;
    const filled = this.used + recent.length;
    if (filled >= size) {
      this.head = at;
      this.used = size;
    } else {
      this.used = filled;
    }
  }

  private grow(needed: number): void {
    let capacity = Math.max(1, this.buffer.length);
    while (capacity < needed) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    this.buffer.copy(grown, 0, 0, this.used);
    this.buffer = grown;
  }
}
