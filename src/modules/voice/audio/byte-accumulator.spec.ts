import { ByteAccumulator } from './byte-accumulator';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe(ByteAccumulator.name, () => {
  it('keeps every byte appended, in order, growing past its initial capacity', () => {
    const sut = new ByteAccumulator(4);
    for (let i = 0; i < 50; i++) sut.append(bytes(i, i + 100));
    expect(sut.length).toBe(100);
    expect([...sut.view()]).toEqual(Array.from({ length: 50 }, (_, i) => [i, i + 100]).flat());
  });

  it('with a window, keeps only the most recent bytes', () => {
    const sut = new ByteAccumulator(4, 5);
    sut.append(bytes(1, 2, 3));
    sut.append(bytes(4, 5, 6));
    expect([...sut.view()]).toEqual([2, 3, 4, 5, 6]);
    sut.append(bytes(7, 8, 9, 10, 11, 12));
    expect([...sut.view()]).toEqual([8, 9, 10, 11, 12]);
  });

  it('gives copies that later appends do not change, and empties on clear', () => {
    const sut = new ByteAccumulator(2, 2);
    sut.append(bytes(1, 2));
    const copy = sut.copy();
    sut.append(bytes(3));
    expect([...copy]).toEqual([1, 2]);
    expect([...sut.view()]).toEqual([2, 3]);
    sut.clear();
    expect(sut.length).toBe(0);
    sut.append(bytes(9));
    expect([...sut.view()]).toEqual([9]);
  });
});

describe(`${ByteAccumulator.name} as a ring of 20 ms frames`, () => {
  it('holds the last ten frames in the order they came, however many went through', () => {
    const sut = new ByteAccumulator(1600, 1600);
    const frame = (n: number) => new Uint8Array(160).fill(n);
    for (let n = 1; n <= 37; n++) sut.append(frame(n));
    const held = sut.copy();
    expect(held.length).toBe(1600);
    expect(Array.from({ length: 10 }, (_, i) => held[i * 160])).toEqual([
      28, 29, 30, 31, 32, 33, 34, 35, 36, 37,
    ]);
    expect([...sut.view()]).toEqual([...held]);
  });
});
