import type {
  ChatMessage,
  KnowledgeHit,
  RecalledMemory,
  RetrievedContext,
} from '../llm/language-model';
import { buildPrompt, estimateTokens, PromptParts } from './prompt-builder';

const NO_CONTEXT: RetrievedContext = { knowledge: [], memories: [] };

function parts(overrides: Partial<PromptParts> = {}): PromptParts {
  return {
    agent: { systemPrompt: 'You answer calls for Acme Books.', persona: 'Warm and brief.' },
    channel: 'phone',
    context: NO_CONTEXT,
    history: [{ role: 'user', content: 'When do you open?' }],
    budgetTokens: 10_000,
    maxHistoryMessages: 50,
    ...overrides,
  };
}

function hit(title: string, text: string, score: number, heading?: string): KnowledgeHit {
  return { documentId: `doc-${title}`, title, heading, text, score };
}

function memory(id: string, content: string, score: number): RecalledMemory {
  return { id, kind: 'fact', content, createdAt: new Date('2024-05-01T10:00:00Z'), score };
}

/** Alternating caller and agent turns, each `length` characters long, numbered so they can be told apart. */
function conversation(turns: number, length = 120): ChatMessage[] {
  return Array.from({ length: turns }, (_, i): ChatMessage => {
    const content = `turn ${i} `.padEnd(length, 'x');
    return i % 2 === 0 ? { role: 'user', content } : { role: 'assistant', content };
  });
}

function systemOf(messages: readonly ChatMessage[]): string {
  expect(messages[0].role).toBe('system');
  return messages[0].content;
}

describe(estimateTokens.name, () => {
  const sut = estimateTokens;

  it.each([
    ['', 4],
    ['a', 5],
    ['abcd', 5],
    ['abcde', 6],
  ])('estimates %j as %i tokens', (text, tokens) => {
    expect(sut(text)).toBe(tokens);
  });

  it('grows linearly with the length', () => {
    expect(sut('x'.repeat(400))).toBe(104);
    expect(sut('x'.repeat(4000))).toBe(1004);
  });
});

