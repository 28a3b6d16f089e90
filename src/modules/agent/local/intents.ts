import { spokenToExpression } from './spoken-arithmetic';

export type Intent =
  | { kind: 'goodbye' }
  | { kind: 'human'; reason: string }
  | { kind: 'arithmetic'; expression: string }
  | { kind: 'remember'; content: string; memoryKind: 'fact' | 'preference' }
  | { kind: 'recall' }
  | { kind: 'greeting' }
  | { kind: 'question' };

const GOODBYE =
  /\b(good ?bye|bye( bye)?|that'?s all|that is all|nothing else|no,? thanks?,? that'?s it|hang up|have a (good|nice) (day|one))\b/i;
const PERSON =
  '(?:human|person|someone|somebody|agent|representative|operator|manager|staff member|colleague)';
const HUMAN = new RegExp(
  [
    `\\b(?:speak|talk)\\s+(?:to|with)\\s+(?:a|an|the|some|your)?\\s*(?:real\\s+|live\\s+|actual\\s+)?${PERSON}\\b`,
    `\\b(?:transfer|connect|put)\\s+me\\b.{0,30}\\b${PERSON}\\b`,
    '\\b(?:real|actual|live)\\s+(?:person|human|agent)\\b',
    '^\\s*(?:human|operator|representative|agent)[.!?]*\\s*$',
  ].join('|'),
  'i',
);
// "Remember that ...", "please note that ...", "make a note that ...", but not "I can't remember ...".
const REMEMBER =
  /(?<!\b(?:can'?t|cannot|don'?t|do not|didn'?t|did not|won'?t|I)\s)\b(?:please\s+)?(?:remember|note|keep in mind|make a note)(?: of)? that (.{3,300})/i;
const NAME = /\bmy name is (?!not\b)([a-z][a-z' -]{1,60}?)(?:[.,!?]|$| and )/i;
const PREFERENCE =
  /\bI (?:prefer|would prefer|'d prefer|like to be|always want) (.{3,200}?)(?:[.!?]|$)/i;
const RECALL =
  /\b(what do you (know|remember) about me|do you remember me|what have I told you|my (details|information) on file)\b/i;
const GREETING =
  /^\s*(hi|hello|hey|good (morning|afternoon|evening)|hiya)\b[\s,.!]*(there)?[\s,.!]*$/i;

/**
 * What a caller wants, from their words alone, for the local agent. Ordered by what must win: a goodbye or a
 * request for a person beats everything else said in the same breath.
 */
export function detectIntent(text: string): Intent {
  if (HUMAN.test(text)) return { kind: 'human', reason: 'the caller asked for a person' };
  if (GOODBYE.test(text)) return { kind: 'goodbye' };
  const expression = spokenToExpression(text);
  if (expression) return { kind: 'arithmetic', expression };
  if (RECALL.test(text)) return { kind: 'recall' };
  const name = NAME.exec(text);
  if (name)
    return {
      kind: 'remember',
      content: `The caller's name is ${capitalise(name[1].trim())}.`,
      memoryKind: 'fact',
    };
  const remember = REMEMBER.exec(text);
  if (remember) {
    return {
      kind: 'remember',
      content: `The caller said: ${sentence(remember[1])}`,
      memoryKind: 'fact',
    };
  }
  const preference = PREFERENCE.exec(text);
  if (preference) {
    return {
      kind: 'remember',
      content: `The caller prefers ${preference[1].trim()}.`,
      memoryKind: 'preference',
    };
  }
  if (GREETING.test(text)) return { kind: 'greeting' };
  return { kind: 'question' };
}

function capitalise(name: string): string {
  return name.replace(/\b[a-z]/g, (letter) => letter.toUpperCase());
}

function sentence(text: string): string {
  const trimmed = text.trim().replace(/[.!?]+$/, '');
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}.`;
}
