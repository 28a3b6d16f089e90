import type { ProviderPolicy } from './provider-policy';

/**
 * Opens a streamed provider response (speech audio, chat tokens) under its policy. The policy's timeout and
 * retries cover the wait for the response to start, not the stream itself: cockatiel aborts an attempt's
 * signal when the attempt settles, which would cut the body off. Each attempt gets its own controller, tied
 * to the attempt only while waiting, and to the caller's signal (barge-in, hang-up) for the whole stream.
 */
export function openStream<T>(
  policy: ProviderPolicy,
  request: (signal: AbortSignal) => Promise<T>,
  callerSignal?: AbortSignal,
): Promise<T> {
  return policy.execute(
    async ({ signal: attemptSignal }) => {
      const controller = new AbortController();
      const abort = () => controller.abort();
      attemptSignal.addEventListener('abort', abort, { once: true });
      callerSignal?.addEventListener('abort', abort, { once: true });
      try {
        return await request(controller.signal);
      } finally {
        attemptSignal.removeEventListener('abort', abort);
      }
    },
    { signal: callerSignal },
  );
}
