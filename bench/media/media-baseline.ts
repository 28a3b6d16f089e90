/**
 * The media baseline: a bare `ws` server that only parses Twilio's media messages, decodes the mu-law payload
 * and runs the same voice activity detection (the endpointer with the spectral VAD) per stream. It measures
 * frame lag exactly as Switchboard does, and serves its counts at GET /stats.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { Endpointer } from '../../src/modules/voice/turns/endpointer';

const BUCKETS = [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2];
const counts = new Array<number>(BUCKETS.length + 1).fill(0);
let frames = 0;
let utterances = 0;

const server = createServer((request, response) => {
  if (request.url === '/stats') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ frames, utterances, buckets: BUCKETS, counts }));
    return;
  }
  response.writeHead(404).end();
});
const wss = new WebSocketServer({ server, path: '/telephony/twilio/media' });
wss.on('connection', (socket) => {
  const endpointer = new Endpointer(() => utterances++);
  let bestOffset = Infinity;
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as {
      event?: string;
      media?: { payload?: string; timestamp?: string };
    };
    if (message.event !== 'media' || typeof message.media?.payload !== 'string') return;
    frames++;
    const offset = Date.now() - Number(message.media.timestamp);
    if (offset < bestOffset) bestOffset = offset;
    const lag = (offset - bestOffset) / 1000;
    let bucket = BUCKETS.findIndex((limit) => lag <= limit);
    if (bucket === -1) bucket = BUCKETS.length;
    counts[bucket]++;
    endpointer.push(Buffer.from(message.media.payload, 'base64'));
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () =>
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`),
);
process.on('SIGTERM', () => process.exit(0));
