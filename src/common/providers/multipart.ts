/** A file part of a multipart body: its bytes as they are, with the name and type the receiver is told. */
export interface MultipartFile {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

const CRLF = Buffer.from('\r\n');

/**
 * multipart/form-data as RFC 7578 writes it, in one buffer; field names and file names are quoted, quotes and
 * line breaks escaped as browsers do.
 */
export function encodeMultipart(parts: Iterable<[string, string | MultipartFile]>): {
  body: Buffer;
  contentType: string;
} {
  const boundary = `----switchboard-${crypto.randomUUID()}`;
  const quote = (value: string) =>
    value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const chunks: Uint8Array[] = [];
  for (const [name, value] of parts) {
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"`;
    if (typeof value === 'string') {
      chunks.push(Buffer.from(`${head}\r\n\r\n${value}\r\n`));
      continue;
    }
    chunks.push(
      Buffer.from(
        `${head}; filename="${quote(value.filename)}"\r\nContent-Type: ${value.contentType}\r\n\r\n`,
      ),
      value.bytes,
      CRLF,
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
