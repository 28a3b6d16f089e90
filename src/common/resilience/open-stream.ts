import { ExternalProviderError } from '../errors/domain-error';
import type { ProviderPolicy } from './provider-policy';

/** A provider's streamed response, once started. */
export interface OpenedStream<T> {
  /** What the request returned (the SDK's stream, a response body). */
  value: T;
  /**
   * Yields what `source` (the body of `value`) yields. A pause between chunks longer than the policy's
   * `streamIdleTimeoutMs` aborts the request and throws an {@link ExternalProviderError}: a connection that
   * stalls mid-body would otherwise hold the caller's turn for as long as the socket stays open.
   */
  read<U>(source: AsyncIterable<U>): AsyncGenerator<U>;
}

/**
 * Opens a streamed provider response (speech audio, chat tokens) under its policy. The policy's timeout and
 * retries cover the wait for the response to start, not the stream itself: cockatiel aborts an attempt's
 * signal when the attempt settles, which would cut the body off. Each attempt gets its own controller, tied
 * to the attempt only while waiting, and to the caller's signal (barge-in, hang-up) for the whole stream;
 * once started, the stream is watched for stalls by {@link OpenedStream.read}.
 */
export async function openStream<T>(
  policy: ProviderPolicy,
  request: (signal: AbortSignal) => Promise<T>,
  callerSignal?: AbortSignal,
): Promise<OpenedStream<T>> {
  let streaming: AbortController | undefined;
  const value = await policy.execute(
    async ({ signal: attemptSignal }) => {
      const controller = new AbortController();
      const abort = () => controller.abort();
      attemptSignal.addEventListener('abort', abort, { once: true });
      callerSignal?.addEventListener('abort', abort, { once: true });
      try {
        const started = await request(controller.signal);
        streaming = controller;
        return started;
      } finally {
        attemptSignal.removeEventListener('abort', abort);
      }
    },
    { signal: callerSignal },
  );
  return {
    value,
    read: (source) => readWatched(source, policy, () => streaming?.abort()),
  };
}

async function* readWatched<U>(
  source: AsyncIterable<U>,
  policy: ProviderPolicy,
  abort: () => void,
): AsyncGenerator<U> {
  const idleMs = policy.streamIdleTimeoutMs;
  const iterator = source[Symbol.asyncIterator]();
  // Only the wait for the provider counts, not the reader's own pauses between chunks (speaking a sentence
  // before asking for the next token). One timer for the whole stream, re-armed as it fires: cheaper than a
  // timer per token.
  let waitingSince: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stall!: (error: Error) => void;
  const stalled = new Promise<never>((_, reject) => (stall = reject));
  stalled.catch(() => undefined);
  const watch = (delay: number) => {
    timer = setTimeout(() => {
      const quietMs = waitingSince === undefined ? 0 : performance.now() - waitingSince;
      if (quietMs < idleMs) return watch(idleMs - quietMs);
      abort();
      policy.noteStalled(quietMs / 1000);
      stall(
        new ExternalProviderError(
          policy.name,
          `${policy.name} stream stalled: no data for ${(quietMs / 1000).toFixed(1)} s`,
        ),
      );
    }, delay);
    timer.unref();
  };
  watch(idleMs);
  let done = false;
  try {
    for (;;) {
      waitingSince = performance.now();
      const next = iterator.next();
      // Once the request is aborted the pending read rejects too: the stall's error is the one reported.
      next.catch(() => undefined);
      const result = await Promise.race([next, stalled]);
      waitingSince = undefined;
      if (result.done) {
        done = true;
        policy.noteStreamFinished();
        return;
      }
      yield result.value;
    }
  } finally {
    clearTimeout(timer);
    // A reader that stopped early (a barge-in) closes the provider's stream, which ends its request.
    if (!done) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
