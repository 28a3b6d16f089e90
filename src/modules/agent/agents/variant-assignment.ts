import { createHash } from 'node:crypto';
import type { AgentVariant } from './agent-variant.entity';
import type { Agent } from './agent.entity';

/**
 * Picks a call's variant by weight, from a hash of the call id: random across calls, stable for one call (a
 * reconnecting stream or a retried webhook gets the same arm). Weight 0 pauses a variant; none left: the agent.
 */
export function pickVariant(variants: readonly AgentVariant[], key: string): AgentVariant | null {
  const total = variants.reduce((sum, variant) => sum + Math.max(0, variant.weight), 0);
  if (total === 0) return null;
  const point = (createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32) * total;
  let cumulative = 0;
  for (const variant of variants) {
    cumulative += Math.max(0, variant.weight);
    if (point < cumulative) return variant;
  }
  return variants.at(-1)!;
}

/** The agent as a variant changes it (fields the variant leaves null stay the agent's). */
export function applyVariant(agent: Agent, variant: AgentVariant | null): Agent {
  if (!variant) return agent;
  return {
    ...agent,
    systemPrompt: variant.systemPrompt ?? agent.systemPrompt,
    persona: variant.persona ?? agent.persona,
    firstMessage: variant.firstMessage ?? agent.firstMessage,
    voice: variant.voice ?? agent.voice,
    model: variant.model ?? agent.model,
  };
}
