import { makeCounterProvider } from '@willsoto/nestjs-prometheus';

export const TOOL_CALLS = 'switchboard_agent_tool_calls_total';
export const LLM_FALLBACKS = 'switchboard_agent_llm_fallbacks_total';

export const agentMetricProviders = [
  makeCounterProvider({
    name: TOOL_CALLS,
    help: 'Tool calls by the agent, by tool and outcome (ok, failed, timeout, invalid_arguments, unavailable).',
    labelNames: ['tool', 'outcome'],
  }),
  makeCounterProvider({
    name: LLM_FALLBACKS,
    help: 'Replies the local agent gave because the language model failed or its circuit was open.',
    labelNames: ['model'],
  }),
];
