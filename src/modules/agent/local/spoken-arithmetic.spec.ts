import { evaluateExpression } from '../tools/calculator/expression';
import { parseSpokenNumber, spokenToExpression } from './spoken-arithmetic';

describe(parseSpokenNumber.name, () => {
  const sut = (text: string): number | undefined => parseSpokenNumber(text.split(' '));

  it.each([
    ['zero', 0],
    ['seven', 7],
    ['thirteen', 13],
    ['forty', 40],
    ['thirty four', 34],
    ['a hundred', 100],
    ['one hundred five', 105],
    ['one hundred and five', 105],
    ['nine hundred ninety nine', 999],
    ['twelve hundred', 1200],
    ['twenty five hundred', 2500],
    ['a thousand', 1000],
    ['one thousand and two', 1002],
    ['one thousand two hundred thirty four', 1234],
    ['three hundred thousand', 300000],
    ['two million five hundred thousand', 2500000],
    ['12', 12],
    ['3.5', 3.5],
    ['.5', 0.5],
    ['1,234', 1234],
    ['1,234,567.5', 1234567.5],
    ['5 million', 5000000],
    ['2.5 million', 2500000],
    ['three point five', 3.5],
    ['three point one four', 3.14],
    ['point two five', 0.25],
    ['zero point oh five', 0.05],
    ['7 point 25', 7.25],
    ['half', 0.5],
    ['a half', 0.5],
    ['two and a half', 2.5],
    ['negative seven', -7],
    ['minus three point five', -3.5],
    ['- 4', -4],
  ])('reads "%s" as %p', (text, expected) => {
    expect(sut(text)).toBe(expected);
  });

  it.each([
    '',
    'four five seven two',
    'twenty twenty four',
    'twelve five',
    'one hundred and',
    'and five',
    'a',
    'a five',
    'hundred',
    'thousand',
    'five hundred hundred',
    'two thousand three thousand',
    'zero five',
    'zero hundred',
    '12 five',
    '12 34',
    'three point',
    'point',
    'three point twelve',
    'three point five point two',
    'minus',
    'minus minus five',
    'five minus',
    'and a half',
    'appointments',
    '1,23',
  ])('rejects "%s"', (text) => {
    expect(sut(text)).toBeUndefined();
  });
});

describe(spokenToExpression.name, () => {
  const sut = spokenToExpression;

  it('turns the classic question into 12 * 34, which evaluates to 408', () => {
    const expression = sut('What is twelve times thirty four?');
    expect(expression).toBe('12 * 34');
    expect(evaluateExpression(expression!)).toBe(408);
  });

  const positives: [utterance: string, expression: string, value: number][] = [
    ['What is twelve times thirty four?', '12 * 34', 408],
    ['twelve times thirty-four', '12 * 34', 408],
    ['12 times thirty four', '12 * 34', 408],
    ["What's 2 + 2?", '2 + 2', 4],
    ['what is 2+2', '2 + 2', 4],
    ['How much is seven plus eight?', '7 + 8', 15],
    ['Calculate ten minus three, please.', '10 - 3', 7],
    ['10-3', '10 - 3', 7],
    ['Can you work out 144 divided by 12 please?', '144 / 12', 12],
    ['compute nine over two', '9 / 2', 4.5],
    ['10 / 4', '10 / 4', 2.5],
    ['six multiplied by seven', '6 * 7', 42],
    ['12 x 3', '12 * 3', 36],
    ['12x3', '12 * 3', 36],
    ['6 * 7', '6 * 7', 42],
    ['What is 6 × 7?', '6 * 7', 42],
    ['two to the power of ten', '2 ^ 10', 1024],
    ['2 ^ 8', '2 ^ 8', 256],
    ['five squared', '5 ^ 2', 25],
    ['two cubed', '2 ^ 3', 8],
    ['two cubed squared', '(2 ^ 3) ^ 2', 64],
    ['negative two squared', '(-2) ^ 2', 4],
    ['What is the square root of one hundred forty four?', 'sqrt(144)', 12],
    ['square root of 81 plus one', 'sqrt(81) + 1', 10],
    ['How much is 15 percent of 80?', '15 / 100 * 80', 12],
    ['What is 15% of 80?', '15 / 100 * 80', 12],
    ['three per cent of two hundred', '3 / 100 * 200', 6],
    ['17 mod 5', '17 % 5', 2],
    ['seventeen modulo five', '17 % 5', 2],
    ['add 3 and 4', '3 + 4', 7],
    ['add three to four', '3 + 4', 7],
    ['add one hundred and five and two', '105 + 2', 107],
    ['subtract 3 from 10', '10 - 3', 7],
    ['subtract two plus one from ten', '10 - (2 + 1)', 7],
    ['multiply six by seven', '6 * 7', 42],
    ['divide ten by four', '10 / 4', 2.5],
    ['What is the sum of 3 and 4?', '3 + 4', 7],
    ['what do you get if you multiply three by four', '3 * 4', 12],
    ['three point five times two', '3.5 * 2', 7],
    ['point two five times four', '0.25 * 4', 1],
    ['two and a half times four', '2.5 * 4', 10],
    ['a hundred plus a half', '100 + 0.5', 100.5],
    ['one hundred and five divided by five', '105 / 5', 21],
    ['1,234 plus 1', '1234 + 1', 1235],
    ['2.5 million divided by 5', '2500000 / 5', 500000],
    ['negative five plus three', '(-5) + 3', -2],
    ['ten minus minus five', '10 - (-5)', 15],
    ['ten minus negative five', '10 - (-5)', 15],
    ['calculate 2 plus 3 times 4', '2 + 3 * 4', 14],
    ['Okay, so what is seven over two?', '7 / 2', 3.5],
    ['what does two plus two equal', '2 + 2', 4],
    ['what would two plus two be', '2 + 2', 4],
    ['Hi there. What is nine take away four?', '9 - 4', 5],
  ];

  it.each(positives)('reads "%s" as %s', (utterance, expression) => {
    expect(sut(utterance)).toBe(expression);
  });

  it.each(positives)(
    'produces for "%s" an expression the calculator accepts',
    (utterance, _, value) => {
      expect(evaluateExpression(sut(utterance)!)).toBeCloseTo(value, 12);
    },
  );

  it('leaves a division by zero for the calculator to report', () => {
    expect(sut('ten divided by zero')).toBe('10 / 0');
  });

  it.each([
    'My order number is four five seven two. It has not arrived yet.',
    'I would like to book two appointments',
    'Hello, I would like to check the status of my order please.',
    'Can I book a table for two people at seven thirty?',
    'What time do you open?',
    'I need 2 x 4 boards',
    'Add two to my order',
    'Is it two or three?',
    'from nine to five',
    'one two three four',
    'twenty twenty four',
    'two',
    'What is 15 percent?',
    'minus five',
    'what is twelve times',
    'times four',
    'what is 12 $ 3',
    'What is the time?',
    '',
    '   ',
  ])('does not treat "%s" as arithmetic', (utterance) => {
    expect(sut(utterance)).toBeUndefined();
  });

  it('gives up on a turn too long to be a question about a sum', () => {
    expect(sut(`${'one plus '.repeat(40)}one`)).toBeUndefined();
  });
});
