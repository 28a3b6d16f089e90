// A sentence ends at . ! ? (or a line break) followed by whitespace; "Dr. Smith" style abbreviations are rare
// enough on the phone that a short minimum length handles them.
const BOUNDARY = /([.!?]+["')\]]?)\s+|\n+/;
const MIN_SENTENCE_CHARS = 12;

/** Cuts streamed text into sentences, so speech of the first can start while the rest is generated. */
export class SentenceSplitter {
  private buffer = '';

  /** Adds a text delta; returns the sentences it completed. */
  push(delta: string): string[] {
    this.buffer += delta;
    const sentences: string[] = [];
    let match: RegExpExecArray | null;
    let searchFrom = 0;
    while ((match = BOUNDARY.exec(this.buffer.slice(searchFrom))) !== null) {
      const end = searchFrom + match.index + (match[1]?.length ?? 0);
      const candidate = this.buffer.slice(0, end).trim();
      const next = searchFrom + match.index + match[0].length;
      if (candidate.length >= MIN_SENTENCE_CHARS) {
        sentences.push(candidate);
        this.buffer = this.buffer.slice(next);
        searchFrom = 0;
      } else {
        searchFrom = next;
      }
    }
    return sentences;
  }

  /** What is left when the text ends. */
  flush(): string | undefined {
    const rest = this.buffer.trim();
    this.buffer = '';
    return rest || undefined;
  }
}
