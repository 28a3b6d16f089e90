import { evaluateExpression, ExpressionError, formatNumber } from './expression';

function errorOf(source: string): ExpressionError {
  try {
    evaluateExpression(source);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error(`Expected "${source}" to be rejected`);
}

describe(evaluateExpression.name, () => {
  const sut = evaluateExpression;

  it.each([
    ['42', 42],
    ['1.25', 1.25],
    ['.5', 0.5],
    ['3.', 3],
    ['1e3', 1000],
    ['2.5E-2', 0.025],
    ['1e+2', 100],
    ['007', 7],
  ])('reads the number %s', (source, expected) => {
    expect(sut(source)).toBe(expected);
  });

  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['100 / 10 / 5', 2],
    ['2 * 3 % 4', 2],
    ['7 % 3 * 2', 2],
    ['1 + 2 ^ 3 * 2', 17],
    ['2 ^ 3 ^ 2', 512],
    ['2 ** 3 ** 2', 512],
    ['(2 ^ 3) ^ 2', 64],
    ['2 * 3 ^ 2', 18],
    ['12 × 34', 408],
    ['10 ÷ 4', 2.5],
    ['9 − 2', 7],
    ['  1+2\t*\n3  ', 7],
  ])('respects precedence and associativity: %s', (source, expected) => {
    expect(sut(source)).toBe(expected);
  });

  it.each([
    ['-3', -3],
    ['+3', 3],
    ['--3', 3],
    ['-+-3', 3],
    ['2 * -3', -6],
    ['2 - -3', 5],
    ['-2 ^ 2', -4],
    ['(-2) ^ 2', 4],
    ['2 ^ -1', 0.5],
    ['-2 ^ -2', -0.25],
    ['-(3 + 4)', -7],
    ['-0', 0],
  ])('applies unary signs: %s', (source, expected) => {
    expect(sut(source)).toBe(expected);
  });

  it('uses modulo, with the sign of the left operand, for %', () => {
    expect(sut('17 % 5')).toBe(2);
    expect(sut('-7 % 3')).toBe(-1);
    expect(sut('7.5 % 2')).toBe(1.5);
  });

  it.each([
    ['sqrt(16)', 4],
    ['abs(-3.5)', 3.5],
    ['round(2.5)', 3],
    ['round(-2.5)', -3],
    ['round(2.4)', 2],
    ['floor(-1.5)', -2],
    ['ceil(1.2)', 2],
    ['min(3, 1, 2)', 1],
    ['max(3, 1, 2)', 3],
    ['min(7)', 7],
    ['log10(1000)', 3],
    ['ln(e)', 1],
    ['exp(0)', 1],
    ['sin(0)', 0],
    ['cos(0)', 1],
    ['tan(0)', 0],
    ['SQRT(9)', 3],
    ['max(1, sqrt(16), 2 ^ 2 + 1)', 5],
    ['sqrt(3 ^ 2 + 4 ^ 2)', 5],
  ])('calls the function %s', (source, expected) => {
    expect(sut(source)).toBeCloseTo(expected, 12);
  });

  it('knows pi and e, in any case', () => {
    expect(sut('pi')).toBe(Math.PI);
    expect(sut('PI')).toBe(Math.PI);
    expect(sut('e')).toBe(Math.E);
    expect(sut('2 * pi')).toBe(2 * Math.PI);
    expect(sut('sin(pi / 2)')).toBe(1);
    expect(sut('e ^ 2')).toBeCloseTo(Math.E ** 2, 12);
  });

  it.each([
    ['2 + * 3', 'Unexpected "*" at position 4', 4],
    ['1 +', 'Unexpected end of expression', 3],
    ['(1 + 2', 'Missing ")"', 6],
    ['1 + 2)', 'Unexpected ")" at position 5', 5],
    ['()', 'Unexpected ")" at position 1', 1],
    ['2 3', 'Unexpected "3" at position 2', 2],
    ['2(3)', 'Unexpected "(" at position 1', 1],
    ['2pi', 'Unexpected "pi" at position 1', 1],
    ['1.2.3', 'Unexpected ".3" at position 3', 3],
    ['0x10', 'Unexpected "x10" at position 1', 1],
    ['2 * * 3', 'Unexpected "*" at position 4', 4],
    ['min(1,, 2)', 'Unexpected "," at position 6', 6],
    ['max(1, 2,)', 'Unexpected ")" at position 9', 9],
    ['1, 2', 'Unexpected "," at position 1', 1],
    ['1;2', 'Unexpected ";" at position 1', 1],
    ['a=1', 'Unexpected "=" at position 1', 1],
    ['1 = 1', 'Unexpected "=" at position 2', 2],
    ['x', 'Unknown name "x"', 0],
    ['constructor', 'Unknown name "constructor"', 0],
    ['__proto__', 'Unknown name "__proto__"', 0],
    ['toString()', 'Unknown function "toString"', 0],
    ['foo(1)', 'Unknown function "foo"', 0],
    ['process.exit()', 'Unexpected "." at position 7', 7],
    ['Math.PI', 'Unexpected "." at position 4', 4],
    ['"1" + 1', 'Unexpected """ at position 0', 0],
    ['`1`', 'Unexpected "`" at position 0', 0],
    ['[1]', 'Unexpected "[" at position 0', 0],
    ['1 & 1', 'Unexpected "&" at position 2', 2],
    ['2 € 3', 'Unexpected "€" at position 2', 2],
    ['1 + 😀', 'Unexpected "😀" at position 4', 4],
    ['pi(2)', 'Unknown function "pi"', 0],
    ['sqrt 4', 'Function "sqrt" needs parentheses', 0],
    ['sqrt()', 'Function "sqrt" takes 1 argument, got 0', 0],
    ['sqrt(1, 2)', 'Function "sqrt" takes 1 argument, got 2', 0],
    ['max()', 'Function "max" takes at least 1 argument, got 0', 0],
  ])('rejects %s with "%s"', (source, message, position) => {
    const error = errorOf(source);
    expect(error).toBeInstanceOf(ExpressionError);
    expect(error.name).toBe('ExpressionError');
    expect(error.message).toBe(message);
    expect(error.position).toBe(position);
  });

  it.each(['', '   ', '\n\t'])('rejects the empty expression %j', (source) => {
    expect(errorOf(source).message).toBe('Empty expression');
  });

  it('rejects a value that is not a string', () => {
    expect(errorOf(42 as unknown as string).message).toBe('The expression must be a string');
  });

  it.each(['1 / 0', '1 % 0', '0 / 0', '5 / (2 - 2)', '1 / -0', '3 % (1 - 1)'])(
    'rejects %s as a division by zero',
    (source) => {
      expect(errorOf(source).message).toBe('Division by zero');
    },
  );

  it.each([
    'sqrt(-1)',
    'ln(0)',
    'log10(-1)',
    '10 ^ 400',
    '0 ^ -1',
    '(-8) ^ (1 / 3)',
    'exp(1000)',
    '1e308 * 10',
    '1 / (1e308 * 10)',
    '-1e308 - 1e308',
    'min(1, sqrt(-1))',
  ])('rejects %s because the result is not finite', (source) => {
    expect(errorOf(source).message).toBe('The result is not a finite number');
  });

  it('rejects a literal too large to represent', () => {
    expect(errorOf('1e999').message).toBe('Number "1e999" is too large');
  });

  it('accepts 200 characters and rejects 201', () => {
    const atLimit = `1${' + 1'.repeat(49)}   `;
    expect(atLimit).toHaveLength(200);
    expect(sut(atLimit)).toBe(50);
    expect(errorOf(`${atLimit} `).message).toBe('Expression too long (max 200 characters)');
  });

  it('accepts 32 levels of nesting and rejects 33', () => {
    expect(sut(`${'('.repeat(32)}1${')'.repeat(32)}`)).toBe(1);
    const error = errorOf(`${'('.repeat(33)}1${')'.repeat(33)}`);
    expect(error.message).toBe('Expression is nested too deeply (max 32 levels)');
    expect(error.position).toBe(32);
  });

  it('counts function calls as nesting levels', () => {
    expect(sut(`${'abs('.repeat(32)}-1${')'.repeat(32)}`)).toBe(1);
    expect(errorOf(`${'abs('.repeat(33)}1${')'.repeat(33)}`).message).toBe(
      'Expression is nested too deeply (max 32 levels)',
    );
  });

  it('does not count sequential parentheses as nesting', () => {
    expect(sut(Array.from({ length: 40 }, () => '(1)').join('+'))).toBe(40);
  });

  it('never returns -0', () => {
    expect(Object.is(sut('-0'), 0)).toBe(true);
    expect(Object.is(sut('0 * -5'), 0)).toBe(true);
  });
});

describe(formatNumber.name, () => {
  const sut = formatNumber;

  it.each([
    [408, '408'],
    [-12, '-12'],
    [0, '0'],
    [-0, '0'],
    [2.5, '2.5'],
    [1 / 3, '0.333333'],
    [2 / 3, '0.666667'],
    [-1 / 3, '-0.333333'],
    [0.1 + 0.2, '0.3'],
    [1.1 * 3, '3.3'],
    [2.9999999, '3'],
    [1234.56789, '1234.56789'],
    [Math.PI, '3.141593'],
    [1e15, '1000000000000000'],
    [0.0000001234567, '1.23457e-7'],
    [-0.0000001, '-1e-7'],
  ])('renders %p as %s', (value, expected) => {
    expect(sut(value)).toBe(expected);
  });

  it('renders what the evaluator returns', () => {
    expect(sut(evaluateExpression('12 * 34'))).toBe('408');
    expect(sut(evaluateExpression('10 / 4'))).toBe('2.5');
    expect(sut(evaluateExpression('1 / 3'))).toBe('0.333333');
  });
});
