// Turns "what is twelve times thirty four?" into "12 * 34" for the calculator's evaluator. The rules agent asks
// this of every caller turn, so a false positive hijacks an ordinary sentence: a sentence counts only when every
// word is accounted for (question wrapper, number, operator) and at least one operation joins the numbers.

const UNITS: ReadonlyMap<string, number> = new Map(
  [
    'zero one two three four five six seven eight nine',
    'ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen',
  ]
    .join(' ')
    .split(' ')
    .map((word, value) => [word, value]),
);

const TENS: ReadonlyMap<string, number> = new Map([
  ['twenty', 20],
  ['thirty', 30],
  ['forty', 40],
  ['fifty', 50],
  ['sixty', 60],
  ['seventy', 70],
  ['eighty', 80],
  ['ninety', 90],
]);

const SCALES: ReadonlyMap<string, number> = new Map([
  ['thousand', 1e3],
  ['million', 1e6],
  ['billion', 1e9],
]);

const SIGNS: ReadonlySet<string> = new Set(['minus', 'negative', '-']);
const DIGIT_STRING = /^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^\.\d+$/;

type WordKind = 'digits' | 'a' | 'zero' | 'unit' | 'teen' | 'tens' | 'hundred' | 'scale' | 'and';
type Previous = WordKind | 'start';

// Which word may follow which inside one whole number; this is what keeps "four five seven two" (an order
// number read digit by digit) from becoming a number, or "twenty twenty" from becoming forty.
const MAY_FOLLOW: Readonly<Record<WordKind, readonly Previous[]>> = {
  digits: ['start'],
  a: ['start'],
  zero: ['start'],
  unit: ['start', 'tens', 'hundred', 'scale', 'and'],
  teen: ['start', 'hundred', 'scale', 'and'],
  tens: ['start', 'hundred', 'scale', 'and'],
  hundred: ['digits', 'a', 'unit', 'teen', 'tens'],
  scale: ['digits', 'a', 'unit', 'teen', 'tens', 'hundred'],
  and: ['hundred', 'scale'],
};

function classify(word: string): { kind: WordKind; value: number } | undefined {
  if (DIGIT_STRING.test(word)) return { kind: 'digits', value: Number(word.replaceAll(',', '')) };
  if (word === 'a' || word === 'and') return { kind: word, value: 0 };
  if (word === 'hundred') return { kind: 'hundred', value: 100 };
  const unit = UNITS.get(word);
  if (unit !== undefined) {
    return { kind: unit === 0 ? 'zero' : unit < 10 ? 'unit' : 'teen', value: unit };
  }
  const tens = TENS.get(word);
  if (tens !== undefined) return { kind: 'tens', value: tens };
  const scale = SCALES.get(word);
  if (scale !== undefined) return { kind: 'scale', value: scale };
  return undefined;
}

/** "one hundred and five", "a thousand", "twelve hundred", "2.5 million" (no sign, no "point"). */
function parseWhole(words: readonly string[]): number | undefined {
  let total = 0;
  let group = 0;
  let previous: Previous = 'start';
  let lastScale = Infinity;
  for (const word of words) {
    const classified = classify(word);
    if (!classified || !MAY_FOLLOW[classified.kind].includes(previous)) return undefined;
    const { kind, value } = classified;
    switch (kind) {
      case 'a':
        group = 1;
        break;
      case 'and':
        break;
      case 'digits':
      case 'zero':
      case 'unit':
      case 'teen':
      case 'tens':
        group += value;
        break;
      case 'hundred':
        if (group >= 100) return undefined;
        group *= 100;
        break;
      case 'scale':
        if (value >= lastScale || group === 0) return undefined;
        total += group * value;
        group = 0;
        lastScale = value;
        break;
    }
    previous = kind;
  }
  if (previous === 'start' || previous === 'a' || previous === 'and') return undefined;
  return total + group;
}

const DECIMAL_DIGITS: ReadonlyMap<string, string> = new Map([
  ...[...UNITS]
    .filter(([, value]) => value < 10)
    .map(([word, value]) => [word, String(value)] as const),
  ['oh', '0'],
]);

function parseUnsigned(words: readonly string[]): number | undefined {
  const text = words.join(' ');
  if (text === 'half' || text === 'a half') return 0.5;
  if (text.endsWith(' and a half')) {
    const whole = parseWhole(words.slice(0, -3));
    return whole !== undefined && Number.isInteger(whole) ? whole + 0.5 : undefined;
  }
  const point = words.indexOf('point');
  if (point === -1) return parseWhole(words);
  const whole = point === 0 ? 0 : parseWhole(words.slice(0, point));
  const decimals = words.slice(point + 1).map((word) => DECIMAL_DIGITS.get(word) ?? word);
  if (whole === undefined || !Number.isSafeInteger(whole) || decimals.length === 0) {
    return undefined;
  }
  if (!decimals.every((digits) => /^\d+$/.test(digits))) return undefined;
  // Built as text so that "three point one four" is exactly 3.14, not 3 + 0.14.
  return Number(`${whole}.${decimals.join('')}`);
}

