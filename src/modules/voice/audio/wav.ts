import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';

export const WAVE_FORMAT_PCM = 1;
const LITTLE_ENDIAN = endianness() === 'LE';
export const WAVE_FORMAT_MULAW = 7;

export interface WavFile {
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Sample frames per channel declared by a `fact` chunk (non-PCM formats carry one). */
  factSamples?: number;
  data: Buffer;
}

/**
 * Parses a RIFF/WAVE buffer chunk by chunk (fmt, fact, data, and any others skipped), so files with extra
 * chunks, like the shared test audio's `fact`, are read correctly. A data chunk whose declared size runs past
 * the buffer (a streamed WAV, as `espeak-ng --stdout` writes) is read to the end.
 */
export function parseWav(file: Buffer): WavFile {
  if (
    file.length < 12 ||
    file.toString('ascii', 0, 4) !== 'RIFF' ||
    file.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    throw new Error('not a RIFF/WAVE file');
  }
  let offset = 12;
  let format: Omit<WavFile, 'data'> | undefined;
  let factSamples: number | undefined;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = {
        format: file.readUInt16LE(body),
        channels: file.readUInt16LE(body + 2),
        sampleRate: file.readUInt32LE(body + 4),
        bitsPerSample: file.readUInt16LE(body + 14),
      };
    } else if (id === 'fact') {
      factSamples = file.readUInt32LE(body);
    } else if (id === 'data') {
      if (!format) throw new Error('WAV data chunk before its fmt chunk');
      const end = Math.min(file.length, body + size);
      return {
        ...format,
        ...(factSamples !== undefined && { factSamples }),
        data: file.subarray(body, end),
      };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('WAV file without a data chunk');
}

/** The mu-law samples of an 8 kHz mono G.711 WAV file. */
export function readMulawWav(path: string): Buffer {
  const wav = parseWav(readFileSync(path));
  if (wav.format !== WAVE_FORMAT_MULAW || wav.channels !== 1 || wav.sampleRate !== 8000) {
    throw new Error(`${path} is not 8 kHz mono mu-law`);
  }
  return wav.data;
}

/** 16-bit little-endian PCM of a mono WAV as samples. */
export function pcm16Samples(wav: WavFile): Int16Array {
  if (wav.format !== WAVE_FORMAT_PCM || wav.bitsPerSample !== 16 || wav.channels !== 1) {
    throw new Error(
      `expected 16-bit mono PCM, got format ${wav.format}/${wav.bitsPerSample} bit/${wav.channels} ch`,
    );
  }
  return pcm16FromBytes(wav.data);
}

/** Interprets little-endian bytes as 16-bit samples (an odd trailing byte is ignored). */
export function pcm16FromBytes(bytes: Buffer): Int16Array {
  const samples = new Int16Array(bytes.length >> 1);
  if (LITTLE_ENDIAN) new Uint8Array(samples.buffer).set(bytes.subarray(0, samples.length * 2));
  else for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
  return samples;
}

/** Wraps mu-law samples in a WAV container (with the `fact` chunk non-PCM formats carry). */
export function writeMulawWav(samples: Buffer): Buffer {
  const header = Buffer.alloc(58);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(50 + samples.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(18, 16);
  header.writeUInt16LE(WAVE_FORMAT_MULAW, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.writeUInt16LE(0, 36);
  header.write('fact', 38, 'ascii');
  header.writeUInt32LE(4, 42);
  header.writeUInt32LE(samples.length, 46);
  header.write('data', 50, 'ascii');
  header.writeUInt32LE(samples.length, 54);
  return Buffer.concat([header, samples]);
}

/** Wraps 16-bit mono PCM in a WAV container (what transcription APIs accept). */
export function writePcm16Wav(samples: Int16Array, sampleRate: number): Buffer {
  const wav = Buffer.allocUnsafe(44 + samples.length * 2);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + samples.length * 2, 4);
  wav.write('WAVE', 8, 'ascii');
  wav.write('fmt ', 12, 'ascii');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(sampleRate, 24);
  wav.writeUInt32LE(sampleRate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(samples.length * 2, 40);
  if (LITTLE_ENDIAN) {
    // WAV is little-endian, as the machine is: one copy instead of a write per sample.
    wav.set(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength), 44);
  } else {
    for (let i = 0; i < samples.length; i++) wav.writeInt16LE(samples[i], 44 + i * 2);
  }
  return wav;
}
