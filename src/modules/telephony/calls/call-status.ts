import { ConflictError } from '../../../common/errors/domain-error';

export const CALL_STATUSES = [
  'queued',
  'ringing',
  'in_progress',
  'completed',
  'busy',
  'no_answer',
  'failed',
  'canceled',
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

export const TERMINAL_CALL_STATUSES: readonly CallStatus[] = [
  'completed',
  'busy',
  'no_answer',
  'failed',
  'canceled',
];

/** Every legal move of a call, in one table. Terminal statuses have none. */
const TRANSITIONS: Record<CallStatus, readonly CallStatus[]> = {
  queued: ['ringing', 'in_progress', 'busy', 'no_answer', 'failed', 'canceled'],
  ringing: ['in_progress', 'completed', 'busy', 'no_answer', 'failed', 'canceled'],
  in_progress: ['completed', 'failed', 'canceled'],
  completed: [],
  busy: [],
  no_answer: [],
  failed: [],
  canceled: [],
};

// Progress order: a callback that would move a call to a lower rank arrived out of order.
const RANK: Record<CallStatus, number> = {
  queued: 0,
  ringing: 1,
  in_progress: 2,
  completed: 3,
  busy: 3,
  no_answer: 3,
  failed: 3,
  canceled: 3,
};

export function isTerminal(status: CallStatus): boolean {
  return TERMINAL_CALL_STATUSES.includes(status);
}

export type TransitionDecision = 'apply' | 'same' | 'stale';

/**
 * Decides a transition. `stale`: the target is behind the current status (a late or duplicate provider
 * callback), to be recorded and ignored. Anything else that the table does not allow is a ConflictError.
 */
export function decideTransition(from: CallStatus, to: CallStatus): TransitionDecision {
  if (from === to) return 'same';
  if (TRANSITIONS[from].includes(to)) return 'apply';
  if (RANK[to] < RANK[from] || (isTerminal(from) && isTerminal(to))) return 'stale';
  throw new ConflictError(`A call cannot go from ${from} to ${to}`, 'CALL_INVALID_TRANSITION', {
    from,
    to,
  });
}

/** Twilio's CallStatus values mapped onto ours. */
export function fromTwilioStatus(status: string | undefined): CallStatus | undefined {
  switch (status) {
    case 'queued':
    case 'initiated':
      return 'queued';
    case 'ringing':
      return 'ringing';
    case 'in-progress':
    case 'answered':
      return 'in_progress';
    case 'completed':
      return 'completed';
    case 'busy':
      return 'busy';
    case 'no-answer':
      return 'no_answer';
    case 'failed':
      return 'failed';
    case 'canceled':
      return 'canceled';
    case undefined:
    default:
      return undefined;
  }
}
