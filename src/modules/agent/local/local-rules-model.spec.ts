import type {
  ChatMessage,
  GenerationEvent,
  GenerationRequest,
  KnowledgeHit,
  RecalledMemory,
  ToolSpec,
} from '../llm/language-model';
import { detectIntent } from './intents';
import { answerFromKnowledge, LocalRulesModel } from './local-rules-model';

const ALL_TOOLS = [
  'calculator',
  'knowledge_search',
  'remember',
  'transfer_to_human',
  'end_call',
  'web_search',
];

function tools(...names: string[]): ToolSpec[] {
  return names.map((name) => ({ name, description: `${name} tool`, parameters: {} }));
}

function request(
  input: string | readonly ChatMessage[],
  options: {
    tools?: readonly string[];
    knowledge?: readonly KnowledgeHit[];
    memories?: readonly RecalledMemory[];
  } = {},
): GenerationRequest {
  const conversation: readonly ChatMessage[] =
    typeof input === 'string' ? [{ role: 'user', content: input }] : input;
  return {
    agent: { name: 'Acme Books', persona: 'Friendly.', transferNumber: '+15550100200' },
    messages: [{ role: 'system', content: 'You answer calls for Acme Books.' }, ...conversation],
    tools: tools(...(options.tools ?? [])),
    context: { knowledge: options.knowledge ?? [], memories: options.memories ?? [] },
    channel: 'phone',
  };
}

function memory(content: string): RecalledMemory {
  return { id: content, kind: 'fact', content, createdAt: new Date('2024-05-01'), score: 0.8 };
}

function passage(text: string, score = 0.6, title = 'Store information'): KnowledgeHit {
  return { documentId: `doc-${title}`, title, text, score };
}

async function collect(events: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const all: GenerationEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

/** The one thing the model said, failing the test when it called a tool instead. */
async function textOf(generation: GenerationRequest): Promise<string> {
  const events = await collect(new LocalRulesModel().generate(generation));
  expect(events).toHaveLength(1);
  const [event] = events;
  if (event.type !== 'text') throw new Error(`Expected text, got a call to ${event.call.name}`);
  return event.text;
}

/** The one tool call the model made, with its arguments parsed. */
async function callOf(generation: GenerationRequest): Promise<{ name: string; args: unknown }> {
  const events = await collect(new LocalRulesModel().generate(generation));
  expect(events).toHaveLength(1);
  const [event] = events;
  if (event.type !== 'tool_call') throw new Error(`Expected a tool call, got "${event.text}"`);
  return { name: event.call.name, args: JSON.parse(event.call.arguments) };
}

function afterToolRequest(name: string, content: string, question: string): GenerationRequest {
  return request([
    { role: 'user', content: question },
    { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name, arguments: '{}' }] },
    { role: 'tool', toolCallId: 'c1', name, content },
  ]);
}

const HOURS = passage(
  'We are closed on Sunday. On weekdays we open at nine. ' +
    'On Saturday the shop opens at ten in the morning and closes at two in the afternoon.',
  0.7,
  'Opening hours',
);

