/**
 * G.711 mu-law <-> 16-bit linear PCM, table-based (ITU-T G.711) both ways; the encoding table is built with the
 * segment search of the reference implementation.
 */
const BIAS = 0x84;
const CLIP = 32635;

export const MULAW_DECODE_TABLE: Int16Array = (() => {
  const table = new Int16Array(256);
  for (let i = 0; i < 256; i++) {
    const value = ~i & 0xff;
    const sign = value & 0x80;
    const exponent = (value >> 4) & 0x07;
    const mantissa = value & 0x0f;
    const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
    table[i] = sign ? -magnitude : magnitude;
  }
  return table;
})();

/** Decodes mu-law bytes into linear PCM samples (a new Int16Array, or `into` when given). */
export function decodeMulaw(bytes: Uint8Array, into = new Int16Array(bytes.length)): Int16Array {
  for (let i = 0; i < bytes.length; i++) into[i] = MULAW_DECODE_TABLE[bytes[i]];
  return into;
}

export function encodeMulawSample(sample: number): number {
  let value = Math.max(-CLIP, Math.min(CLIP, Math.round(sample)));
  const sign = value < 0 ? 0x80 : 0;
  if (sign) value = -value;
  value += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (value & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (value >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

// Every 16-bit sample's code, computed once (64 KiB): encoding the agent's speech is then a lookup per sample.
const MULAW_ENCODE_TABLE: Uint8Array = (() => {
  const table = new Uint8Array(65536);
  for (let sample = -32768; sample < 32768; sample++)
    table[sample + 32768] = encodeMulawSample(sample);
  return table;
})();

export function encodeMulaw(samples: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = MULAW_ENCODE_TABLE[samples[i] + 32768];
  return out;
}

/** Mu-law's digital silence. */
export const MULAW_SILENCE = 0xff;
