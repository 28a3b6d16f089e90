import { ConflictError } from '../../../common/errors/domain-error';
import { CALL_STATUSES, decideTransition, fromTwilioStatus, isTerminal } from './call-status';

describe(decideTransition.name, () => {
  it.each([
    ['queued', 'ringing'],
    ['ringing', 'in_progress'],
    ['in_progress', 'completed'],
    ['ringing', 'no_answer'],
    ['queued', 'canceled'],
  ] as const)('applies %s → %s', (from, to) => {
    expect(decideTransition(from, to)).toBe('apply');
  });

  it.each([
    ['in_progress', 'ringing'],
    ['completed', 'in_progress'],
    ['completed', 'queued'],
    ['failed', 'completed'],
  ] as const)('treats %s → %s as a stale, out-of-order callback', (from, to) => {
    expect(decideTransition(from, to)).toBe('stale');
  });

  it('treats a repeated status as the same', () => {
    expect(decideTransition('ringing', 'ringing')).toBe('same');
  });

  it('refuses moves the table does not allow', () => {
    expect(() => decideTransition('in_progress', 'busy')).toThrow(ConflictError);
    expect(() => decideTransition('in_progress', 'no_answer')).toThrow(
      'A call cannot go from in_progress to no_answer',
    );
  });

  it('lets no call leave a terminal status', () => {
    for (const from of CALL_STATUSES.filter(isTerminal)) {
      for (const to of CALL_STATUSES.filter((status) => status !== from)) {
        expect(decideTransition(from, to)).toBe('stale');
      }
    }
  });

  it('maps Twilio statuses', () => {
    expect(fromTwilioStatus('in-progress')).toBe('in_progress');
    expect(fromTwilioStatus('no-answer')).toBe('no_answer');
    expect(fromTwilioStatus('initiated')).toBe('queued');
    expect(fromTwilioStatus('bogus')).toBeUndefined();
  });
});
