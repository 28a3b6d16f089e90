import { z } from 'zod';
import { ValidationError } from '../../../common/errors/domain-error';

const E164 = /^\+[1-9]\d{6,14}$/;
const callSid = z.string().regex(/^CA[0-9a-fA-F]{32}$/, 'must be a Twilio call SID');

/** Withheld caller ids ('anonymous', '+266696687', empty) become 'anonymous'; SIP/client ids are refused. */
const callerId = z.string().transform((value, context) => {
  if (E164.test(value)) return value;
  if (['', 'anonymous', 'Anonymous', '+266696687', 'restricted', 'unknown'].includes(value))
    return 'anonymous';
  context.addIssue({ code: 'custom', message: 'must be an E.164 number' });
  return z.NEVER;
});

export const voiceWebhookSchema = z.object({
  CallSid: callSid,
  AccountSid: z.string().min(1),
  From: callerId,
  To: z.string().regex(E164, 'must be an E.164 number'),
  CallStatus: z.string().default('ringing'),
  Direction: z.string().optional(),
});
export type VoiceWebhook = z.infer<typeof voiceWebhookSchema>;

export const statusCallbackSchema = z.object({
  CallSid: callSid,
  CallStatus: z.string().min(1),
  SequenceNumber: z.string().optional(),
  Timestamp: z.string().optional(),
  CallDuration: z.string().optional(),
  ErrorCode: z.string().optional(),
});
export type StatusCallback = z.infer<typeof statusCallbackSchema>;

export const recordingCallbackSchema = z.object({
  CallSid: callSid,
  RecordingSid: z.string().min(1),
  RecordingStatus: z.string().min(1),
  RecordingUrl: z.string().optional(),
  RecordingDuration: z.string().optional(),
});

export function parseTwilioParams<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    throw new ValidationError('Malformed Twilio webhook', {
      fields: result.error.issues.map((issue) => ({
        field: issue.path.join('.'),
        errors: [issue.message],
      })),
    });
  }
  return result.data;
}