/**
 * Reads one number spoken as words, digits or both, e.g. `['thirty', 'four']` → 34,
 * `['minus', 'three', 'point', 'five']` → -3.5, `['two', 'and', 'a', 'half']` → 2.5. Every word must belong to
 * the number; anything else (including two numbers in a row) gives undefined.
 */
export function parseSpokenNumber(words: readonly string[]): number | undefined {
  const negative = words.length > 0 && SIGNS.has(words[0]);
  const magnitude = parseUnsigned(negative ? words.slice(1) : words);
  if (magnitude === undefined) return undefined;
  return negative ? -magnitude : magnitude;
}

type Phrases = readonly (readonly string[])[];

/** `'divided by, over'` → `[['divided', 'by'], ['over']]` */
function phrases(list: string): Phrases {
  return list.split(', ').map((text) => text.split(' '));
}

/** End index of the longest phrase that starts at `start`, if any. */
function matchPhrase(
  tokens: readonly string[],
  start: number,
  candidates: Phrases,
): number | undefined {
  let end: number | undefined;
  for (const phrase of candidates) {
    const fits = phrase.every((word, offset) => tokens[start + offset] === word);
    if (fits && (end === undefined || start + phrase.length > end)) end = start + phrase.length;
  }
  return end;
}

// Only the words of a question about a sum may surround it; "I would like..." stays unmatched and so rejected.
const LEADING = phrases(
  [
    'um, uh, er, so, ok, okay, hey, hi, hello, well, and, also, now, please',
    "what is, what's, whats, what are, what does, what do, what would, what will",
    'how much is, how much are, how much does, how much would',
    'can you, could you, would you, will you, tell me, calculate, compute, work out, figure out',
    'the answer to, the result of, what do you get if you, what do you get when you, what do you get if',
  ].join(', '),
);

const TRAILING = phrases(
  'please, thanks, thank you, for me, equal, equals, equal to, make, come to, be',
);

function stripWrappers(tokens: readonly string[]): readonly string[] {
  let start = 0;
  let end = tokens.length;
  for (let changed = true; changed;) {
    changed = false;
    const lead = matchPhrase(tokens, start, LEADING);
    if (lead !== undefined && lead < end) {
      start = lead;
      changed = true;
    }
    for (const phrase of TRAILING) {
      const from = end - phrase.length;
      if (from > start && phrase.every((word, offset) => tokens[from + offset] === word)) {
        end = from;
        changed = true;
        break;
      }
    }
  }
  return tokens.slice(start, end);
}

// Longest match wins, so "divided by" is never read as a bare "divided".
const OPERATORS: readonly { phrases: Phrases; symbol: string }[] = [
  { phrases: phrases('plus, +'), symbol: '+' },
  { phrases: phrases('minus, -, take away'), symbol: '-' },
  { phrases: phrases('times, times by, multiplied by, x, *'), symbol: '*' },
  { phrases: phrases('divided by, over, /'), symbol: '/' },
  {
    phrases: phrases('to the power of, raised to the power of, raised to, ^'),
    symbol: '^',
  },
  { phrases: phrases('mod, modulo, modulus'), symbol: '%' },
  // The evaluator's % is modulo, so a percentage becomes a division.
  { phrases: phrases('percent of'), symbol: '/ 100 *' },
];

const POSTFIX: ReadonlyMap<string, string> = new Map([
  ['squared', '^ 2'],
  ['cubed', '^ 3'],
]);

const SQUARE_ROOT = phrases('square root of, the square root of');

// A number rarely takes more than a dozen words; the cap keeps the longest-match search cheap on long turns.
const MAX_NUMBER_WORDS = 16;
const MAX_TOKENS = 64;

interface Operand {
  text: string;
  /** Index just past the operand. */
  end: number;
  /** Safe as the base of ^ without parentheses. */
  atomic: boolean;
  /** Whether the operand itself computes something (root, power), not just names a number. */
  operation: boolean;
}

function formatOperand(value: number): string {
  // Parenthesised so that "negative two squared" stays (-2) ^ 2 = 4 rather than -(2 ^ 2).
  return value < 0 ? `(${value})` : String(value);
}

function parseNumber(tokens: readonly string[], start: number): Operand | undefined {
  const longest = Math.min(tokens.length, start + MAX_NUMBER_WORDS);
  for (let end = longest; end > start; end--) {
    const value = parseSpokenNumber(tokens.slice(start, end));
    if (value !== undefined) {
      return { text: formatOperand(value), end, atomic: true, operation: false };
    }
  }
  return undefined;
}

function parseAtom(tokens: readonly string[], start: number): Operand | undefined {
  const root = matchPhrase(tokens, start, SQUARE_ROOT);
  if (root === undefined) return parseNumber(tokens, start);
  const inner = parseAtom(tokens, root);
  return inner && { text: `sqrt(${inner.text})`, end: inner.end, atomic: true, operation: true };
}

