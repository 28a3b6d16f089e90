import { cosineSimilarity, LocalHashingEmbeddings } from './local-hashing-embeddings';

function norm(vector: number[]): number {
  return Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
}

function unit(dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  vector[0] = 1;
  return vector;
}

describe(LocalHashingEmbeddings.name, () => {
  const sut = new LocalHashingEmbeddings();

  async function similarity(a: string, b: string, embeddings = sut): Promise<number> {
    const [va, vb] = await embeddings.embed([a, b]);
    return cosineSimilarity(va, vb);
  }

  it('describes its space as local-hash-v1 with 384 dimensions by default', () => {
    expect(sut.space).toEqual({ model: 'local-hash-v1', dimensions: 384 });
  });

  it('returns one unit vector of the configured size per text, in input order', async () => {
    const texts = [
      'We are open on Saturdays from 9am to 1pm.',
      'Our dentists can whiten teeth.',
      'x',
    ];
    const vectors = await sut.embed(texts);
    expect(vectors).toHaveLength(3);
    for (const vector of vectors) {
      expect(vector).toHaveLength(384);
      expect(vector.every(Number.isFinite)).toBe(true);
      expect(norm(vector)).toBeCloseTo(1, 12);
    }
    const [single] = await sut.embed([texts[1]]);
    expect(vectors[1]).toEqual(single);
  });

  it('returns an empty list for no texts', async () => {
    await expect(sut.embed([])).resolves.toEqual([]);
  });

  it('is deterministic across calls and instances', async () => {
    const text = 'Can I move my appointment to Tuesday afternoon?';
    const [first] = await sut.embed([text]);
    const [second] = await sut.embed([text]);
    const [other] = await new LocalHashingEmbeddings().embed([text]);
    expect(second).toEqual(first);
    expect(other).toEqual(first);
  });

  it('ranks a sentence about the same thing above an unrelated one', async () => {
    const query = 'What are your opening hours on Saturday?';
    const related = await similarity(query, 'We are open on Saturdays from 9am to 1pm.');
    const unrelated = await similarity(query, 'Our dentists can whiten teeth.');
    expect(related).toBeGreaterThan(unrelated + 0.1);
  });

  it('ranks a paraphrase of the same request above an unrelated one', async () => {
    const query = 'I want to cancel my appointment';
    const related = await similarity(query, 'How to cancel an appointment');
    const unrelated = await similarity(query, 'Parking is free behind the clinic');
    expect(related).toBeGreaterThan(0.6);
    expect(related).toBeGreaterThan(unrelated + 0.4);
  });

  it('matches inflections and typos through character trigrams', async () => {
    const unrelated = await similarity('appointment', 'parking');
    expect(await similarity('appointments', 'appointment')).toBeGreaterThan(unrelated + 0.4);
    expect(await similarity('apointment', 'appointment')).toBeGreaterThan(unrelated + 0.3);
    expect(
      await similarity('Book appointments online', 'book an appointment online'),
    ).toBeGreaterThan(0.7);
  });

  it('ignores case, diacritics, punctuation and stop words', async () => {
    const [plain, decorated, wordy] = await sut.embed([
      'creme brulee cafe',
      'Crème BRÛLÉE — café!',
      'the crème brûlée of the café',
    ]);
    expect(decorated).toEqual(plain);
    expect(wordy).toEqual(plain);
  });

  it('keeps numbers as exact tokens, without partial matches between different numbers', async () => {
    const [order, same, next] = await sut.embed(['4572', 'order #4572', '4573']);
    expect(order).not.toEqual(unit(384));
    expect(cosineSimilarity(order, same)).toBeGreaterThan(0.5);
    expect(Math.abs(cosineSimilarity(order, next))).toBeLessThan(0.2);
  });

  it('keeps the word order signal of bigrams', async () => {
    const [a, b] = await sut.embed(['cancel appointment', 'appointment cancel']);
    expect(cosineSimilarity(a, b)).toBeLessThan(1 - 1e-6);
    expect(cosineSimilarity(a, b)).toBeGreaterThan(0.8);
  });

  it('gives text without content words the same fixed unit vector', async () => {
    const vectors = await sut.embed(['', '   ', '?!', 'what is the', 'Is it?']);
    for (const vector of vectors) expect(vector).toEqual(unit(384));
  });

  it.each([256, 1536])('works with %i dimensions', async (dimensions) => {
    const embeddings = new LocalHashingEmbeddings(dimensions);
    expect(embeddings.space).toEqual({ model: 'local-hash-v1', dimensions });
    const vectors = await embeddings.embed(['Parking is free behind the clinic', '']);
    expect(vectors.map((vector) => vector.length)).toEqual([dimensions, dimensions]);
    expect(norm(vectors[0])).toBeCloseTo(1, 12);
    expect(vectors[1]).toEqual(unit(dimensions));

    const query = 'I want to cancel my appointment';
    const related = await similarity(query, 'How to cancel an appointment', embeddings);
    const unrelated = await similarity(query, 'Parking is free behind the clinic', embeddings);
    expect(related).toBeGreaterThan(unrelated + 0.4);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects %p dimensions', (dimensions) => {
    expect(() => new LocalHashingEmbeddings(dimensions)).toThrow(RangeError);
  });

  it('rejects with the reason of an aborted signal', async () => {
    const controller = new AbortController();
    const reason = new Error('caller hung up');
    controller.abort(reason);
    await expect(sut.embed(['hello'], { signal: controller.signal })).rejects.toBe(reason);
  });

  it('rejects with an AbortError when aborted without a reason', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(sut.embed(['hello'], { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('embeds normally with a signal that is not aborted', async () => {
    const vectors = await sut.embed(['hello'], { signal: new AbortController().signal });
    expect(vectors).toHaveLength(1);
  });

  it('embeds a thousand short sentences in one call', async () => {
    const texts = Array.from(
      { length: 1000 },
      (_, i) => `Caller ${i} asked about appointment slot ${i % 24} on day ${i % 7}.`,
    );
    const vectors = await sut.embed(texts);
    expect(vectors).toHaveLength(1000);
    expect(vectors.every((vector) => vector.length === 384)).toBe(true);
  });
});

describe(cosineSimilarity.name, () => {
  it('is 1 for the same direction, 0 for orthogonal and -1 for opposite vectors', () => {
    expect(cosineSimilarity([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(cosineSimilarity([1, 0], [0, 3])).toBe(0);
    expect(cosineSimilarity([1, -1], [-2, 2])).toBeCloseTo(-1, 12);
  });

  it('is 0 when either vector is all zeros', () => {
    expect(cosineSimilarity([0, 0], [1, 0])).toBe(0);
    expect(cosineSimilarity([0, 0], [0, 0])).toBe(0);
  });

  it('rejects vectors of different lengths', () => {
    expect(() => cosineSimilarity([1, 0], [1, 0, 0])).toThrow(RangeError);
  });
});
