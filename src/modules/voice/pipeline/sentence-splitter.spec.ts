import { SentenceSplitter } from './sentence-splitter';

describe(SentenceSplitter.name, () => {
  it('emits each sentence as soon as the text after it starts', () => {
    const sut = new SentenceSplitter();
    expect(sut.push('Your order 4572 shipped')).toEqual([]);
    expect(sut.push(' yesterday. It should')).toEqual(['Your order 4572 shipped yesterday.']);
    expect(sut.push(' arrive on Friday! Anything ')).toEqual(['It should arrive on Friday!']);
    expect(sut.push('else?')).toEqual([]);
    expect(sut.flush()).toBe('Anything else?');
    expect(sut.flush()).toBeUndefined();
  });

  it('keeps very short fragments with the next sentence', () => {
    const sut = new SentenceSplitter();
    expect(sut.push('Yes. That is correct, we open at nine. ')).toEqual([
      'Yes. That is correct, we open at nine.',
    ]);
  });
});
