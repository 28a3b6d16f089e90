/** Controls calls at Twilio through its REST API (a port; the adapter sits behind the resilience policy). */
export abstract class TwilioCallControl {
  abstract createCall(input: {
    to: string;
    from: string;
    url: string;
    statusCallback: string;
    timeoutSeconds: number;
  }): Promise<{ sid: string; status: string }>;

  /** Replaces what a live call is doing with new TwiML (e.g. a transfer), or ends it. */
  abstract updateCall(
    sid: string,
    update: { twiml: string } | { status: 'completed' },
  ): Promise<void>;
}
