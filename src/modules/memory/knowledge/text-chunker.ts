/** One retrievable passage of a knowledge-base document. */
export interface TextChunk {
  /** Position in the document, contiguous from 0. */
  index: number;
  /** Plain text: markdown formatting stripped, paragraphs separated by a line break. */
  text: string;
  /**
   * Heading path of the section the chunk comes from (`Billing > Refunds`); the headings are not repeated in
   * `text`, so prepend it when embedding if the section title matters for retrieval.
   */
  heading?: string;
  tokenEstimate: number;
}

export interface ChunkOptions {
  format: 'text' | 'markdown';
  /** Upper bound of every chunk's `tokenEstimate`. */
  maxTokens?: number;
  /** Budget for the whole sentences a chunk repeats from the end of the previous one. */
  overlapTokens?: number;
}

const DEFAULT_MAX_TOKENS = 200;
const DEFAULT_OVERLAP_TOKENS = 40;
const CHARS_PER_TOKEN = 4;

/** Rough token count (4 characters each): close enough for budgets, and the same for every model. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/**
 * Cuts a document into overlapping passages of at most `maxTokens`, packed from whole sentences. A markdown
 * heading always starts a new chunk, so a chunk never mixes two sections.
 */
export function chunkDocument(content: string, options: ChunkOptions): TextChunk[] {
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  const overlapTokens = options.overlapTokens ?? DEFAULT_OVERLAP_TOKENS;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new RangeError(`maxTokens must be a positive integer, got ${maxTokens}`);
  }
  if (!Number.isInteger(overlapTokens) || overlapTokens < 0 || overlapTokens >= maxTokens) {
    throw new RangeError(
      `overlapTokens must be an integer from 0 to maxTokens - 1, got ${overlapTokens}`,
    );
  }
  const normalized = content.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const sections =
    options.format === 'markdown' ? parseMarkdown(normalized) : [parsePlainText(normalized)];

  const chunks: TextChunk[] = [];
  for (const section of sections) {
    const units = section.paragraphs.flatMap((paragraph) => toUnits(paragraph, maxTokens));
    for (const text of pack(units, maxTokens, overlapTokens)) {
      chunks.push({
        index: chunks.length,
        text,
        ...(section.heading ? { heading: section.heading } : {}),
        tokenEstimate: estimateTokens(text),
      });
    }
  }
  return chunks;
}

interface Section {
  heading?: string;
  /** Whitespace-normalised, non-empty. */
  paragraphs: string[];
}

/** A sentence, or a word of one too long for a chunk; the packer never cuts a unit. */
interface Unit {
  text: string;
  /** Joined to the unit before it with a line break instead of a space. */
  startsParagraph: boolean;
}

function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function parsePlainText(content: string): Section {
  // Single line breaks are usually hard wrapping, so only blank lines separate paragraphs.
  const paragraphs = content
    .split(/\n\s*\n/)
    .map(collapseWhitespace)
    .filter(Boolean);
  return { paragraphs };
}

// --- Sentences and packing ---

// Abbreviations after which a full stop does not end the sentence even before a capital ("Dr. Smith").
// Others ("approx. five") are caught by the lower-case rule below; "etc." often does end a sentence.
const ABBREVIATIONS: ReadonlySet<string> = new Set(
  'mr mrs ms dr prof sr jr st mt vs fig e.g i.e cf approx ca'.split(' '),
);
// Only before a number ("No. 5"): otherwise "No." is far more often a whole answer.
const NUMBER_ABBREVIATIONS: ReadonlySet<string> = new Set(['no', 'nr', 'nos']);