function parseOperand(tokens: readonly string[], start: number): Operand | undefined {
  let operand = parseAtom(tokens, start);
  for (;;) {
    const suffix = operand && POSTFIX.get(tokens[operand.end]);
    if (!operand || !suffix) return operand;
    // "two cubed squared" is (2 ^ 3) ^ 2: the evaluator's ^ would group it the other way.
    const base = operand.atomic ? operand.text : `(${operand.text})`;
    operand = { text: `${base} ${suffix}`, end: operand.end + 1, atomic: false, operation: true };
  }
}

function matchOperator(
  tokens: readonly string[],
  start: number,
): { symbol: string; end: number } | undefined {
  let best: { symbol: string; end: number } | undefined;
  for (const { phrases: candidates, symbol } of OPERATORS) {
    const end = matchPhrase(tokens, start, candidates);
    if (end !== undefined && (!best || end > best.end)) best = { symbol, end };
  }
  return best;
}

interface Parsed {
  text: string;
  operation: boolean;
}

/** operand (operator operand)*, covering all of `tokens`; precedence is left to the evaluator. */
function parseChain(tokens: readonly string[]): Parsed | undefined {
  const first = parseOperand(tokens, 0);
  if (!first) return undefined;
  const parts = [first.text];
  let operation = first.operation;
  let at = first.end;
  while (at < tokens.length) {
    const operator = matchOperator(tokens, at);
    const operand = operator && parseOperand(tokens, operator.end);
    if (!operator || !operand) return undefined;
    parts.push(operator.symbol, operand.text);
    operation = true;
    at = operand.end;
  }
  return { text: parts.join(' '), operation };
}

// "add 3 to 4", "subtract 3 from 10": the verb comes first and the operands may come in reverse.
const COMMANDS: readonly {
  verb: Phrases;
  separators: readonly string[];
  build: (first: string, second: string) => string;
}[] = [
  {
    verb: phrases('add, the sum of, sum of'),
    separators: ['and', 'to'],
    build: (a, b) => `${a} + ${b}`,
  },
  { verb: phrases('subtract, take away'), separators: ['from'], build: (a, b) => `${b} - ${a}` },
  {
    verb: phrases('multiply, the product of, product of'),
    separators: ['by', 'and', 'times'],
    build: (a, b) => `${a} * ${b}`,
  },
  { verb: phrases('divide'), separators: ['by'], build: (a, b) => `${a} / ${b}` },
];

function parseCommand(tokens: readonly string[]): Parsed | undefined {
  for (const command of COMMANDS) {
    const start = matchPhrase(tokens, 0, command.verb);
    if (start === undefined) continue;
    // "and" can also sit inside a number ("one hundred and five"), so try each split until both sides parse.
    for (let split = start + 1; split < tokens.length - 1; split++) {
      if (!command.separators.includes(tokens[split])) continue;
      const first = parseChain(tokens.slice(start, split));
      const second = parseChain(tokens.slice(split + 1));
      if (first && second) {
        const wrap = (part: Parsed): string =>
          part.text.includes(' ') ? `(${part.text})` : part.text;
        return { text: command.build(wrap(first), wrap(second)), operation: true };
      }
    }
  }
  return undefined;
}

// Digits keep their decimal point and thousands commas ("1,234.5"); other punctuation separates words.
const TOKEN =
  /(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)|([a-z]+(?:'[a-z]+)*)|(\*\*|[-+*/^%×÷−])|([\s,.;:!?"“”])|(.)/gu;

const SYMBOLS: ReadonlyMap<string, string> = new Map([
  ['**', '^'],
  ['×', '*'],
  ['÷', '/'],
  ['−', '-'],
  // Transcribers write "15% of 80"; spoken, % is always "percent".
  ['%', 'percent'],
]);

function tokenize(sentence: string): string[] | undefined {
  const text = sentence
    .toLowerCase()
    .replace(/[‘’]/g, "'")
    .replace(/([a-z])-(?=[a-z])/g, '$1 ')
    .replace(/\bper cent\b/g, 'percent');
  const tokens: string[] = [];
  for (const [, number, word, symbol, separator, other] of text.matchAll(TOKEN)) {
    if (other !== undefined) return undefined;
    if (separator !== undefined) continue;
    const token = number ?? word ?? symbol;
    tokens.push(SYMBOLS.get(token) ?? token);
  }
  return tokens;
}

/**
 * The arithmetic in a caller's spoken question as an expression for `evaluateExpression`, e.g.
 * "What is twelve times thirty four?" → `12 * 34`; undefined when no sentence of the utterance is one.
 */
export function spokenToExpression(utterance: string): string | undefined {
  for (const sentence of utterance.split(/(?<=[.!?])\s+/)) {
    const tokens = tokenize(sentence);
    if (!tokens || tokens.length > MAX_TOKENS) continue;
    const core = stripWrappers(tokens);
    const parsed = parseCommand(core) ?? parseChain(core);
    if (parsed?.operation) return parsed.text;
  }
  return undefined;
}
