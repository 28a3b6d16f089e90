import { z } from 'zod';

/** Twilio Media Streams messages (bidirectional `<Connect><Stream>`), as Twilio sends them. */
export const twilioInboundMessageSchema = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('connected'),
    protocol: z.string().optional(),
    version: z.string().optional(),
  }),
  z.object({
    event: z.literal('start'),
    sequenceNumber: z.string().optional(),
    streamSid: z.string().min(1),
    start: z.object({
      streamSid: z.string().optional(),
      accountSid: z.string().optional(),
      callSid: z.string().min(1),
      tracks: z.array(z.string()).optional(),
      customParameters: z.record(z.string(), z.string()).default({}),
      mediaFormat: z
        .object({ encoding: z.string(), sampleRate: z.number(), channels: z.number() })
        .optional(),
    }),
  }),
  z.object({
    event: z.literal('media'),
    sequenceNumber: z.string().optional(),
    streamSid: z.string().optional(),
    media: z.object({
      track: z.string().optional(),
      chunk: z.string().optional(),
      timestamp: z.string().optional(),
      payload: z.string(),
    }),
  }),
  z.object({
    event: z.literal('mark'),
    streamSid: z.string().optional(),
    mark: z.object({ name: z.string() }),
  }),
  z.object({
    event: z.literal('dtmf'),
    streamSid: z.string().optional(),
    dtmf: z.object({ track: z.string().optional(), digit: z.string().min(1).max(1) }),
  }),
  z.object({
    event: z.literal('stop'),
    streamSid: z.string().optional(),
    stop: z
      .object({ accountSid: z.string().optional(), callSid: z.string().optional() })
      .optional(),
  }),
]);
export type TwilioInboundMessage = z.infer<typeof twilioInboundMessageSchema>;

/** Outbound messages are built by hand: they are on the hot path (50 per second per call). */
export const TwilioOutbound = {
  media: (streamSid: string, payload: Buffer) =>
    `{"event":"media","streamSid":"${streamSid}","media":{"payload":"${payload.toString('base64')}"}}`,
  mark: (streamSid: string, name: string) =>
    JSON.stringify({ event: 'mark', streamSid, mark: { name } }),
  clear: (streamSid: string) => JSON.stringify({ event: 'clear', streamSid }),
};
