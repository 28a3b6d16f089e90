import { evaluateExpression, formatNumber } from '../tools/calculator/expression';
import type {
  ChatMessage,
  GenerationEvent,
  GenerationRequest,
  KnowledgeHit,
  RecalledMemory,
  ToolCall,
} from '../llm/language-model';
import { LanguageModel } from '../llm/language-model';
import { detectIntent } from './intents';

// Below this cosine similarity a passage is not an answer (the local embeddings score related text ~0.15-0.8).
const MIN_PASSAGE_SCORE = 0.15;
const STOP_WORDS = new Set(
  'a an the is are was were be to of in on at for and or but with my your our you we i me it its this that what when where how do does did can could would should will please about have has had there their them they from by as any some'.split(
    ' ',
  ),
);

/**
 * An agent that needs no model: it recognises a few intents (goodbye, asking for a person, arithmetic, "remember
 * that...", greetings), answers questions with the best matching knowledge-base passage, uses the same tools
 * as the LLM agent, and otherwise says plainly what it cannot do. Deterministic, instant, and honest about being
 * an automated assistant. It is the default without LLM_PROVIDER=openai, and the fallback when the LLM fails.
 */
export class LocalRulesModel extends LanguageModel {
  readonly name = 'local';

  // eslint-disable-next-line @typescript-eslint/require-await
  async *generate(request: GenerationRequest): AsyncGenerator<GenerationEvent> {
    const reply = this.decide(request);
    if ('call' in reply) {
      yield { type: 'tool_call', call: reply.call };
      return;
    }
    yield { type: 'text', text: reply.text };
  }

  private decide(request: GenerationRequest): { text: string } | { call: ToolCall } {
    const last = request.messages.at(-1);
    if (last?.role === 'tool') return { text: afterTool(last, request) };
    const question = lastUserText(request.messages);
    const offers = (name: string) => request.tools.some((tool) => tool.name === name);
    const call = (name: string, args: Record<string, unknown>) => ({
      call: {
        id: `local_${name}_${request.messages.length}`,
        name,
        arguments: JSON.stringify(args),
      },
    });
    const intent = detectIntent(question);
    switch (intent.kind) {
      case 'goodbye':
        return offers('end_call')
          ? call('end_call', { reason: 'the caller said goodbye' })
          : { text: 'Thank you for calling. Goodbye.' };
      case 'human':
        if (offers('transfer_to_human'))
          return call('transfer_to_human', { reason: intent.reason });
        return {
          text: "I'm an automated assistant, and I can't transfer you to a person on this line. I'm sorry about that. Is there anything I can try to help with?",
        };
      case 'arithmetic':
        if (offers('calculator')) return call('calculator', { expression: intent.expression });
        return { text: arithmeticAnswer(intent.expression) };
      case 'remember':
        if (offers('remember')) {
          return call('remember', {
            content: intent.content,
            kind: intent.memoryKind,
            importance: 0.7,
          });
        }
        return {
          text: "Thank you. I'm not able to keep notes between calls here, but I've heard you.",
        };
      case 'recall':
        return { text: recallAnswer(request.context.memories) };
      case 'greeting':
        return { text: greeting(request) };
      case 'question':
        return {
          text: answerFromKnowledge(question, request.context.knowledge) ?? notSure(request),
        };
    }
  }
}

function lastUserText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message.role === 'user') return message.content;
  }
  return '';
}

function afterTool(
  message: Extract<ChatMessage, { role: 'tool' }>,
  request: GenerationRequest,
): string {
  const result = parse(message.content);
  switch (message.name) {
    case 'calculator':
      return `${spokenExpression(String(result.expression))} is ${String(result.result)}.`;
    case 'end_call':
      return 'Thank you for calling. Goodbye.';
    case 'transfer_to_human':
      return result.transferring
        ? "Of course. I'm connecting you with a colleague now. Please hold."
        : `This is a test chat, so nobody is transferred; on a call I would now connect you to ${request.agent.transferNumber ?? 'a colleague'}.`;
    case 'remember':
      return "Thank you, I've made a note of that for next time.";
    case 'knowledge_search': {
      const hits =
        (result.results as { title: string; heading?: string; text: string; score: number }[]) ??
        [];
      const question = lastUserText(request.messages);
      return (
        answerFromKnowledge(
          question,
          hits.map((hit) => ({
            documentId: '',
            title: hit.title,
            heading: hit.heading,
            text: hit.text,
            score: hit.score,
          })),
        ) ?? "I couldn't find that in our information."
      );
    }
    case 'web_search': {
      const results = (result.results as { title: string; snippet: string }[]) ?? [];
      return results[0]
        ? `Here is what I found: ${results[0].snippet}`
        : "I couldn't find anything about that.";
    }
    default:
      return 'Done.';
  }
}