describe(LocalRulesModel.name, () => {
  const sut = new LocalRulesModel();

  it('is named local', () => {
    expect(sut.name).toBe('local');
  });

  describe('a goodbye', () => {
    it('ends the call when end_call is offered', async () => {
      expect(await callOf(request('Okay, goodbye!', { tools: ['end_call'] }))).toEqual({
        name: 'end_call',
        args: { reason: 'the caller said goodbye' },
      });
    });

    it('says goodbye in words when end_call is not offered', async () => {
      expect(await textOf(request('Okay, goodbye!'))).toBe('Thank you for calling. Goodbye.');
    });
  });

  describe('asking for a person', () => {
    it('transfers when transfer_to_human is offered', async () => {
      expect(
        await callOf(
          request('Can I speak to a real person please?', { tools: ['transfer_to_human'] }),
        ),
      ).toEqual({ name: 'transfer_to_human', args: { reason: 'the caller asked for a person' } });
    });

    it('says honestly that it is automated and cannot transfer when it is not offered', async () => {
      const text = await textOf(
        request('Can I speak to a real person please?', { tools: ['calculator', 'end_call'] }),
      );

      expect(text).toMatch(/automated assistant/i);
      expect(text).toMatch(/can't transfer you/i);
      // It must neither pass itself off as a person nor pretend a transfer is under way.
      expect(text).not.toMatch(/\bI(?:'m| am) (?:a )?(?:human|real person|person)\b/i);
      expect(text).not.toMatch(/\b(?:transferring|connecting|transferred|connected|hold)\b/i);
    });
  });

  describe('arithmetic', () => {
    it('asks the calculator when it is offered', async () => {
      expect(
        await callOf(request('What is twelve times thirty four?', { tools: ['calculator'] })),
      ).toEqual({ name: 'calculator', args: { expression: '12 * 34' } });
    });

    it('works it out itself when the calculator is not offered', async () => {
      const text = await textOf(request('What is twelve times thirty four?'));
      expect(text).toContain('408');
      expect(text).toBe('12 times 34 is 408.');
    });

    it('explains an expression it cannot work out', async () => {
      expect(await textOf(request('What is ten divided by zero?'))).toBe(
        "I couldn't work that out: division by zero.",
      );
    });

    it("answers from the calculator's result", async () => {
      const text = await textOf(
        afterToolRequest(
          'calculator',
          '{"expression":"12 * 34","result":"408"}',
          'What is twelve times thirty four?',
        ),
      );
      expect(text).toContain('408');
      expect(text).toBe('12 times 34 is 408.');
    });
  });

  describe('remembering', () => {
    it("remembers the caller's name when remember is offered", async () => {
      expect(await callOf(request('my name is Ada Lovelace', { tools: ['remember'] }))).toEqual({
        name: 'remember',
        args: { content: "The caller's name is Ada Lovelace.", kind: 'fact', importance: 0.7 },
      });
    });

    it('says it cannot keep notes when remember is not offered', async () => {
      expect(await textOf(request('my name is Ada Lovelace'))).toMatch(
        /not able to keep notes between calls/,
      );
    });

    it('thanks the caller once the note is made', async () => {
      expect(
        await textOf(afterToolRequest('remember', '{"remembered":true}', 'my name is Ada')),
      ).toBe("Thank you, I've made a note of that for next time.");
    });

    it('lists what it remembers when asked', async () => {
      const text = await textOf(
        request('What do you remember about me?', {
          tools: ALL_TOOLS,
          memories: [
            memory("The caller's name is Ada."),
            memory('Prefers email!'),
            memory('Ordered a cookbook'),
            memory('A fourth note that is left out'),
          ],
        }),
      );
      expect(text).toBe(
        "From earlier calls, I have these notes: The caller's name is Ada; Prefers email; Ordered a cookbook.",
      );
    });

    it('says so when it remembers nothing', async () => {
      expect(await textOf(request('Do you remember me?'))).toBe(
        "I don't have any notes about you from earlier calls.",
      );
    });
  });

  describe('a greeting', () => {
    it('introduces itself as the automated assistant', async () => {
      expect(await textOf(request('Hello there!', { tools: ALL_TOOLS }))).toBe(
        "Hello! You're speaking with the automated assistant of Acme Books. How can I help you today?",
      );
    });

    it('welcomes back a caller it has memories of', async () => {
      const text = await textOf(request('Hi', { memories: [memory("The caller's name is Ada.")] }));
      expect(text.startsWith('Welcome back! ')).toBe(true);
      expect(text).toContain('automated assistant of Acme Books');
    });
  });

  describe('a question', () => {
    it('answers with the matching sentence of a knowledge passage', async () => {
      expect(
        await textOf(
          request('What time does the shop open on Saturday?', {
            tools: ALL_TOOLS,
            knowledge: [HOURS],
          }),
        ),
      ).toBe(
        'On Saturday the shop opens at ten in the morning and closes at two in the afternoon.',
      );
    });

    it('answers from the results of a knowledge search', async () => {
      const results = {
        results: [{ title: HOURS.title, text: HOURS.text, score: HOURS.score }],
      };
      expect(
        await textOf(
          afterToolRequest(
            'knowledge_search',
            JSON.stringify(results),
            'When does the shop open on Saturday?',
          ),
        ),
      ).toBe(
        'On Saturday the shop opens at ten in the morning and closes at two in the afternoon.',
      );
    });

    it('says the search found nothing rather than guessing', async () => {
      expect(
        await textOf(
          afterToolRequest('knowledge_search', '{"results":[]}', 'When do you open on Saturday?'),
        ),
      ).toBe("I couldn't find that in our information.");
    });

    it('says it is automated and lists only the capabilities whose tools are offered', async () => {
      const text = await textOf(
        request('Can you tell me about the weather on Mars?', {
          tools: ['calculator', 'remember'],
        }),
      );

      expect(text).toBe(
        "I'm an automated assistant and I don't have an answer to that. I can answer questions from our " +
          'information or do calculations. Could you put it another way?',
      );
      expect(text).not.toContain('colleague');
    });

    it.each([
      [[], 'I can answer questions from our information.'],
      [
        ['transfer_to_human'],
        'I can answer questions from our information or connect you to a colleague.',
      ],
      [
        ALL_TOOLS,
        'I can answer questions from our information, do calculations or connect you to a colleague.',
      ],
    ])('with the tools %j offers: "%s"', async (offered, capabilities) => {
      const text = await textOf(
        request('Can you tell me about the weather on Mars?', { tools: offered }),
      );
      expect(text).toContain(capabilities);
    });

    it('does not answer from a passage that shares no words with the question', async () => {
      const text = await textOf(
        request('Can you tell me about the weather on Mars?', { knowledge: [HOURS] }),
      );
      expect(text).toMatch(/^I'm an automated assistant and I don't have an answer to that\./);
    });
  });

  describe('after other tools', () => {
    it.each([
      ['end_call', '{"ending":true}', 'Thank you for calling. Goodbye.'],
      ['transfer_to_human', '{"transferring":true}', "I'm connecting you with a colleague now"],
      ['transfer_to_human', '{"transferred":false}', 'connect you to +15550100200'],
      [
        'web_search',
        '{"results":[{"title":"Mars","snippet":"Mars is cold and dusty."}]}',
        'Here is what I found: Mars is cold and dusty.',
      ],
      ['web_search', '{"results":[]}', "I couldn't find anything about that."],
      ['some_future_tool', 'not even JSON', 'Done.'],
    ])('after %s returning %s it says "%s"', async (name, content, expected) => {
      expect(await textOf(afterToolRequest(name, content, 'Anything.'))).toContain(expected);
    });
  });

  describe('the utterances of the shared test call', () => {
    it.each([
      'Hello, I would like to check the status of my order please.',
      'My order number is four five seven two. It has not arrived yet.',
    ])('answers "%s" in words, calling no tool', async (utterance) => {
      const text = await textOf(request(utterance, { tools: ALL_TOOLS }));
      expect(text).toMatch(/automated assistant/);
    });

    it('takes "Thank you, that is all. Goodbye." as a goodbye', async () => {
      expect(
        await callOf(request('Thank you, that is all. Goodbye.', { tools: ALL_TOOLS })),
      ).toEqual({ name: 'end_call', args: { reason: 'the caller said goodbye' } });
    });
  });

  it('calls a tool with an id unique within the conversation', async () => {
    const first = await collect(sut.generate(request('Goodbye', { tools: ['end_call'] })));
    const later = await collect(
      sut.generate(
        request(
          [
            { role: 'user', content: 'Hello' },
            { role: 'assistant', content: 'Hello! How can I help?' },
            { role: 'user', content: 'Goodbye' },
          ],
          { tools: ['end_call'] },
        ),
      ),
    );
    const ids = [...first, ...later].map((event) =>
      event.type === 'tool_call' ? event.call.id : '',
    );
    expect(ids[0]).toMatch(/^local_end_call_/);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('answers the latest caller input, not an earlier one', async () => {
    const text = await textOf(
      request([
        { role: 'user', content: 'What is twelve times thirty four?' },
        { role: 'assistant', content: '12 times 34 is 408.' },
        { role: 'user', content: 'Hello' },
      ]),
    );
    expect(text.startsWith('Hello! ')).toBe(true);
  });
});

describe(answerFromKnowledge.name, () => {
  const sut = answerFromKnowledge;

  it('returns the sentence sharing most words with the question', () => {
    expect(sut('What time does the shop open on Saturday?', [HOURS])).toBe(
      'On Saturday the shop opens at ten in the morning and closes at two in the afternoon.',
    );
  });

  it('adds the next sentence to a short one, which is rarely a whole answer', () => {
    expect(
      sut('Do you deliver?', [
        passage('We deliver. Orders over fifty dollars ship free within the country.'),
      ]),
    ).toBe('We deliver. Orders over fifty dollars ship free within the country.');
  });

  it('counts words in the heading too', () => {
    const hit = { ...passage('Thirty days, with the receipt.'), heading: 'Returns policy' };
    expect(sut('What is your returns policy?', [hit])).toBe('Thirty days, with the receipt.');
  });

  it('prefers the better-scored passage when the overlap is the same', () => {
    const weaker = passage('Parking is free behind the shop for all customers today.', 0.3, 'A');
    const stronger = passage('Parking costs two dollars an hour at the front entrance.', 0.8, 'B');
    expect(sut('Where is parking?', [weaker, stronger])).toBe(stronger.text);
  });

  it('ignores passages scored below the relevance threshold', () => {
    expect(
      sut('What time does the shop open on Saturday?', [{ ...HOURS, score: 0.1 }]),
    ).toBeUndefined();
  });

  it('gives nothing for a question made only of stop words', () => {
    expect(sut('What is it?', [HOURS])).toBeUndefined();
  });

  it('gives nothing without passages', () => {
    expect(sut('What time does the shop open on Saturday?', [])).toBeUndefined();
  });
});

describe(detectIntent.name, () => {
  const sut = detectIntent;

  it.each([
    ['Goodbye', 'goodbye'],
    ['bye bye', 'goodbye'],
    ["No thanks, that's it", 'goodbye'],
    ['Have a nice day', 'goodbye'],
    ['Thank you, that is all. Goodbye.', 'goodbye'],
    ['Can I talk to a human?', 'human'],
    ['Please transfer me to your manager', 'human'],
    ['I want a real person', 'human'],
    ['Operator!', 'human'],
    ['What is twelve times thirty four?', 'arithmetic'],
    ['What do you know about me?', 'recall'],
    ['My name is Ada', 'remember'],
    ['Please remember that my dog is called Rex', 'remember'],
    ['I prefer to be called in the morning', 'remember'],
    ['Hello', 'greeting'],
    ['Good morning there!', 'greeting'],
    ['Hello, I would like to check the status of my order please.', 'question'],
    ['My order number is four five seven two. It has not arrived yet.', 'question'],
    ['What time do you open?', 'question'],
    ['I want to speak to a human agent right now.', 'human'],
    // Words that look like intents but are not requests.
    ["I can't remember my order number.", 'question'],
    ['I got a note from the courier saying it was delivered.', 'question'],
    ['My name is not important, where is my parcel?', 'question'],
    ['Can you get me the staff discount?', 'question'],
    ['I want to transfer money to someone else.', 'question'],
    ['', 'question'],
  ])('reads "%s" as %s', (text, kind) => {
    expect(sut(text).kind).toBe(kind);
  });

  it('lets a request for a person win over a goodbye said in the same breath', () => {
    expect(sut('Goodbye robot, let me talk to a real person')).toEqual({
      kind: 'human',
      reason: 'the caller asked for a person',
    });
  });

  it('lets a goodbye win over arithmetic', () => {
    expect(sut('What is two plus two? Bye!').kind).toBe('goodbye');
  });

  it('extracts the expression', () => {
    expect(sut('What is twelve times thirty four?')).toEqual({
      kind: 'arithmetic',
      expression: '12 * 34',
    });
  });

  it.each([
    ['my name is ada lovelace', "The caller's name is Ada Lovelace."],
    ['Hi, my name is Ada and I need help', "The caller's name is Ada."],
  ])('turns "%s" into the fact "%s"', (text, content) => {
    expect(sut(text)).toEqual({ kind: 'remember', content, memoryKind: 'fact' });
  });

  it('turns "remember that..." into a fact in its own words', () => {
    expect(sut('Please remember that my dog is called Rex!')).toEqual({
      kind: 'remember',
      content: 'The caller said: My dog is called Rex.',
      memoryKind: 'fact',
    });
  });

  it('turns a stated preference into a preference', () => {
    expect(sut('I prefer email over phone calls.')).toEqual({
      kind: 'remember',
      content: 'The caller prefers email over phone calls.',
      memoryKind: 'preference',
    });
  });
});
