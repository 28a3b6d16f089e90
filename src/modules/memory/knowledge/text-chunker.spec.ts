import { chunkDocument, estimateTokens, TextChunk } from './text-chunker';

/** Distinct, numbered sentences of 50 to 60 characters (13 to 15 tokens). */
function facts(count: number, topic = 'clinic'): string[] {
  return Array.from(
    { length: count },
    (_, i) => `Fact ${i + 1} about the ${topic} is that it opens on day ${i + 1}.`,
  );
}

function texts(chunks: readonly TextChunk[]): string[] {
  return chunks.map((chunk) => chunk.text);
}

/** Longest start of `next` that is also the end of `previous`, cut at a space so words stay whole. */
function overlapBetween(previous: string, next: string): string {
  for (let length = Math.min(previous.length, next.length); length > 0; length--) {
    const candidate = next.slice(0, length);
    if (previous.endsWith(candidate) && (length === next.length || /\s/.test(next[length]))) {
      return candidate;
    }
  }
  return '';
}

function expectValidChunks(chunks: readonly TextChunk[], maxTokens: number): void {
  chunks.forEach((chunk, i) => {
    expect(chunk.index).toBe(i);
    expect(chunk.text).toBe(chunk.text.trim());
    expect(chunk.text).not.toBe('');
    expect(chunk.tokenEstimate).toBe(estimateTokens(chunk.text));
    expect(chunk.tokenEstimate).toBeLessThanOrEqual(maxTokens);
  });
}

describe(estimateTokens.name, () => {
  it('counts four characters per token, rounding up', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('abcde')).toBe(2);
    expect(estimateTokens('x'.repeat(800))).toBe(200);
  });
});

