import OpenAI from 'openai';
import { AppConfig } from '../../config/app-config';
import { nodeHttpFetch } from './node-http-fetch';

/**
 * The OpenAI SDK client for OPENAI_BASE_URL, shared by every OpenAI-compatible adapter (speech, transcription,
 * chat, sentiment). Undefined when it cannot work: api.openai.com needs a key, a self-hosted server may not.
 * SDK retries are off: each adapter's resilience policy retries. Requests go over node:http (see nodeHttpFetch):
 * a voice turn makes three of them on the event loop every call's audio shares.
 */
export function openAiClient(config: AppConfig): OpenAI | undefined {
  const { apiKey, baseUrl } = config.speech.openai;
  if (!apiKey && baseUrl.startsWith('https://api.openai.com')) return undefined;
  return new OpenAI({
    apiKey: apiKey ?? 'not-needed',
    baseURL: baseUrl,
    maxRetries: 0,
    fetch: nodeHttpFetch,
  });
}
