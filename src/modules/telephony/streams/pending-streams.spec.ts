import { PendingStreams, STREAM_ARRIVAL_WINDOW_MS } from './pending-streams';

describe(PendingStreams.name, () => {
  it('counts the streams asked for until they attach', () => {
    const sut = new PendingStreams();
    sut.expect('a', 0);
    sut.expect('b', 10);

    sut.attached('a');

    expect(sut.count(20)).toBe(1);
  });

  it('keeps expecting only the streams of the calls it is told are still here', () => {
    const sut = new PendingStreams();
    sut.expect('here', 0);
    sut.expect('moved', 10);

    sut.retainOnly(new Set(['here', 'unrelated']));

    expect(sut.count(20)).toBe(1);
    sut.attached('here');
    expect(sut.count(20)).toBe(0);
  });

  it('stops expecting a stream that has not come within the arrival window', () => {
    const sut = new PendingStreams();
    sut.expect('early', 0);
    sut.expect('late', 5_000);

    expect(sut.count(STREAM_ARRIVAL_WINDOW_MS - 1)).toBe(2);
    expect(sut.count(STREAM_ARRIVAL_WINDOW_MS)).toBe(1);
    expect(sut.count(5_000 + STREAM_ARRIVAL_WINDOW_MS)).toBe(0);
  });

  it('restarts the window of a call whose webhook was retried, and keeps one entry for it', () => {
    const sut = new PendingStreams();
    sut.expect('retried', 0);
    sut.expect('other', 1_000);
    sut.expect('retried', 8_000);

    expect(sut.count(STREAM_ARRIVAL_WINDOW_MS + 1_000)).toBe(1);
  });
});
