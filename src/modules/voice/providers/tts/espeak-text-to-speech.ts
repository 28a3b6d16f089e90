import { Logger } from '@nestjs/common';
import { spawn, spawnSync } from 'node:child_process';
import { ExternalProviderError } from '../../../../common/errors/domain-error';
import { pcmStreamToMulaw } from './pcm-to-telephony';
import { SynthesisOptions, TextToSpeech } from './text-to-speech';

const WAV_HEADER_BYTES = 44;

/**
 * Local text-to-speech with espeak-ng in a separate process: robotic but free, offline, and always there, so
 * a call can speak with no cloud account. The last link of every fallback chain.
 */
export class EspeakTextToSpeech extends TextToSpeech {
  readonly name = 'local';
  private readonly logger = new Logger('EspeakTts');

  constructor(private readonly executable: string) {
    super();
  }

  /** Whether the executable runs here (checked once at boot). */
  static detect(executable: string): string | undefined {
    const probe = spawnSync(executable, ['--version'], { encoding: 'utf8', timeout: 5000 });
    return probe.status === 0 ? probe.stdout.trim() : undefined;
  }

  async *synthesize(text: string, options: SynthesisOptions = {}): AsyncGenerator<Buffer> {
    const voice = (options.language ?? 'en-US').toLowerCase().startsWith('en')
      ? 'en-us'
      : (options.language ?? 'en');
    const child = spawn(this.executable, ['--stdout', '-v', voice, '-s', '165', '--', text], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const abort = () => child.kill('SIGKILL');
    options.signal?.addEventListener('abort', abort, { once: true });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      let header = Buffer.alloc(0);
      let sampleRate = 22050;
      const pcm = async function* (this: void) {
        for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
          if (header.length < WAV_HEADER_BYTES) {
            const needed = WAV_HEADER_BYTES - header.length;
            header = Buffer.concat([header, chunk.subarray(0, needed)]);
            if (header.length === WAV_HEADER_BYTES) sampleRate = header.readUInt32LE(24);
            if (chunk.length > needed) yield chunk.subarray(needed);
            continue;
          }
          yield chunk;
        }
      };
      // The rate is known once the header arrived, which is before the first PCM chunk is converted.
      const source = pcm();
      const first = await source.next();
      if (first.done) {
        const code = await exited;
        if (options.signal?.aborted) return;
        throw new ExternalProviderError(
          'local-tts',
          `espeak-ng produced no audio (exit ${code}): ${stderr.trim()}`,
        );
      }
      const audio = pcmStreamToMulaw(
        (async function* () {
          yield first.value;
          yield* source;
        })(),
        sampleRate,
      );
      for await (const chunk of audio) {
        if (options.signal?.aborted) return;
        yield chunk;
      }
      const code = await exited;
      if (code !== 0 && !options.signal?.aborted) {
        this.logger.warn(`espeak-ng exited with ${code}: ${stderr.trim()}`);
      }
    } finally {
      options.signal?.removeEventListener('abort', abort);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }
}