// Terminal punctuation, closing quotes or brackets, then whitespace: "3.5" or "example.com" never match.
const SENTENCE_END = /[.!?…]+["'”’)\]]*\s+/g;

function splitSentences(paragraph: string): string[] {
  const sentences: string[] = [];
  let start = 0;
  for (const match of paragraph.matchAll(SENTENCE_END)) {
    const next = match.index + match[0].length;
    if (
      next < paragraph.length &&
      isSentenceEnd(paragraph, match.index, match[0].trimEnd(), next)
    ) {
      sentences.push(paragraph.slice(start, next).trim());
      start = next;
    }
  }
  sentences.push(paragraph.slice(start).trim());
  return sentences.filter(Boolean);
}

function isSentenceEnd(paragraph: string, at: number, punctuation: string, next: number): boolean {
  // A sentence starting in lower case is far rarer than an abbreviation we do not know ("approx. five").
  if (/\p{Ll}/u.test(paragraph[next])) return false;
  if (punctuation !== '.') return true;
  const word = (/[\p{L}.]+$/u.exec(paragraph.slice(0, at))?.[0] ?? '').toLowerCase();
  if (ABBREVIATIONS.has(word)) return false;
  if (NUMBER_ABBREVIATIONS.has(word) && /\p{N}/u.test(paragraph[next])) return false;
  // A single letter is an initial ("J. Smith"); a sentence ending in a lone letter ("plan A.") is rarer.
  return !/^\p{L}$/u.test(word);
}

/** Sentences of a paragraph; a sentence longer than a chunk becomes its words, a too-long word its slices. */
function toUnits(paragraph: string, maxTokens: number): Unit[] {
  const maxChars = maxTokens * CHARS_PER_TOKEN;
  const units: Unit[] = [];
  for (const sentence of splitSentences(paragraph)) {
    const pieces =
      sentence.length <= maxChars
        ? [sentence]
        : sentence.split(' ').flatMap((word) => sliceWord(word, maxChars));
    for (const piece of pieces) {
      units.push({ text: piece, startsParagraph: units.length === 0 });
    }
  }
  return units;
}

function sliceWord(word: string, maxChars: number): string[] {
  if (word.length <= maxChars) return [word];
  // A full slice fills a chunk on its own, so slices are never joined back with a space that was not there.
  const slices: string[] = [];
  for (let i = 0; i < word.length; i += maxChars) slices.push(word.slice(i, i + maxChars));
  return slices;
}

/** Every separator between units is one character (space or line break). */
function joinedLength(units: readonly Unit[]): number {
  return units.reduce((sum, unit) => sum + unit.text.length, Math.max(units.length - 1, 0));
}

function join(units: readonly Unit[]): string {
  return units
    .map((unit, i) => (i === 0 ? '' : unit.startsParagraph ? '\n' : ' ') + unit.text)
    .join('');
}

/**
 * Greedy packing: units are added until the next one would exceed `maxTokens`; the next chunk then starts
 * with the previous chunk's last units that fit in `overlapTokens`, so a passage cut at a chunk boundary is
 * still found with its context. Overlap is whole units only: when the last sentence is longer than the budget,
 * the next chunk starts without overlap rather than mid-sentence (inside a sentence split into words, the
 * overlap is words).
 */
function pack(units: readonly Unit[], maxTokens: number, overlapTokens: number): string[] {
  const maxChars = maxTokens * CHARS_PER_TOKEN;
  const overlapChars = overlapTokens * CHARS_PER_TOKEN;
  const chunks: string[] = [];
  let current: Unit[] = [];
  let length = 0;
  for (const unit of units) {
    if (current.length > 0 && length + 1 + unit.text.length > maxChars) {
      chunks.push(join(current));
      current = overlapOf(current, overlapChars);
      // The overlap yields to new content: a chunk must always fit and always bring something new.
      while (current.length > 0 && joinedLength(current) + 1 + unit.text.length > maxChars) {
        current.shift();
      }
      length = joinedLength(current);
    }
    length += (current.length > 0 ? 1 : 0) + unit.text.length;
    current.push(unit);
  }
  if (current.length > 0) chunks.push(join(current));
  return chunks;
}

function overlapOf(chunk: readonly Unit[], overlapChars: number): Unit[] {
  let count = 0;
  // Never the whole chunk: the next one would then contain it entirely.
  while (count < chunk.length - 1 && joinedLength(chunk.slice(-(count + 1))) <= overlapChars) {
    count++;
  }
  return count === 0 ? [] : chunk.slice(-count);
}

// --- Markdown ---

// Any indentation: fences inside list items are indented, and indented code blocks are not recognised anyway.
const FENCE = /^[ \t]*(`{3,}|~{3,})(.*)$/;
const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const LIST_MARKER = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?/;
const BLOCKQUOTE = /^[ \t]*(?:>[ \t]?)+/;
const LINK_DEFINITION = /^ {0,3}\[(?!\^)[^\]]+\]:[ \t]*\S+/;
const FOOTNOTE_DEFINITION = /^ {0,3}\[\^[^\]]+\]:[ \t]*/;
const TABLE_DELIMITER_ROW = /^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const UNESCAPED_PIPE = /(?<!\\)\|/;

/**
 * Line-based reading of the common markdown constructs, good enough for knowledge-base articles: the goal is
 * text that reads naturally when spoken or embedded, not a faithful render.
 */
function parseMarkdown(content: string): Section[] {
  const sections: Section[] = [{ paragraphs: [] }];
  const headings: { level: number; text: string }[] = [];
  let section = sections[0];
  let paragraph: string[] = [];
  let paragraphIsText = false;
  let fence: { marker: string; quoted: boolean } | undefined;
  let inComment = false;
  let inTable = false;

  const flush = (): void => {
    const text = collapseWhitespace(paragraph.join(' '));
    if (text) section.paragraphs.push(text);
    paragraph = [];
    paragraphIsText = false;
  };
  const startSection = (level: number, text: string): void => {
    flush();
    while (headings.length > 0 && headings[headings.length - 1].level >= level) headings.pop();
    if (text) headings.push({ level, text });
    const heading = headings.map((entry) => entry.text).join(' > ');
    section = { ...(heading ? { heading } : {}), paragraphs: [] };
    sections.push(section);
  };

  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (fence) {
      const line = fence.quoted ? lines[i].replace(BLOCKQUOTE, '') : lines[i];
      const close = FENCE.exec(line);
      if (close && close[1][0] === fence.marker[0] && close[1].length >= fence.marker.length) {
        if (!close[2].trim()) {
          fence = undefined;
          continue;
        }
      }
      // Each code line is its own paragraph, so the line structure survives whitespace normalisation.
      const code = collapseWhitespace(line);
      if (code) section.paragraphs.push(code);
      continue;
    }

    const uncommented = stripHtmlComments(lines[i], inComment);
    inComment = uncommented.inComment;
    const quoted = BLOCKQUOTE.test(uncommented.line);
    let line = uncommented.line.replace(BLOCKQUOTE, '');

    const open = FENCE.exec(line);
    if (open && !(open[1][0] === '`' && open[2].includes('`'))) {
      flush();
      fence = { marker: open[1], quoted };
      continue;
    }
    if (!line.trim()) {
      // A line holding only a comment is not a blank line: it must not split the paragraph around it.
      if (!lines[i].trim() || quoted) {
        flush();
        inTable = false;
      }
      continue;
    }

    const atx = ATX_HEADING.exec(line);
    if (atx) {
      startSection(atx[1].length, stripInline(atx[2] ?? ''));
      continue;
    }
    const underline = SETEXT_UNDERLINE.exec(line);
    if (underline && paragraphIsText && paragraph.length > 0) {
      const text = collapseWhitespace(paragraph.join(' '));
      paragraph = [];
      startSection(underline[1].startsWith('=') ? 1 : 2, text);
      continue;
    }
    if (THEMATIC_BREAK.test(line)) {
      flush();
      continue;
    }
    if (LINK_DEFINITION.test(line)) continue;

    if (UNESCAPED_PIPE.test(line)) {
      if (inTable && TABLE_DELIMITER_ROW.test(line)) continue;
      const next = (lines[i + 1] ?? '').replace(BLOCKQUOTE, '');
      if (inTable || (TABLE_DELIMITER_ROW.test(next) && next.includes('|'))) {
        flush();
        inTable = true;
        // One row per paragraph, so each reads as its own line.
        const row = tableCells(line).join(' | ');
        if (row) section.paragraphs.push(row);
        continue;
      }
    }
    inTable = false;

    const marker = FOOTNOTE_DEFINITION.exec(line) ?? LIST_MARKER.exec(line);
    if (marker) {
      // Every list item or footnote is a paragraph of its own: items read as separate lines.
      flush();
      line = line.slice(marker[0].length);
    } else if (paragraph.length === 0) {
      paragraphIsText = true;
    }
    const text = stripInline(line);
    if (text.trim()) paragraph.push(text);
  }
  flush();
  return sections.filter((entry) => entry.paragraphs.length > 0);
}

function stripHtmlComments(line: string, inComment: boolean): { line: string; inComment: boolean } {
  let rest = line;
  let kept = '';
  for (;;) {
    if (inComment) {
      const end = rest.indexOf('-->');
      if (end < 0) return { line: kept, inComment: true };
      rest = rest.slice(end + 3);
      inComment = false;
    }
    const start = rest.indexOf('<!--');
    if (start < 0) return { line: kept + rest, inComment: false };
    kept += rest.slice(0, start);
    rest = rest.slice(start + 4);
    inComment = true;
  }
}

function tableCells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
    .split(UNESCAPED_PIPE)
    .map((cell) => collapseWhitespace(stripInline(cell)))
    .filter(Boolean);
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** Inline markdown to plain text: code spans and escaped characters are kept literally. */
function stripInline(text: string): string {
  const kept: string[] = [];
  // Placeholders hide literal text from the formatting rules and survive them unchanged.
  const keep = (literal: string): string => `\uE000${kept.push(literal) - 1}\uE001`;
  const stripped = text
    .replace(/(`+)(.+?)\1(?!`)/g, (_, _ticks: string, code: string) => keep(code.trim()))
    .replace(/\\([!-/:-@[-`{-~])/g, (_, char: string) => keep(char))
    .replace(/<((?:https?|ftp|mailto):[^>\s]+)>/gi, '$1')
    .replace(/<([^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)>/g, '$1')
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<\/?[a-zA-Z][\w:-]*(?:\s[^<>]*)?\/?>/g, '')
    .replace(/!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])/g, '')
    .replace(/\[\^[^\]]+\]/g, '')
    .replace(/\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)/g, '$1')
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1')
    .replace(/(\*\*|__)(?=\S)(.*?\S)\1/g, '$2')
    .replace(/~~(?=\S)(.*?\S)~~/g, '$1')
    .replace(/\*(?=\S)(.*?\S)\*/g, '$1')
    // Only word-bounded underscores are emphasis: snake_case names stay intact.
    .replace(/(^|[^\p{L}\p{N}_])_(?=\S)(.*?\S)_(?![\p{L}\p{N}_])/gu, '$1$2')
    .replace(/&(?:#(\d+)|#x([0-9a-f]+)|([a-z]+));/gi, decodeEntity);
  return stripped.replace(
    /\uE000(\d+)\uE001/g,
    (placeholder, i: string) => kept[Number(i)] ?? placeholder,
  );
}

function decodeEntity(
  entity: string,
  decimal: string | undefined,
  hex: string | undefined,
  name: string | undefined,
): string {
  if (decimal ?? hex) {
    const codePoint = decimal ? Number(decimal) : parseInt(hex ?? '', 16);
    return codePoint > 0 && codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : entity;
  }
  return ENTITIES[(name ?? '').toLowerCase()] ?? entity;
}