describe(chunkDocument.name, () => {
  describe('plain text', () => {
    it('keeps a short text in one chunk', () => {
      const sut = chunkDocument('We are open from 9am to 5pm. Call us any time!', {
        format: 'text',
      });
      expect(sut).toEqual([
        { index: 0, text: 'We are open from 9am to 5pm. Call us any time!', tokenEstimate: 12 },
      ]);
    });

    it.each(['', '   ', '\n\n\t\r\n  \n'])('returns no chunks for %j', (content) => {
      expect(chunkDocument(content, { format: 'text' })).toEqual([]);
      expect(chunkDocument(content, { format: 'markdown' })).toEqual([]);
    });

    it('normalises line endings, tabs and runs of spaces, keeping paragraphs apart', () => {
      const sut = chunkDocument(
        '\uFEFFLine one\r\nstill\tone.  \r\n \r\n\r\nSecond    paragraph.\rEnd.',
        {
          format: 'text',
        },
      );
      expect(texts(sut)).toEqual(['Line one still one.\nSecond paragraph. End.']);
    });

    it('leaves markdown syntax alone', () => {
      const sut = chunkDocument('# Not a heading\n\nSome **bold** [link](x).', { format: 'text' });
      expect(texts(sut)).toEqual(['# Not a heading\nSome **bold** [link](x).']);
      expect(sut[0].heading).toBeUndefined();
    });

    it('packs whole sentences and repeats the last ones that fit the overlap budget', () => {
      // 40 characters per chunk, 16 of overlap: "Four five six." (14) is repeated, "Seven eight nine." (17) is not.
      const sut = chunkDocument('One two three. Four five six. Seven eight nine. Ten eleven.', {
        format: 'text',
        maxTokens: 10,
        overlapTokens: 4,
      });
      expect(texts(sut)).toEqual([
        'One two three. Four five six.',
        'Four five six. Seven eight nine.',
        'Ten eleven.',
      ]);
    });

    it('splits a long text into chunks within the budget that overlap and lose nothing', () => {
      const sentences = facts(40);
      const sut = chunkDocument(sentences.join(' '), {
        format: 'text',
        maxTokens: 60,
        overlapTokens: 20,
      });

      expect(sut.length).toBeGreaterThan(5);
      expectValidChunks(sut, 60);
      for (const sentence of sentences) {
        expect(sut.some((chunk) => chunk.text.includes(sentence))).toBe(true);
      }
      for (let i = 1; i < sut.length; i++) {
        const overlap = overlapBetween(sut[i - 1].text, sut[i].text);
        // Exactly one whole sentence (13 to 15 tokens) fits in 20 tokens of overlap.
        expect(sentences).toContain(overlap);
        expect(estimateTokens(overlap)).toBeLessThanOrEqual(20);
        expect(sut[i - 1].text).not.toContain(sut[i].text);
        expect(sut[i].text).not.toContain(sut[i - 1].text);
      }
    });

    it('uses 200 tokens with 40 of overlap by default', () => {
      const sentences = facts(60);
      const sut = chunkDocument(sentences.join(' '), { format: 'text' });

      expect(sut.length).toBeGreaterThan(3);
      expectValidChunks(sut, 200);
      // A full chunk holds 13 sentences of at most 60 characters (plus spaces) within 800 characters.
      expect(sut[0].tokenEstimate).toBeGreaterThan(180);
      for (let i = 1; i < sut.length; i++) {
        const overlap = overlapBetween(sut[i - 1].text, sut[i].text);
        expect(overlap).not.toBe('');
        expect(estimateTokens(overlap)).toBeLessThanOrEqual(40);
      }
    });

    it('adds no overlap when it is 0', () => {
      const sentences = facts(20);
      const sut = chunkDocument(sentences.join(' '), {
        format: 'text',
        maxTokens: 50,
        overlapTokens: 0,
      });
      expect(sut.map((chunk) => chunk.text).join(' ')).toBe(sentences.join(' '));
    });

    it('splits a sentence longer than a chunk on word boundaries, with overlapping words', () => {
      const words = Array.from({ length: 300 }, (_, i) => `word${i}`);
      const sut = chunkDocument(`Intro. ${words.join(' ')}. Outro.`, {
        format: 'text',
        maxTokens: 50,
        overlapTokens: 10,
      });

      expectValidChunks(sut, 50);
      // Each chunk is a run of consecutive whole words of the input.
      const all = ['Intro.', ...words.slice(0, -1), `${words[299]}.`, 'Outro.'];
      const runs = sut.map((chunk) => {
        const chunkWords = chunk.text.split(' ');
        const start = all.indexOf(chunkWords[0]);
        expect(start).toBeGreaterThanOrEqual(0);
        expect(all.slice(start, start + chunkWords.length)).toEqual(chunkWords);
        return { start, end: start + chunkWords.length };
      });
      expect(runs[0].start).toBe(0);
      expect(runs[runs.length - 1].end).toBe(all.length);
      for (let i = 1; i < runs.length; i++) {
        // Overlapping by at least one word and at most 10 tokens (40 characters).
        expect(runs[i].start).toBeLessThan(runs[i - 1].end);
        const overlap = all.slice(runs[i].start, runs[i - 1].end).join(' ');
        expect(estimateTokens(overlap)).toBeLessThanOrEqual(10);
      }
    });

    it('slices a single word longer than a chunk without adding spaces', () => {
      const word = 'x'.repeat(450);
      const sut = chunkDocument(`${word} end.`, {
        format: 'text',
        maxTokens: 50,
        overlapTokens: 10,
      });
      expect(texts(sut)).toEqual(['x'.repeat(200), 'x'.repeat(200), `${'x'.repeat(50)} end.`]);
      expectValidChunks(sut, 50);
    });

    it('does not end sentences at abbreviations, initials or decimals', () => {
      // Each sentence is 44 to 48 characters, a chunk holds 48: a wrong split would show as "Yes. Ask for Dr."
      const sentences = [
        'Ask for Dr. Smith at the front desk, please.',
        'Whitening costs 3.5 percent more than before.',
        'Bring an ID, e.g. Passport or driving licence.',
        'Prices rose approx. five percent over the year.',
        'Our founder J. R. Miller still treats patients.',
        'The hygienist works in room No. 4 on level two.',
      ];
      const content = sentences.map((sentence) => `Yes. ${sentence}`).join(' ');
      const sut = chunkDocument(content, { format: 'text', maxTokens: 12, overlapTokens: 0 });
      expect(texts(sut)).toEqual(sentences.flatMap((sentence) => ['Yes.', sentence]));
    });

    it('ends a sentence at "No." when no number follows', () => {
      const sut = chunkDocument('Do you park cars? No. Our street parking is free all day long.', {
        format: 'text',
        maxTokens: 11,
        overlapTokens: 0,
      });
      expect(texts(sut)).toEqual([
        'Do you park cars? No.',
        'Our street parking is free all day long.',
      ]);
    });

    it('ends sentences at question and exclamation marks and after closing quotes', () => {
      const sut = chunkDocument(
        'Is the clinic open today? Yes, it certainly is! He said “Come in at nine.” Then he left.',
        { format: 'text', maxTokens: 8, overlapTokens: 0 },
      );
      expect(texts(sut)).toEqual([
        'Is the clinic open today?',
        'Yes, it certainly is!',
        'He said “Come in at nine.”',
        'Then he left.',
      ]);
    });

    it.each([
      { maxTokens: 0 },
      { maxTokens: 1.5 },
      { maxTokens: 10, overlapTokens: -1 },
      { maxTokens: 10, overlapTokens: 10 },
      { maxTokens: 10, overlapTokens: 2.5 },
    ])('rejects %p', (options) => {
      expect(() => chunkDocument('Hello.', { format: 'text', ...options })).toThrow(RangeError);
    });
  });

  describe('markdown', () => {
    it('strips formatting so chunks read as plain text', () => {
      const sut = chunkDocument(
        [
          'Welcome to **Smile _Dental_**. We are *very* __friendly__ and ~~slow~~ quick.',
          'Call <b>now</b>, see <https://example.com> or [our page](https://example.com/a_(b) "Title").',
          '![logo](logo.png) Fees in `snake_case` stay: 2 * 3 = 6 and file_name_here &amp; \\*stars\\*.',
          '',
          '> Quoted text',
          '> goes on.',
          '',
          '- First item',
          '* Second item with *emphasis*',
          '  continued here',
          '1. Numbered',
          '2) Also [numbered][ref]',
          '- [x] Done task',
          '',
          '| Plan | Price |',
          '| :--- | ---: |',
          '| **Basic** | 10 € |',
          '| Gold \\| Plus | 20 € |',
          '',
          '```js',
          'const total = a * b * c; // **not bold** [x](y)',
          '',
          '    return total;',
          '```',
          '',
          '<!-- an editor note',
          'spanning lines -->',
          'After the comment.<br>Next line<!-- inline --> here.',
          '',
          '***',
          '',
          '[ref]: https://example.com/ref',
          '',
          'Footnoted claim[^1].',
          '',
          '[^1]: The footnote text.',
        ].join('\n'),
        { format: 'markdown' },
      );
      expect(texts(sut)).toEqual([
        [
          // Lines without a blank line between them are one paragraph.
          'Welcome to Smile Dental. We are very friendly and slow quick. Call now, see https://example.com ' +
            'or our page. Fees in snake_case stay: 2 * 3 = 6 and file_name_here & *stars*.',
          'Quoted text goes on.',
          'First item',
          'Second item with emphasis continued here',
          'Numbered',
          'Also numbered',
          'Done task',
          'Plan | Price',
          'Basic | 10 €',
          'Gold | Plus | 20 €',
          'const total = a * b * c; // **not bold** [x](y)',
          'return total;',
          'After the comment. Next line here.',
          'Footnoted claim.',
          'The footnote text.',
        ].join('\n'),
      ]);
      expect(sut[0].heading).toBeUndefined();
    });

    it('tracks the heading path and starts a chunk at every heading', () => {
      const sut = chunkDocument(
        [
          'Intro before any heading.',
          '# Billing',
          'We accept cards.',
          '## **Refunds** & [returns](/returns) ##',
          'Refunds take five days.',
          '### Deep',
          'Deep text.',
          '## Invoices',
          'Invoices are emailed.',
          '',
          // A setext underline makes a heading of the whole paragraph above it, hence the blank lines.
          'Hours',
          '=====',
          'Open daily.',
          '',
          'Weekends',
          '--------',
          'Closed on Sunday.',
          '#### Skipped levels',
          'Still nested.',
          '```',
          '# not a heading inside code',
          '```',
        ].join('\n'),
        { format: 'markdown' },
      );
      expect(sut).toEqual([
        { index: 0, text: 'Intro before any heading.', tokenEstimate: 7 },
        { index: 1, text: 'We accept cards.', heading: 'Billing', tokenEstimate: 4 },
        {
          index: 2,
          text: 'Refunds take five days.',
          heading: 'Billing > Refunds & returns',
          tokenEstimate: 6,
        },
        {
          index: 3,
          text: 'Deep text.',
          heading: 'Billing > Refunds & returns > Deep',
          tokenEstimate: 3,
        },
        {
          index: 4,
          text: 'Invoices are emailed.',
          heading: 'Billing > Invoices',
          tokenEstimate: 6,
        },
        { index: 5, text: 'Open daily.', heading: 'Hours', tokenEstimate: 3 },
        { index: 6, text: 'Closed on Sunday.', heading: 'Hours > Weekends', tokenEstimate: 5 },
        {
          index: 7,
          text: 'Still nested.\n# not a heading inside code',
          heading: 'Hours > Weekends > Skipped levels',
          tokenEstimate: 11,
        },
      ]);
    });

    it('never mixes sections, not even through overlap', () => {
      const billing = facts(12, 'billing desk');
      const hours = facts(12, 'opening hours');
      const content = `# Billing\n\n${billing.join(' ')}\n\n# Hours\n\n${hours.join(' ')}`;
      const sut = chunkDocument(content, { format: 'markdown', maxTokens: 60, overlapTokens: 20 });

      expectValidChunks(sut, 60);
      const headings = sut.map((chunk) => chunk.heading);
      const firstHours = headings.indexOf('Hours');
      expect(firstHours).toBeGreaterThan(1);
      expect(headings.slice(0, firstHours).every((heading) => heading === 'Billing')).toBe(true);
      expect(headings.slice(firstHours).every((heading) => heading === 'Hours')).toBe(true);
      for (const chunk of sut) {
        expect(chunk.text.includes('billing desk') && chunk.text.includes('opening hours')).toBe(
          false,
        );
      }
      expect(sut[firstHours].text.startsWith(hours[0])).toBe(true);
      for (const sentence of [...billing, ...hours]) {
        expect(sut.some((chunk) => chunk.text.includes(sentence))).toBe(true);
      }
    });

    it('keeps fenced code inside list items and blockquotes, and reads a rule under a list as a rule', () => {
      const sut = chunkDocument(
        [
          '1. Run this:',
          '    ~~~sh',
          '    curl -X POST /calls',
          '    ~~~',
          '- Item',
          '---',
          '> ```',
          '> # quoted code',
          '> ```',
          '',
          'A pipe | in prose is not a table.',
          '',
          '```',
          'unclosed *code*',
        ].join('\n'),
        { format: 'markdown' },
      );
      expect(sut).toEqual([
        {
          index: 0,
          text: [
            'Run this:',
            'curl -X POST /calls',
            'Item',
            '# quoted code',
            'A pipe | in prose is not a table.',
            'unclosed *code*',
          ].join('\n'),
          tokenEstimate: 25,
        },
      ]);
    });

    it('keeps sections with the same heading apart', () => {
      const sut = chunkDocument('# FAQ\n\nFirst.\n\n# Other\n\nMiddle.\n\n# FAQ\n\nSecond.', {
        format: 'markdown',
      });
      expect(sut.map((chunk) => [chunk.heading, chunk.text])).toEqual([
        ['FAQ', 'First.'],
        ['Other', 'Middle.'],
        ['FAQ', 'Second.'],
      ]);
    });

    it('returns no chunks for a document of headings, rules, images and comments only', () => {
      const content = '# Title\n\n## Section\n\n---\n\n![diagram](d.png)\n\n<!-- todo -->\n';
      expect(chunkDocument(content, { format: 'markdown' })).toEqual([]);
    });
  });
});
