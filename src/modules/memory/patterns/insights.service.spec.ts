import type { EmbeddingSpace } from '../embeddings/embeddings';
import { LocalHashingEmbeddings } from '../embeddings/local-hashing-embeddings';
import { InsightsService, patternSignature, wilsonLowerBound } from './insights.service';
import type { LearnedPatternsRepository, PatternRow } from './learned-patterns.repository';

/** Stands in for the database: returns fixed rows and records what it was asked. */
class FakePatterns {
  readonly asked: {
    organizationId: string;
    callType: string;
    context?: { vector: readonly number[]; space: EmbeddingSpace };
  }[] = [];

  constructor(private readonly rows: PatternRow[]) {}

  list(
    organizationId: string,
    callType: string,
    context?: { vector: readonly number[]; space: EmbeddingSpace },
  ): Promise<PatternRow[]> {
    this.asked.push({ organizationId, callType, context });
    return Promise.resolve(this.rows);
  }
}

function row(
  persona: string,
  successCount: number,
  usageCount: number,
  similarity: number | null = null,
): PatternRow {
  return {
    id: `pattern-${persona}`,
    persona,
    tools: ['end_call', 'knowledge_search'],
    successCount,
    usageCount,
    successRate: usageCount === 0 ? 0 : successCount / usageCount,
    similarity,
  };
}

function service(rows: PatternRow[]): { sut: InsightsService; patterns: FakePatterns } {
  const patterns = new FakePatterns(rows);
  const sut = new InsightsService(
    patterns as unknown as LearnedPatternsRepository,
    new LocalHashingEmbeddings(),
  );
  return { sut, patterns };
}

describe(wilsonLowerBound.name, () => {
  const sut = wilsonLowerBound;

  it('is 0 without any data', () => {
    expect(sut(0, 0)).toBe(0);
  });

  it('is 0 when nothing succeeded', () => {
    expect(sut(0, 1)).toBe(0);
    expect(sut(0, 50)).toBe(0);
  });

  it.each([
    [5, 10, 0.2366],
    [9, 10, 0.5958],
    [10, 10, 0.7225],
    [90, 100, 0.8256],
    [1, 1, 0.2065],
  ])('is the 95%% Wilson lower bound: %i of %i gives %s', (successes, total, bound) => {
    expect(sut(successes, total)).toBeCloseTo(bound, 3);
  });

  it('rises with every further success out of the same total', () => {
    const bounds = Array.from({ length: 21 }, (_, successes) => sut(successes, 20));
    for (let i = 1; i < bounds.length; i++) {
      expect(bounds[i]).toBeGreaterThan(bounds[i - 1]);
    }
  });

  it('trusts a larger sample more at the same rate', () => {
    expect(sut(9, 10)).toBeLessThan(sut(90, 100));
    expect(sut(90, 100)).toBeLessThan(sut(900, 1000));
    expect(sut(3, 3)).toBeLessThan(sut(80, 100));
  });

  it('stays below the observed rate, and within 0..1', () => {
    for (const [successes, total] of [
      [1, 1],
      [3, 4],
      [50, 100],
      [999, 1000],
    ]) {
      const bound = sut(successes, total);
      expect(bound).toBeGreaterThanOrEqual(0);
      expect(bound).toBeLessThan(successes / total);
    }
  });
});

describe(patternSignature.name, () => {
  const sut = patternSignature;
  const persona = 'Patient and reassuring.';

  it('is a SHA-256 in hex', () => {
    expect(sut(persona, ['end_call'])).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on the order of the tools', () => {
    expect(sut(persona, ['remember', 'end_call', 'calculator'])).toBe(
      sut(persona, ['calculator', 'end_call', 'remember']),
    );
  });

  it('does not depend on whitespace around the persona', () => {
    expect(sut(`  ${persona}\n`, ['end_call'])).toBe(sut(persona, ['end_call']));
  });

  it('tells apart different personas and different tool sets', () => {
    const base = sut(persona, ['end_call', 'remember']);
    expect(sut('Brisk.', ['end_call', 'remember'])).not.toBe(base);
    expect(sut(persona, ['end_call'])).not.toBe(base);
    expect(sut(persona, ['end_call', 'remember', 'calculator'])).not.toBe(base);
    expect(sut(persona, [])).not.toBe(sut(persona, ['end_call']));
  });

  it('leaves the tools it was given in their order', () => {
    const tools = ['remember', 'end_call'];
    sut(persona, tools);
    expect(tools).toEqual(['remember', 'end_call']);
  });
});