function parse(content: string): Record<string, unknown> {
  try {
    return JSON.parse(content) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const SPOKEN_OPERATORS: Record<string, string> = {
  '*': 'times',
  '/': 'divided by',
  '+': 'plus',
  '-': 'minus',
  '^': 'to the power of',
  '%': 'modulo',
};

function spokenExpression(expression: string): string {
  return expression.replace(/\s*([*/+^%]|(?<=\S)\s-\s)\s*/g, (match: string, operator: string) => {
    const key = operator.trim();
    return SPOKEN_OPERATORS[key] ? ` ${SPOKEN_OPERATORS[key]} ` : match;
  });
}

function arithmeticAnswer(expression: string): string {
  try {
    return `${spokenExpression(expression)} is ${formatNumber(evaluateExpression(expression))}.`;
  } catch (error) {
    return `I couldn't work that out: ${(error as Error).message.toLowerCase()}.`;
  }
}

function recallAnswer(memories: readonly RecalledMemory[]): string {
  if (memories.length === 0) return "I don't have any notes about you from earlier calls.";
  const notes = memories.slice(0, 3).map((memory) => memory.content.replace(/[.!?]+$/, ''));
  return `From earlier calls, I have these notes: ${notes.join('; ')}.`;
}

function greeting(request: GenerationRequest): string {
  const back = request.context.memories.length > 0 ? 'Welcome back! ' : 'Hello! ';
  return `${back}You're speaking with the automated assistant of ${request.agent.name}. How can I help you today?`;
}

function notSure(request: GenerationRequest): string {
  const can = ['answer questions from our information'];
  if (request.tools.some((tool) => tool.name === 'calculator')) can.push('do calculations');
  if (request.tools.some((tool) => tool.name === 'transfer_to_human'))
    can.push('connect you to a colleague');
  const list = can.length > 1 ? `${can.slice(0, -1).join(', ')} or ${can.at(-1)}` : can[0];
  return `I'm an automated assistant and I don't have an answer to that. I can ${list}. Could you put it another way?`;
}

/** The sentence (or two) of the best passage that shares most words with the question, if any does. */
export function answerFromKnowledge(
  question: string,
  hits: readonly KnowledgeHit[],
): string | undefined {
  const wanted = contentWords(question);
  if (wanted.size === 0) return undefined;
  let best: { text: string; overlap: number; score: number } | undefined;
  for (const hit of hits) {
    if (hit.score < MIN_PASSAGE_SCORE) continue;
    const sentences = hit.text.split(/(?<=[.!?])\s+/).filter((text) => text.trim().length > 0);
    sentences.forEach((text, index) => {
      const words = contentWords(`${hit.heading ?? ''} ${text}`);
      const overlap = [...wanted].filter((word) => words.has(word)).length;
      if (overlap === 0) return;
      const candidate =
        text.length < 60 && sentences[index + 1] ? `${text} ${sentences[index + 1]}` : text;
      if (!best || overlap > best.overlap || (overlap === best.overlap && hit.score > best.score)) {
        best = { text: candidate.trim(), overlap, score: hit.score };
      }
    });
  }
  return best?.text;
}

function contentWords(text: string): Set<string> {
  return new Set(
    (text.toLowerCase().match(/[a-z0-9']+/g) ?? [])
      .filter((word) => !STOP_WORDS.has(word) && word.length > 1)
      .map((word) => word.replace(/'s$/, '').replace(/(?<=\w{3})s$/, '')),
  );
}
