import { encodeMultipart } from './multipart';

/** Reads a body back with the platform's own multipart parser (undici's, as a server framework would). */
async function parse(encoded: ReturnType<typeof encodeMultipart>) {
  const form = await new Response(encoded.body, {
    headers: { 'content-type': encoded.contentType },
  }).formData();
  return Promise.all(
    [...form].map(async ([name, value]) =>
      typeof value === 'string'
        ? [name, value]
        : [name, value.name, value.type, Buffer.from(await value.arrayBuffer()).toString('hex')],
    ),
  );
}

describe(encodeMultipart.name, () => {
  it('writes fields and files that a standard parser reads back byte for byte, in order', async () => {
    const sut = encodeMultipart([
      [
        'file',
        {
          filename: 'utterance.wav',
          contentType: 'audio/wav',
          bytes: Uint8Array.from([0, 13, 10, 45, 45, 255]),
        },
      ],
      ['model', 'whisper-1'],
      ['language', 'en'],
    ]);

    expect(sut.contentType).toMatch(/^multipart\/form-data; boundary=----switchboard-[0-9a-f-]+$/);
    expect(await parse(sut)).toEqual([
      ['file', 'utterance.wav', 'audio/wav', '000d0a2d2dff'],
      ['model', 'whisper-1'],
      ['language', 'en'],
    ]);
  });

  it('escapes quotes and line breaks in names, so a name cannot end its header early', () => {
    const sut = encodeMultipart([['a"b\r\nX-Injected: 1', 'value']]);

    expect(sut.body.toString('latin1')).toContain('name="a%22b%0D%0AX-Injected: 1"');
    expect(sut.body.toString('latin1')).not.toContain('\r\nX-Injected');
  });
});
