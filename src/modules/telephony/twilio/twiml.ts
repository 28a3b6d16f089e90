import { twiml } from 'twilio';

/** The TwiML documents Switchboard answers Twilio with, built with the twilio SDK (escaping included). */
export const Twiml = {
  /** Connects the call's audio to our media WebSocket; when the stream ends, the call hangs up. */
  connectStream(streamUrl: string, parameters: Record<string, string>): string {
    const response = new twiml.VoiceResponse();
    const stream = response.connect().stream({ url: streamUrl });
    for (const [name, value] of Object.entries(parameters)) stream.parameter({ name, value });
    response.hangup();
    return response.toString();
  },

  sayAndHangup(message: string): string {
    const response = new twiml.VoiceResponse();
    response.say(message);
    response.hangup();
    return response.toString();
  },

  /** Refuses the call before answering: the caller hears a busy signal and is not billed. */
  rejectBusy(): string {
    const response = new twiml.VoiceResponse();
    response.reject({ reason: 'busy' });
    return response.toString();
  },

  /** The hold loop of a queued caller: a message, a pause, then ask us again. */
  hold(message: string, pauseSeconds: number, pollUrl: string): string {
    const response = new twiml.VoiceResponse();
    response.say(message);
    response.pause({ length: pauseSeconds });
    response.redirect({ method: 'POST' }, pollUrl);
    return response.toString();
  },

  redirect(url: string): string {
    const response = new twiml.VoiceResponse();
    response.redirect({ method: 'POST' }, url);
    return response.toString();
  },

  /** Hands the live call to a person: Twilio dials them and bridges the caller in. */
  dial(number: string): string {
    const response = new twiml.VoiceResponse();
    response.dial(number);
    return response.toString();
  },

  /** An empty document: acknowledges a callback that needs no instructions. */
  empty(): string {
    return new twiml.VoiceResponse().toString();
  },
};

export const APOLOGY =
  'We are sorry, something went wrong on our side. Please call again later. Goodbye.';
export const NOT_IN_SERVICE =
  'We are sorry, the number you have called is not in service. Goodbye.';
export const BUSY_MESSAGE =
  'We are sorry, all of our lines are busy right now. Please call again later. Goodbye.';
export const SHUTTING_DOWN_MESSAGE =
  'We are sorry, this service is restarting. Please call again in a minute. Goodbye.';
