import { LexiconSentimentAnalyzer } from './lexicon-sentiment';

describe(LexiconSentimentAnalyzer.name, () => {
  const sut = new LexiconSentimentAnalyzer();

  it.each([
    ['Thank you, that is all. Goodbye.', 'positive'],
    ['This is great, thanks so much for your help!', 'positive'],
    ['My order is late again and I am really frustrated.', 'negative'],
    ['This is unacceptable, I want to speak to a human.', 'negative'],
    ['What is twelve times thirty four?', 'neutral'],
    ['My order number is four five seven two.', 'neutral'],
  ])('rates "%s" as %s', async (text, label) => {
    expect((await sut.analyze(text)).label).toBe(label);
  });

  it('reads negation', async () => {
    const plain = await sut.analyze('That was helpful.');
    const negated = await sut.analyze('That was not helpful.');
    expect(plain.score).toBeGreaterThan(0);
    expect(negated.score).toBeLessThan(0);
  });

  it('stays within -1..1', async () => {
    const furious = await sut.analyze(
      'terrible awful horrible worst useless ridiculous unacceptable '.repeat(5),
    );
    expect(furious.score).toBeGreaterThanOrEqual(-1);
  });
});
