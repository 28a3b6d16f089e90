import { encodeMulaw } from '../../audio/mulaw';
import { Resampler } from '../../audio/resampler';
import { pcm16FromBytes } from '../../audio/wav';

/**
 * Turns a stream of 16-bit little-endian PCM bytes at `sampleRate` into 8 kHz mu-law chunks, resampling as the
 * bytes arrive (an odd byte split across chunks is carried over).
 */
export async function* pcmStreamToMulaw(
  chunks: AsyncIterable<Buffer | Uint8Array>,
  sampleRate: number,
): AsyncGenerator<Buffer> {
  const resampler = new Resampler(sampleRate, 8000);
  let carry = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const bytes =
      carry.length > 0 ? Buffer.concat([carry, Buffer.from(chunk)]) : Buffer.from(chunk);
    const even = bytes.length & ~1;
    carry = bytes.subarray(even);
    const out = resampler.push(pcm16FromBytes(bytes.subarray(0, even)));
    if (out.length > 0) yield encodeMulaw(out);
  }
  const tail = resampler.flush();
  if (tail.length > 0) yield encodeMulaw(tail);
}