describe(InsightsService.name, () => {
  describe('recommend', () => {
    it('answers from the rules while no pattern has been used three times', async () => {
      const { sut } = service([row('Tried twice', 2, 2), row('Tried once', 1, 1)]);

      const insight = await sut.recommend('org-1', 'support');

      expect(insight).toEqual({
        callType: 'support',
        basis: 'rules',
        recommendation: {
          persona:
            'Patient and reassuring; confirms the problem in the caller’s words before solving it.',
          tools: ['knowledge_search', 'remember', 'transfer_to_human', 'end_call'],
          confidence: 0.3,
          successRate: null,
          sampleSize: 0,
        },
        alternatives: [],
      });
    });

    it('falls back to the general rules for a call type it has none for', async () => {
      const { sut } = service([]);

      const insight = await sut.recommend('org-1', 'veterinary');

      expect(insight.callType).toBe('veterinary');
      expect(insight.basis).toBe('rules');
      expect(insight.recommendation.persona).toBe(
        'Friendly and brief; answers first, then offers more help.',
      );
    });

    it('ranks learned patterns by how surely they succeed, not by their raw rate', async () => {
      const { sut } = service([row('Perfect but new', 3, 3), row('Proven', 80, 100)]);

      const insight = await sut.recommend('org-1', 'support');

      expect(insight.basis).toBe('learned');
      expect(insight.recommendation).toEqual({
        persona: 'Proven',
        tools: ['end_call', 'knowledge_search'],
        confidence: Math.round(wilsonLowerBound(80, 100) * 1000) / 1000,
        successRate: 0.8,
        sampleSize: 100,
      });
      expect(insight.alternatives).toEqual([
        {
          persona: 'Perfect but new',
          tools: ['end_call', 'knowledge_search'],
          confidence: Math.round(wilsonLowerBound(3, 3) * 1000) / 1000,
          successRate: 1,
          sampleSize: 3,
        },
      ]);
    });

    it('lists up to three alternatives, best first, leaving out patterns with too few calls', async () => {
      const { sut } = service([
        row('Fourth', 30, 60),
        row('Best', 90, 100),
        row('Too new', 2, 2),
        row('Fifth', 10, 40),
        row('Second', 70, 100),
        row('Third', 50, 80),
      ]);

      const insight = await sut.recommend('org-1', 'sales');

      expect(insight.recommendation.persona).toBe('Best');
      expect(insight.alternatives.map((alternative) => alternative.persona)).toEqual([
        'Second',
        'Third',
        'Fourth',
      ]);
    });

    it('favours a pattern whose past calls resemble the context', async () => {
      const { sut } = service([row('Slightly better', 45, 50, 0.1), row('Similar', 42, 50, 0.9)]);

      const insight = await sut.recommend('org-1', 'support', 'my parcel has not arrived');

      expect(insight.recommendation.persona).toBe('Similar');
      // The nudge changes the order, not the confidence reported.
      expect(insight.recommendation.confidence).toBe(
        Math.round(wilsonLowerBound(42, 50) * 1000) / 1000,
      );
    });

    it('does not hold a dissimilar context against a pattern', async () => {
      const { sut } = service([row('Unlike', 45, 50, -0.8), row('Unknown', 44, 50, null)]);

      const insight = await sut.recommend('org-1', 'support', 'my parcel has not arrived');

      expect(insight.recommendation.persona).toBe('Unlike');
    });

    it("asks for the organization's patterns of the call type, with the context embedded", async () => {
      const { sut, patterns } = service([]);
      const embeddings = new LocalHashingEmbeddings();
      const [expected] = await embeddings.embed(['my parcel has not arrived']);

      await sut.recommend('org-1', 'support', 'my parcel has not arrived');
      await sut.recommend('org-2', 'sales');

      expect(patterns.asked).toEqual([
        {
          organizationId: 'org-1',
          callType: 'support',
          context: { vector: expected, space: embeddings.space },
        },
        { organizationId: 'org-2', callType: 'sales', context: undefined },
      ]);
    });

    it('rounds the reported rate and confidence to three decimals', async () => {
      const { sut } = service([row('Thirds', 2, 3), row('Sevenths', 5, 7)]);

      const insight = await sut.recommend('org-1', 'support');

      expect(insight.recommendation.persona).toBe('Sevenths');
      expect(insight.recommendation.successRate).toBe(0.714);
      expect(insight.recommendation.confidence).toBe(0.359);
      expect(insight.alternatives[0].successRate).toBe(0.667);
    });
  });
});
