// Expressions come from an LLM or an API user, so they are evaluated by a small hand-written parser over a
// closed grammar: eval/Function would hand them the whole runtime. Lookups go through Maps, never plain objects,
// so names like `constructor` or `__proto__` can never reach a prototype.

export const MAX_EXPRESSION_LENGTH = 200;
export const MAX_NESTING_DEPTH = 32;

/** A rejected expression; the message is short enough to hand straight back to the model or the caller. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    /** Zero-based character offset of the offending token, when there is one. */
    readonly position?: number,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

type Operator = '+' | '-' | '*' | '/' | '%' | '^';

type Token =
  | { kind: 'number'; value: number; text: string; position: number }
  | { kind: 'name'; name: string; text: string; position: number }
  | { kind: 'operator'; operator: Operator; text: string; position: number }
  | { kind: '(' | ')' | ','; text: string; position: number }
  | { kind: 'end'; text: ''; position: number };
type OperatorToken = Extract<Token, { kind: 'operator' }>;
type NameToken = Extract<Token, { kind: 'name' }>;

// `%` is modulo (remainder, sign of the left operand, as in JavaScript), never "percent": a percentage is
// written as a division (15 / 100 * 80), which keeps `%` from meaning two different things.
// `×`, `÷` and `−` are what models and people paste from formatted text.
const OPERATORS: ReadonlyMap<string, Operator> = new Map<string, Operator>([
  ['**', '^'],
  ['+', '+'],
  ['-', '-'],
  ['−', '-'],
  ['*', '*'],
  ['×', '*'],
  ['/', '/'],
  ['÷', '/'],
  ['%', '%'],
  ['^', '^'],
]);

const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const WHITESPACE = /\s/;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < source.length) {
    const char = source[position];
    if (WHITESPACE.test(char)) {
      position++;
      continue;
    }
    NUMBER.lastIndex = position;
    const number = NUMBER.exec(source);
    if (number) {
      const text = number[0];
      const value = Number(text);
      if (!Number.isFinite(value))
        throw new ExpressionError(`Number "${text}" is too large`, position);
      tokens.push({ kind: 'number', value, text, position });
      position += text.length;
      continue;
    }
    NAME.lastIndex = position;
    const name = NAME.exec(source);
    if (name) {
      const text = name[0];
      tokens.push({ kind: 'name', name: text.toLowerCase(), text, position });
      position += text.length;
      continue;
    }
    const symbol = source.startsWith('**', position) ? '**' : char;
    const operator = OPERATORS.get(symbol);
    if (operator) {
      tokens.push({ kind: 'operator', operator, text: symbol, position });
    } else if (symbol === '(' || symbol === ')' || symbol === ',') {
      tokens.push({ kind: symbol, text: symbol, position });
    } else {
      const shown = String.fromCodePoint(source.codePointAt(position) ?? 0);
      throw new ExpressionError(`Unexpected "${shown}" at position ${position}`, position);
    }
    position += symbol.length;
  }
  tokens.push({ kind: 'end', text: '', position: source.length });
  return tokens;
}

interface MathFunction {
  minArgs: number;
  maxArgs: number;
  apply: (args: number[]) => number;
}

function oneArg(apply: (x: number) => number): MathFunction {
  return { minArgs: 1, maxArgs: 1, apply: ([x]) => apply(x) };
}

// Trigonometry is in radians, like every programming language the model has seen.
const FUNCTIONS: ReadonlyMap<string, MathFunction> = new Map([
  ['sqrt', oneArg(Math.sqrt)],
  ['abs', oneArg(Math.abs)],
  // Half away from zero, as people round (Math.round sends -2.5 to -2).
  ['round', oneArg((x) => Math.sign(x) * Math.round(Math.abs(x)))],
  ['floor', oneArg(Math.floor)],
  ['ceil', oneArg(Math.ceil)],
  ['log10', oneArg(Math.log10)],
  ['ln', oneArg(Math.log)],
  ['exp', oneArg(Math.exp)],
  ['sin', oneArg(Math.sin)],
  ['cos', oneArg(Math.cos)],
  ['tan', oneArg(Math.tan)],
  ['min', { minArgs: 1, maxArgs: Infinity, apply: (args) => Math.min(...args) }],
  ['max', { minArgs: 1, maxArgs: Infinity, apply: (args) => Math.max(...args) }],
]);

const CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['pi', Math.PI],
  ['e', Math.E],
]);

// Checked after every step, not only at the end: 1 / (1e308 * 10) would otherwise quietly come out as 0.
function finite(value: number, position: number): number {
  if (!Number.isFinite(value)) {
    throw new ExpressionError('The result is not a finite number', position);
  }
  return value;
}

function unexpected(token: Token): ExpressionError {
  if (token.kind === 'end') {
    return new ExpressionError('Unexpected end of expression', token.position);
  }
  return new ExpressionError(
    `Unexpected "${token.text}" at position ${token.position}`,
    token.position,
  );
}

