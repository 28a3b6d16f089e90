import WebSocket from 'ws';
import { ExternalProviderError } from '../../../../common/errors/domain-error';
import type { ProviderPolicy } from '../../../../common/resilience/provider-policy';
import {
  SpeechToText,
  SpeechToTextStream,
  Transcript,
  TranscriptionOptions,
} from './speech-to-text';

const FINISH_TIMEOUT_MS = 5_000;

interface DeepgramResults {
  type: 'Results';
  is_final?: boolean;
  speech_final?: boolean;
  channel?: { alternatives?: { transcript?: string; confidence?: number }[] };
}

/**
 * Deepgram live streaming over its WebSocket API: one connection per utterance, opened when the caller starts
 * speaking (the handshake overlaps their speech), fed raw 8 kHz mu-law, partial transcripts as they come, and
 * `CloseStream` at the end of the utterance to flush the final words. A connection that drops before that is
 * a provider failure, not a silent empty transcript.
 */
export class DeepgramSpeechToText extends SpeechToText {
  readonly name = 'deepgram';

  constructor(
    private readonly url: string,
    private readonly apiKey: string,
    private readonly model: string,
    private readonly policy: ProviderPolicy,
  ) {
    super();
  }

  open(options: TranscriptionOptions = {}): SpeechToTextStream {
    const query = new URLSearchParams({
      model: this.model,
      encoding: 'mulaw',
      sample_rate: '8000',
      channels: '1',
      interim_results: 'true',
      punctuate: 'true',
      smart_format: 'true',
      ...(options.language && { language: options.language }),
    });
    const pending: Buffer[] = [];
    const finals: string[] = [];
    const confidences: number[] = [];
    const partialListeners: ((text: string) => void)[] = [];
    let socket: WebSocket | undefined;
    let failure: Error | undefined;
    let abandoned = false;
    let closedCleanly: (() => void) | undefined;
    const closed = new Promise<void>((resolve) => (closedCleanly = resolve));

    const connected = this.policy
      .execute(
        ({ signal }) =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(`${this.url}?${query.toString()}`, {
              headers: { Authorization: `Token ${this.apiKey}` },
            });
            // Cockatiel aborts an attempt's signal once the attempt settles: only a pending handshake may die of it.
            const onTimeout = () => fail(new Error('Deepgram handshake timed out'));
            const fail = (error: Error) => {
              signal.removeEventListener('abort', onTimeout);
              ws.removeAllListeners();
              ws.on('error', () => undefined);
              ws.terminate();
              reject(error);
            };
            signal.addEventListener('abort', onTimeout, { once: true });
            ws.once('unexpected-response', (_request, response) =>
              fail(
                Object.assign(
                  new Error(`Deepgram refused the stream: HTTP ${response.statusCode}`),
                  { status: response.statusCode },
                ),
              ),
            );
            ws.once('error', (error) =>
              fail(
                Object.assign(error, {
                  code: (error as NodeJS.ErrnoException).code ?? 'ECONNRESET',
                }),
              ),
            );
            ws.once('open', () => {
              signal.removeEventListener('abort', onTimeout);
              ws.removeAllListeners('error');
              ws.removeAllListeners('unexpected-response');
              resolve(ws);
            });
          }),
        { signal: options.signal },
      )
      .then((ws) => {
        socket = ws;
        ws.on('message', (data, isBinary) => {
          if (isBinary) return;
          let message: DeepgramResults | { type: string };
          try {
            message = JSON.parse((data as Buffer).toString('utf8')) as
              DeepgramResults | { type: string };
          } catch {
            return; // not a message of the protocol: ignore it rather than fail the utterance
          }
          if (message.type !== 'Results') return;
          const alternative = (message as DeepgramResults).channel?.alternatives?.[0];
          const text = alternative?.transcript?.trim() ?? '';
          if ((message as DeepgramResults).is_final) {
            if (text) finals.push(text);
            if (alternative?.confidence !== undefined) confidences.push(alternative.confidence);
          } else if (text) {
            for (const listener of partialListeners) {
              try {
                listener([...finals, text].join(' '));
              } catch {
                // a listener's failure is its own
              }
            }
          }
        });
        ws.on('error', (error) => (failure ??= error));
        ws.on('close', (code) => {
          if (code !== 1000 && code !== 1005) {
            failure ??= new ExternalProviderError(
              'deepgram',
              `Deepgram closed the stream mid-utterance (${code})`,
            );
          }
          closedCleanly?.();
        });
        if (abandoned) ws.close();
        for (const frame of pending.splice(0)) ws.send(frame);
        return ws;
      });
    connected.catch(() => undefined); // surfaced by finish()

    return {
      push: (frame) => {
        if (abandoned) return;
        if (socket?.readyState === WebSocket.OPEN) socket.send(frame);
        else if (!socket) pending.push(frame);
      },
      onPartial: (listener) => partialListeners.push(listener),
      finish: async (): Promise<Transcript> => {
        const ws = await connected;
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'CloseStream' }));
        // A half-open connection would never close: the final words get a bounded wait.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          closed,
          new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              failure ??= new ExternalProviderError(
                'deepgram',
                'Deepgram did not finish the utterance in time',
              );
              ws.terminate();
              resolve();
            }, FINISH_TIMEOUT_MS);
          }),
        ]);
        clearTimeout(timer);
        if (failure)
          throw failure instanceof ExternalProviderError
            ? failure
            : new ExternalProviderError('deepgram', failure.message, undefined, { cause: failure });
        const confidence = confidences.length
          ? confidences.reduce((a, b) => a + b, 0) / confidences.length
          : undefined;
        return { text: finals.join(' '), ...(confidence !== undefined && { confidence }) };
      },
      close: () => {
        abandoned = true;
        pending.length = 0;
        socket?.close();
      },
    };
  }
}
