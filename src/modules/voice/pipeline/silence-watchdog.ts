/**
 * Watches for silence on the caller's side of a reply: from the end of their speech, and after each piece of
 * agent audio has played (estimated from its length, as the provider plays it in real time), a gap longer than
 * `limitMs` triggers `onSilence`, which plays something and returns its length in milliseconds (0: nothing).
 */
export class SilenceWatchdog {
  private timer: NodeJS.Timeout | undefined;
  private silentSince = 0;
  private fired = 0;

  constructor(
    private readonly limitMs: number,
    private readonly onSilence: () => number,
    private readonly maxFillers = 5,
  ) {}

  get fillers(): number {
    return this.fired;
  }

  /** Silence began at `since` (the end of the caller's speech). */
  start(since = Date.now()): void {
    this.fired = 0;
    this.silentSince = since;
    this.arm();
  }

  /** Audio of `durationMs` was queued for the caller: silence resumes when it has played. */
  audioQueued(durationMs: number): void {
    if (this.timer === undefined) return;
    this.silentSince = Math.max(this.silentSince, Date.now()) + durationMs;
    this.arm();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () => this.fire(),
      Math.max(0, this.silentSince + this.limitMs - Date.now()),
    );
    this.timer.unref();
  }

  private fire(): void {
    if (this.fired >= this.maxFillers) {
      this.timer = undefined;
      return;
    }
    this.fired++;
    const played = this.onSilence();
    if (played <= 0) {
      this.timer = undefined;
      return;
    }
    this.silentSince = Date.now() + played;
    this.arm();
  }
}