describe(buildPrompt.name, () => {
  const sut = buildPrompt;

  describe('the system message', () => {
    it('holds the trimmed system prompt, the persona, the channel guidance and the advice', () => {
      const built = sut(
        parts({
          agent: {
            systemPrompt: '  You answer calls for Acme Books.\n',
            persona: '  Warm and brief. ',
          },
          advice: 'Callers asking about orders want the order number confirmed first.',
        }),
      );

      const system = systemOf(built.messages);
      expect(
        system.startsWith('You answer calls for Acme Books.\n\nPersona: Warm and brief.'),
      ).toBe(true);
      expect(system).toContain('speaking with a caller on the telephone');
      expect(system).toContain('Never say an action happened unless a tool result says it did.');
      expect(system).toContain(
        'Callers asking about orders want the order number confirmed first.',
      );
      expect(built.messages.filter((message) => message.role === 'system')).toHaveLength(1);
    });

    it('gives the chat console its own guidance', () => {
      const system = systemOf(sut(parts({ channel: 'chat' })).messages);
      expect(system).toContain('test console that stands in for a phone call');
      expect(system).not.toContain('on the telephone');
    });

    it('leaves out an empty persona and absent advice rather than printing blank sections', () => {
      const system = systemOf(
        sut(parts({ agent: { systemPrompt: 'You answer calls.', persona: '   ' } })).messages,
      );
      expect(system).not.toContain('Persona:');
      expect(system).not.toContain('undefined');
      expect(system).not.toMatch(/\n\n\n/);
    });

    it('renders the retrieved memories and passages after the instructions', () => {
      const context: RetrievedContext = {
        memories: [memory('m1', "The caller's name is Ada.", 0.8)],
        knowledge: [
          hit('Opening hours', 'We open at nine on weekdays.', 0.9, 'Weekdays'),
          hit('Returns', 'Returns are free within 30 days.', 0.7),
        ],
      };

      const built = sut(parts({ context }));

      const system = systemOf(built.messages);
      expect(system).toContain(
        "What you remember about this caller from earlier calls:\n- (fact) The caller's name is Ada.",
      );
      expect(system).toContain(
        '[1] Opening hours > Weekdays: We open at nine on weekdays.\n[2] Returns: Returns are free within 30 days.',
      );
      expect(system.indexOf('What you remember')).toBeGreaterThan(system.indexOf('Persona:'));
      expect(built.context).toEqual({ memories: context.memories, knowledge: context.knowledge });
    });

    it('has no context sections when nothing was retrieved', () => {
      const built = sut(parts());
      const system = systemOf(built.messages);
      expect(system).not.toContain('What you remember');
      expect(system).not.toContain('Relevant passages');
      expect(built.context).toEqual(NO_CONTEXT);
    });
  });

  describe('the history window', () => {
    it('sends the whole conversation, in order, when it fits', () => {
      const history = conversation(7);

      const built = sut(parts({ history }));

      expect(built.messages.slice(1)).toEqual(history);
      expect(built.droppedHistory).toBe(0);
    });

    it('reports the estimated tokens of exactly what it sends', () => {
      const built = sut(parts({ history: conversation(5) }));
      const sum = built.messages.reduce(
        (total, message) => total + estimateTokens(message.content),
        0,
      );
      expect(built.estimatedTokens).toBe(sum);
    });

    it('keeps the output within the budget by dropping the oldest messages first', () => {
      const history = conversation(41);
      const budgetTokens = 600;

      const built = sut(parts({ history, budgetTokens }));

      expect(built.estimatedTokens).toBeLessThanOrEqual(budgetTokens);
      const sent = built.messages.slice(1);
      expect(sent.length).toBeGreaterThan(1);
      expect(sent.length).toBeLessThan(history.length);
      // The newest messages survive: what is sent is the tail of the conversation.
      expect(sent).toEqual(history.slice(history.length - sent.length));
      expect(built.droppedHistory).toBe(history.length - sent.length);
    });

    it('stays within the budget with retrieved context too', () => {
      const context: RetrievedContext = {
        memories: [memory('m1', "The caller's name is Ada.", 0.8)],
        knowledge: [hit('Hours', 'We open at nine on weekdays and at ten on Saturday.', 0.9)],
      };

      for (const budgetTokens of [400, 800, 1600]) {
        const built = sut(parts({ history: conversation(60), context, budgetTokens }));
        expect(built.estimatedTokens).toBeLessThanOrEqual(budgetTokens);
        expect(built.context.knowledge).toHaveLength(1);
      }
    });

    it('uses more of the history as the budget grows', () => {
      const history = conversation(41);
      const sent = (budgetTokens: number) =>
        sut(parts({ history, budgetTokens })).messages.length - 1;

      expect(sent(400)).toBeLessThan(sent(800));
      expect(sent(800)).toBeLessThan(sent(1600));
    });

    it('bounds the window by maxHistoryMessages, counting the newest input', () => {
      const history = conversation(21, 10);

      const built = sut(parts({ history, maxHistoryMessages: 6 }));

      expect(built.messages.slice(1)).toEqual(history.slice(-6));
      expect(built.droppedHistory).toBe(15);
    });

    it('always sends the newest caller input, even over budget', () => {
      const history = conversation(9);
      const input = history.at(-1)!;

      const built = sut(parts({ history, budgetTokens: 1 }));

      expect(built.messages).toHaveLength(2);
      expect(built.messages[1]).toEqual(input);
      expect(built.droppedHistory).toBe(8);
    });

    it("always sends the current reply's tool rounds with the input that started them", () => {
      const toolRounds: ChatMessage[] = [
        { role: 'user', content: 'What is twelve times thirty four?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'c1', name: 'calculator', arguments: '{"expression":"12 * 34"}' }],
        },
        {
          role: 'tool',
          toolCallId: 'c1',
          name: 'calculator',
          content: '{"expression":"12 * 34","result":"408"}',
        },
      ];
      const history = [...conversation(8), ...toolRounds];

      for (const [budgetTokens, maxHistoryMessages] of [
        [1, 50],
        [10_000, 1],
      ]) {
        const built = sut(parts({ history, budgetTokens, maxHistoryMessages }));
        expect(built.messages.slice(1)).toEqual(toolRounds);
        expect(built.droppedHistory).toBe(8);
      }
    });

    it('sends the last message when there is no caller input at all', () => {
      const history: ChatMessage[] = [
        { role: 'assistant', content: 'Hello, this is Acme Books.' },
        { role: 'assistant', content: 'How can I help?' },
      ];

      const built = sut(parts({ history, budgetTokens: 1 }));

      expect(built.messages.slice(1)).toEqual([history[1]]);
      expect(built.droppedHistory).toBe(1);
    });

    describe('a tool exchange cut at the start of the window', () => {
      const longArguments = JSON.stringify({ query: 'opening hours '.repeat(100) });
      const history: ChatMessage[] = [
        { role: 'user', content: 'When do you open on Saturday?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'k1', name: 'knowledge_search', arguments: longArguments }],
        },
        {
          role: 'tool',
          toolCallId: 'k1',
          name: 'knowledge_search',
          content: '{"results":[]}',
        },
        { role: 'assistant', content: 'We open at ten on Saturday.' },
        { role: 'user', content: 'Thank you.' },
      ];

      it('drops the orphaned tool result when the message cap falls inside the exchange', () => {
        const built = sut(parts({ history, maxHistoryMessages: 3 }));

        expect(built.messages.slice(1)).toEqual(history.slice(3));
        expect(built.droppedHistory).toBe(3);
      });

      it('drops the orphaned tool result when the budget falls inside the exchange', () => {
        // Room for the last exchange's small messages, but not for the long tool call that opened it.
        const withoutHistory = sut(parts({ history: history.slice(4) })).estimatedTokens;
        const budgetTokens = withoutHistory + estimateTokens(history[3].content) + 20;

        const built = sut(parts({ history, budgetTokens }));

        expect(built.messages.slice(1)).toEqual(history.slice(3));
        expect(built.messages[1].role).not.toBe('tool');
        expect(built.droppedHistory).toBe(3);
      });
    });
  });

  describe('the retrieved context', () => {
    const history: ChatMessage[] = [{ role: 'user', content: 'hi' }];
    // Everything but the context and history; what is given on top of it is the budget they share.
    const fixed = sut(parts({ history })).estimatedTokens;
    const passage = (n: number) => `Passage ${n} `.padEnd(100, '.');

    it('keeps the best-scored passages that fit its share of the budget', () => {
      const knowledge = [
        hit('Low', passage(1), 0.2),
        hit('High', passage(2), 0.9),
        hit('Middle', passage(3), 0.5),
      ];

      // 250 tokens to share: 40% is 100, room for the section header (25) and two rendered lines (32 each).
      const built = sut(
        parts({ history, context: { knowledge, memories: [] }, budgetTokens: fixed + 250 }),
      );

      expect(built.context.knowledge.map((kept) => kept.title)).toEqual(['High', 'Middle']);
      const system = systemOf(built.messages);
      expect(system).toContain(`[1] High: ${passage(2)}\n[2] Middle: ${passage(3)}`);
      expect(system).not.toContain('Low:');
    });

    it('skips a passage too long for what is left but keeps a shorter, lower-scored one', () => {
      const knowledge = [hit('Long', 'x'.repeat(300), 0.9), hit('Short', 'We open at nine.', 0.3)];

      const built = sut(
        parts({ history, context: { knowledge, memories: [] }, budgetTokens: fixed + 150 }),
      );

      expect(built.context.knowledge.map((kept) => kept.title)).toEqual(['Short']);
    });

    it('shares the room between memories and passages, best of each first', () => {
      const memories = [
        memory('m-low', passage(10), 0.1),
        memory('m-high', passage(11), 0.95),
        memory('m-mid', passage(12), 0.6),
      ];
      const knowledge = [hit('Low', passage(1), 0.2), hit('High', passage(2), 0.9)];

      // 40% of 300 is 120: one memory (header 19 + line 32) and one passage (header 25 + line 32).
      const built = sut(
        parts({ history, context: { knowledge, memories }, budgetTokens: fixed + 300 }),
      );

      expect(built.context.memories.map((kept) => kept.id)).toEqual(['m-high']);
      expect(built.context.knowledge.map((kept) => kept.title)).toEqual(['High']);
    });

    it('keeps everything when the share is large enough', () => {
      const memories = [memory('m1', 'Prefers email.', 0.2), memory('m2', 'Name is Ada.', 0.7)];
      const knowledge = [hit('A', 'Alpha.', 0.3), hit('B', 'Beta.', 0.8)];

      const built = sut(parts({ history, context: { knowledge, memories } }));

      expect(built.context.memories.map((kept) => kept.id)).toEqual(['m2', 'm1']);
      expect(built.context.knowledge.map((kept) => kept.title)).toEqual(['B', 'A']);
    });

    it('counts what the passages render to (titles, headings, headers) against the budget', () => {
      const longTitle = 'T'.repeat(216);
      const knowledge = Array.from({ length: 8 }, (_, i) =>
        hit(`${longTitle}${i}`, 'We open at nine.', 0.9),
      );

      for (const extra of [20, 200]) {
        const built = sut(
          parts({ history, context: { knowledge, memories: [] }, budgetTokens: fixed + extra }),
        );
        expect(built.estimatedTokens).toBeLessThanOrEqual(fixed + extra);
      }
    });

    it('gives the context nothing when the instructions and the input use up the budget', () => {
      const built = sut(
        parts({
          history,
          context: { knowledge: [hit('A', 'Alpha.', 0.9)], memories: [memory('m1', 'Ada.', 0.9)] },
          budgetTokens: fixed,
        }),
      );

      expect(built.context).toEqual(NO_CONTEXT);
      expect(systemOf(built.messages)).not.toContain('Relevant passages');
    });

    it('does not reorder or change the context it was given', () => {
      const knowledge = [hit('Low', passage(1), 0.2), hit('High', passage(2), 0.9)];
      const context: RetrievedContext = { knowledge, memories: [] };

      sut(parts({ history, context }));

      expect(context.knowledge.map((given) => given.title)).toEqual(['Low', 'High']);
    });
  });
});
