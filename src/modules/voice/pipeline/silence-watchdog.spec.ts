import { SilenceWatchdog } from './silence-watchdog';

const LIMIT_MS = 3000;
const T0 = new Date('2024-05-01T10:00:00Z').getTime();

describe(SilenceWatchdog.name, () => {
  /** The times (ms after T0) at which a filler was asked for. */
  let firedAt: number[];
  let fillerMs: number;
  const onSilence = () => {
    firedAt.push(Date.now() - T0);
    return fillerMs;
  };

  beforeEach(() => {
    jest.useFakeTimers();
    jest.setSystemTime(T0);
    firedAt = [];
    fillerMs = 0;
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('fires once limitMs of silence has passed since start', () => {
    const sut = new SilenceWatchdog(LIMIT_MS, onSilence);
    sut.start();

    jest.advanceTimersByTime(LIMIT_MS - 1);
    expect(firedAt).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(firedAt).toEqual([LIMIT_MS]);
    expect(sut.fillers).toBe(1);
  });

  it('counts the silence from when the caller stopped speaking, not from start()', () => {
    const sut = new SilenceWatchdog(LIMIT_MS, onSilence);
    jest.advanceTimersByTime(1000);
    sut.start(T0);

    jest.advanceTimersByTime(LIMIT_MS - 1000);

    expect(firedAt).toEqual([LIMIT_MS]);
  });

  it('fires at once when the silence has already lasted longer than the limit', () => {
    const sut = new SilenceWatchdog(LIMIT_MS, onSilence);
    sut.start(T0 - 2 * LIMIT_MS);

    jest.advanceTimersByTime(0);

    expect(firedAt).toEqual([0]);
  });

  it('pushes the deadline back by the length of the audio queued', () => {
    const sut = new SilenceWatchdog(LIMIT_MS, onSilence);
    sut.start();
    jest.advanceTimersByTime(500);

    sut.audioQueued(2000);

    // The audio plays until 2500; the silence after it may last the limit.
    jest.advanceTimersByTime(2500 + LIMIT_MS - 500 - 1);
    expect(firedAt).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(firedAt).toEqual([2500 + LIMIT_MS]);
  });

  it('lines up audio queued while earlier audio is still playing', () => {
    const sut = new SilenceWatchdog(LIMIT_MS, onSilence);
    sut.start();

    sut.audioQueued(1000);
    jest.advanceTimersByTime(200);
    sut.audioQueued(1000);

    jest.advanceTimersByTime(2000 + LIMIT_MS - 200 - 1);
    expect(firedAt).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(firedAt).toEqual([2000 + LIMIT_MS]);
  });

  it('after a filler, waits for it to play and then for the limit again', () => {
    fillerMs = 1500;
    const sut = new SilenceWatchdog(LIMIT_MS, onSilence);
    sut.start();

    jest.advanceTimersByTime(LIMIT_MS);
    expect(firedAt).toEqual([LIMIT_MS]);

    jest.advanceTimersByTime(1500 + LIMIT_MS - 1);
    expect(firedAt).toEqual([LIMIT_MS]);
    jest.advanceTimersByTime(1);
    expect(firedAt).toEqual([LIMIT_MS, 2 * LIMIT_MS + 1500]);
    expect(sut.fillers).toBe(2);
  });

  it('stops after maxFillers fillers', () => {
    fillerMs = 1000;
    const sut = new SilenceWatchdog(LIMIT_MS, onSilence, 2);
    sut.start();

    jest.advanceTimersByTime(60_000);

    expect(firedAt).toEqual([LIMIT_MS, 2 * LIMIT_MS + 1000]);
    expect(sut.fillers).toBe(2);
  });

  it('plays five fillers at most by default', () => {
    fillerMs = 100;
    const sut = new SilenceWatchdog(LIMIT_MS, onSilence);
    sut.start();

    jest.advanceTimersByTime(10 * (LIMIT_MS + 100));

    expect(firedAt).toHaveLength(5);
    expect(sut.fillers).toBe(5);
  });

  it('stops when onSilence plays nothing', () => {
    const sut = new SilenceWatchdog(LIMIT_MS, onSilence);
    sut.start();

    jest.advanceTimersByTime(60_000);

    expect(firedAt).toEqual([LIMIT_MS]);
  });

  it('ignores audio queued once it has stopped of its own accord', () => {
    const sut = new SilenceWatchdog(LIMIT_MS, onSilence);
    sut.start();
    jest.advanceTimersByTime(LIMIT_MS);

    sut.audioQueued(1000);
    jest.advanceTimersByTime(60_000);

    expect(firedAt).toEqual([LIMIT_MS]);
  });

  it('never fires after stop()', () => {
    fillerMs = 1000;
    const sut = new SilenceWatchdog(LIMIT_MS, onSilence);
    sut.start();
    jest.advanceTimersByTime(LIMIT_MS - 1);

    sut.stop();
    jest.advanceTimersByTime(60_000);

    expect(firedAt).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stays stopped when audio is queued after stop()', () => {
    const sut = new SilenceWatchdog(LIMIT_MS, onSilence);
    sut.start();
    sut.stop();

    sut.audioQueued(1000);
    jest.advanceTimersByTime(60_000);

    expect(firedAt).toEqual([]);
  });

  it('does nothing for audio queued before it was ever started', () => {
    const sut = new SilenceWatchdog(LIMIT_MS, onSilence);

    sut.audioQueued(1000);
    jest.advanceTimersByTime(60_000);

    expect(firedAt).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops a filler in between from re-arming', () => {
    fillerMs = 1000;
    const sut = new SilenceWatchdog(LIMIT_MS, onSilence);
    sut.start();
    jest.advanceTimersByTime(LIMIT_MS);

    sut.stop();
    jest.advanceTimersByTime(60_000);

    expect(firedAt).toEqual([LIMIT_MS]);
  });

  it('starts counting fillers afresh on every start()', () => {
    fillerMs = 1000;
    const sut = new SilenceWatchdog(LIMIT_MS, onSilence, 1);
    sut.start();
    jest.advanceTimersByTime(60_000);
    expect(sut.fillers).toBe(1);

    sut.start();
    expect(sut.fillers).toBe(0);
    jest.advanceTimersByTime(LIMIT_MS);

    expect(firedAt).toEqual([LIMIT_MS, 60_000 + LIMIT_MS]);
    expect(sut.fillers).toBe(1);
  });

  it('keeps only one timer however often it is re-armed', () => {
    const sut = new SilenceWatchdog(LIMIT_MS, onSilence);
    sut.start();
    sut.audioQueued(100);
    sut.audioQueued(100);
    sut.start();

    expect(jest.getTimerCount()).toBe(1);
  });
});
