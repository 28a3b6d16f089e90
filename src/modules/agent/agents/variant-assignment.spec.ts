import { AgentVariant } from './agent-variant.entity';
import { Agent } from './agent.entity';
import { applyVariant, pickVariant } from './variant-assignment';

function variant(name: string, weight: number, changes: Partial<AgentVariant> = {}): AgentVariant {
  return Object.assign(new AgentVariant(), {
    id: `variant-${name}`,
    organizationId: 'org-1',
    agentId: 'agent-1',
    name,
    weight,
    systemPrompt: null,
    persona: null,
    firstMessage: null,
    voice: null,
    model: null,
    ...changes,
  });
}

function agent(): Agent {
  return Object.assign(new Agent(), {
    id: 'agent-1',
    organizationId: 'org-1',
    name: 'Front desk',
    systemPrompt: 'You answer calls for Acme Books.',
    persona: 'Friendly and brief.',
    callType: 'support',
    model: 'gpt-4o-mini',
    firstMessage: 'Hello, Acme Books.',
    voice: 'default',
    language: 'en-US',
    toolsEnabled: ['calculator', 'end_call'],
    sttProvider: null,
    ttsProvider: null,
    maxTurns: 8,
    transferNumber: '+15550100200',
  });
}

const KEYS = Array.from({ length: 10_000 }, (_, i) => `call-${i}`);

/** How many of KEYS each variant gets, by name. */
function shares(variants: readonly AgentVariant[]): Map<string | null, number> {
  const counts = new Map<string | null, number>();
  for (const key of KEYS) {
    const name = pickVariant(variants, key)?.name ?? null;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

describe(pickVariant.name, () => {
  const sut = pickVariant;

  it('gives the same key the same variant every time', () => {
    const variants = [variant('a', 1), variant('b', 1), variant('c', 1)];
    for (const key of KEYS.slice(0, 200)) {
      expect(sut(variants, key)).toBe(sut(variants, key));
    }
  });

  it('does not depend on the variant objects, only on their order and weights', () => {
    const first = [variant('a', 1), variant('b', 2)];
    const again = [variant('a', 1), variant('b', 2)];
    for (const key of KEYS.slice(0, 200)) {
      expect(sut(first, key)?.name).toBe(sut(again, key)?.name);
    }
  });

  it('spreads keys across the variants', () => {
    const variants = [variant('a', 1), variant('b', 1)];
    const picked = new Set(KEYS.slice(0, 50).map((key) => sut(variants, key)?.name));
    expect(picked).toEqual(new Set(['a', 'b']));
  });

  it('splits 1:3 weights about a quarter to three quarters', () => {
    const counts = shares([variant('a', 1), variant('b', 3)]);

    expect(counts.get('a')! / KEYS.length).toBeGreaterThan(0.22);
    expect(counts.get('a')! / KEYS.length).toBeLessThan(0.28);
    expect(counts.get('b')! / KEYS.length).toBeGreaterThan(0.72);
    expect(counts.get('b')! / KEYS.length).toBeLessThan(0.78);
    expect(counts.get(null)).toBeUndefined();
  });

  it('follows uneven weights across several variants', () => {
    const counts = shares([variant('a', 50), variant('b', 30), variant('c', 20)]);

    for (const [name, share] of [
      ['a', 0.5],
      ['b', 0.3],
      ['c', 0.2],
    ] as const) {
      expect(Math.abs(counts.get(name)! / KEYS.length - share)).toBeLessThan(0.03);
    }
  });

  it('never picks a variant of weight 0, wherever it stands', () => {
    const counts = shares([
      variant('paused-first', 0),
      variant('a', 1),
      variant('paused-middle', 0),
      variant('b', 1),
      variant('paused-last', 0),
    ]);

    expect([...counts.keys()].sort()).toEqual(['a', 'b']);
  });

  it('treats a negative weight as 0', () => {
    const counts = shares([variant('a', 1), variant('negative', -5)]);
    expect([...counts.keys()]).toEqual(['a']);
  });

  it('picks the only weighted variant for every key', () => {
    const only = variant('only', 7);
    for (const key of KEYS.slice(0, 100)) {
      expect(sut([variant('paused', 0), only], key)).toBe(only);
    }
  });

  it('gives no variant when there are none', () => {
    expect(sut([], 'call-1')).toBeNull();
  });

  it('gives no variant when every weight is 0', () => {
    expect(sut([variant('a', 0), variant('b', 0)], 'call-1')).toBeNull();
  });
});

describe(applyVariant.name, () => {
  const sut = applyVariant;

  it('returns the agent itself without a variant', () => {
    const original = agent();
    expect(sut(original, null)).toBe(original);
  });

  it('overrides every field the variant sets', () => {
    const original = agent();

    const changed = sut(
      original,
      variant('bold', 1, {
        systemPrompt: 'You sell books.',
        persona: 'Enthusiastic.',
        firstMessage: 'Hi! Acme Books here.',
        voice: 'bright',
        model: 'gpt-4o',
      }),
    );

    expect(changed).toEqual({
      ...original,
      systemPrompt: 'You sell books.',
      persona: 'Enthusiastic.',
      firstMessage: 'Hi! Acme Books here.',
      voice: 'bright',
      model: 'gpt-4o',
    });
  });

  it("keeps the agent's own value for every field the variant leaves null", () => {
    const original = agent();

    const changed = sut(original, variant('persona-only', 1, { persona: 'Formal.' }));

    expect(changed).toEqual({ ...original, persona: 'Formal.' });
  });

  it('keeps the agent as it is when the variant changes nothing', () => {
    const original = agent();
    expect(sut(original, variant('control', 1))).toEqual(original);
  });

  it('does not change the agent it was given', () => {
    const original = agent();
    const before = { ...original };

    const changed = sut(
      original,
      variant('bold', 1, { persona: 'Enthusiastic.', model: 'gpt-4o' }),
    );

    expect(changed).not.toBe(original);
    expect(original).toEqual(before);
  });

  it('keeps the fields a variant cannot change', () => {
    const original = agent();

    const changed = sut(original, variant('bold', 1, { systemPrompt: 'You sell books.' }));

    expect(changed.id).toBe(original.id);
    expect(changed.toolsEnabled).toEqual(['calculator', 'end_call']);
    expect(changed.transferNumber).toBe('+15550100200');
    expect(changed.maxTurns).toBe(8);
  });
});
