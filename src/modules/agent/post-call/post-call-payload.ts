export const POST_CALL_JOB = 'agent.post_call';

/** Everything the post-call job needs, captured when the conversation ends (the job reads nothing else). */
export interface PostCallPayload {
  organizationId: string;
  agentId: string;
  callId: string | null;
  customerId: string | null;
  variantId: string | null;
  channel: 'phone' | 'chat';
  callType: string;
  persona: string;
  /** The tools the agent was offered (its configuration), and those it used. */
  tools: string[];
  toolsUsed: string[];
  transcript: { role: 'caller' | 'agent' | 'tool'; text: string }[];
  outcome: {
    reason: string;
    completed: boolean;
    transferred: boolean;
    averageSentiment: number | null;
    success: boolean;
  };
}