/**
 * Recursive descent, one method per precedence level, lowest first:
 *   expression = term (("+" | "-") term)*
 *   term       = unary (("*" | "/" | "%") unary)*
 *   unary      = ("+" | "-") unary | power
 *   power      = primary ("^" unary)?       right-associative; -2^2 is -(2^2) and 2^-1 works
 *   primary    = number | constant | name "(" arguments ")" | "(" expression ")"
 */
class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parse(): number {
    const value = this.expression();
    const rest = this.peek();
    if (rest.kind !== 'end') throw unexpected(rest);
    return value;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    return this.tokens[this.index++];
  }

  /** Consumes the next token if it is one of these operators. */
  private takeOperator(...operators: Operator[]): OperatorToken | undefined {
    const token = this.peek();
    if (token.kind !== 'operator' || !operators.includes(token.operator)) return undefined;
    this.index++;
    return token;
  }

  private expression(): number {
    let value = this.term();
    for (;;) {
      const operator = this.takeOperator('+', '-');
      if (!operator) return value;
      const right = this.term();
      value = finite(operator.operator === '+' ? value + right : value - right, operator.position);
    }
  }

  private term(): number {
    let value = this.unary();
    for (;;) {
      const operator = this.takeOperator('*', '/', '%');
      if (!operator) return value;
      const right = this.unary();
      if (operator.operator !== '*' && right === 0) {
        throw new ExpressionError('Division by zero', operator.position);
      }
      const result =
        operator.operator === '*'
          ? value * right
          : operator.operator === '/'
            ? value / right
            : value % right;
      value = finite(result, operator.position);
    }
  }

  private unary(): number {
    const sign = this.takeOperator('+', '-');
    if (!sign) return this.power();
    const value = this.unary();
    return sign.operator === '-' ? -value : value;
  }

  private power(): number {
    const base = this.primary();
    const operator = this.takeOperator('^');
    return operator ? finite(base ** this.unary(), operator.position) : base;
  }

  private primary(): number {
    const token = this.next();
    switch (token.kind) {
      case 'number':
        return token.value;
      case 'name':
        return this.peek().kind === '(' ? this.call(token) : this.constant(token);
      case '(': {
        this.enter(token.position);
        const value = this.expression();
        this.close();
        return value;
      }
      case 'operator':
      case ')':
      case ',':
      case 'end':
        throw unexpected(token);
    }
  }

  private constant(token: NameToken): number {
    const value = CONSTANTS.get(token.name);
    if (value !== undefined) return value;
    if (FUNCTIONS.has(token.name)) {
      throw new ExpressionError(`Function "${token.text}" needs parentheses`, token.position);
    }
    throw new ExpressionError(`Unknown name "${token.text}"`, token.position);
  }

  private call(token: NameToken): number {
    const fn = FUNCTIONS.get(token.name);
    if (!fn) throw new ExpressionError(`Unknown function "${token.text}"`, token.position);
    this.enter(this.next().position);
    const args: number[] = [];
    if (this.peek().kind !== ')') {
      args.push(this.expression());
      while (this.peek().kind === ',') {
        this.index++;
        args.push(this.expression());
      }
    }
    this.close();
    if (args.length < fn.minArgs || args.length > fn.maxArgs) {
      const expected = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `at least ${fn.minArgs}`;
      const noun = fn.minArgs === 1 ? 'argument' : 'arguments';
      throw new ExpressionError(
        `Function "${token.text}" takes ${expected} ${noun}, got ${args.length}`,
        token.position,
      );
    }
    return finite(fn.apply(args), token.position);
  }

  private enter(position: number): void {
    if (++this.depth > MAX_NESTING_DEPTH) {
      throw new ExpressionError(
        `Expression is nested too deeply (max ${MAX_NESTING_DEPTH} levels)`,
        position,
      );
    }
  }

  private close(): void {
    const token = this.next();
    if (token.kind === ')') {
      this.depth--;
      return;
    }
    if (token.kind === 'end') throw new ExpressionError('Missing ")"', token.position);
    throw unexpected(token);
  }
}

/** Evaluates an arithmetic expression such as `2 * (3 + 4) ^ 2` or `sqrt(2) / 2`; throws {@link ExpressionError}. */
export function evaluateExpression(source: string): number {
  // The tool's arguments are parsed JSON, so the type is a hope rather than a guarantee.
  if (typeof source !== 'string') throw new ExpressionError('The expression must be a string');
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(`Expression too long (max ${MAX_EXPRESSION_LENGTH} characters)`);
  }
  const tokens = tokenize(source);
  if (tokens.length === 1) throw new ExpressionError('Empty expression');
  const value = new Parser(tokens).parse();
  // -0 is an artefact of IEEE arithmetic, not an answer anyone wants.
  return value === 0 ? 0 : value;
}

/** Renders a result for speech or text: `408`, `2.5`, `0.333333`; at most six decimals, no trailing zeros. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value === 0 ? 0 : value);
  const rounded = Number(value.toFixed(6));
  if (rounded !== 0) return String(rounded);
  // Six decimals would round a tiny value to a misleading "0"; keep its six significant digits instead.
  return String(Number(value.toPrecision(6)));
}
