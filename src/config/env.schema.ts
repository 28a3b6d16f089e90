import { z } from 'zod';
import { ORGANIZATION_SLUG_PATTERN } from '../common/validation/patterns';
import { INDEXED_VECTOR_DIMENSIONS } from '../database/vector';

/**
 * Every environment variable Switchboard reads, in one place. Each entry carries its group and meaning so that
 * `.env.example` and `docs/configuration.md` are generated from the same source the app validates with.
 */
export interface EnvVarSpec {
  group: EnvGroup;
  description: string;
  /** Shown in generated docs; undefined means "unset by default". */
  example?: string;
  schema: z.ZodType;
}

export const ENV_GROUPS = [
  'Server',
  'Database',
  'Redis',
  'Logging and observability',
  'Authentication',
  'Telephony',
  'Speech',
  'Agent and memory',
  'Background jobs',
  'Resilience',
  'Feature flags',
] as const;
export type EnvGroup = (typeof ENV_GROUPS)[number];

const booleanFlag = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], {
      error: 'must be one of true, false, 1, 0, yes, no',
    })
    .default(defaultValue ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

const optionalString = () =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

const optionalUrl = (protocols: readonly string[]) =>
  optionalString().refine(
    (value) => value === undefined || hasProtocol(value, protocols),
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

function hasProtocol(value: string, protocols: readonly string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

const seconds = (defaultValue: number) => z.coerce.number().positive().default(defaultValue);

const DURATION_UNITS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** A duration as seconds (`900`) or with a unit (`15m`, `7d`, `10s`), parsed to seconds. */
const duration = (defaultValue: string) =>
  z
    .string()
    .default(defaultValue)
    .refine(
      (value) => /^\d+(\.\d+)?[smhd]?$/.test(value.trim()),
      'must be seconds or a duration like 15m, 7d',
    )
    .transform((value) => {
      const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(value.trim())!;
      return Number(match[1]) * DURATION_UNITS[(match[2] || 's') as keyof typeof DURATION_UNITS];
    });

const pem = () =>
  optionalString()
    .transform((value) => value?.replace(/\\n/g, '\n'))
    .refine(
      (value) => value === undefined || /-----BEGIN [A-Z ]+-----/.test(value),
      'must be a PEM-encoded key (literal \\n line breaks are accepted)',
    );

export const ENV_SPEC = {
  NODE_ENV: {
    group: 'Server',
    description: 'Runtime mode: development (pretty logs, dev conveniences), production or test.',
    schema: z.enum(['development', 'production', 'test']).default('development'),
  },
  PORT: {
    group: 'Server',
    description: 'TCP port the HTTP and WebSocket server listens on.',
    schema: z.coerce.number().int().min(0).max(65535).default(3000),
  },
  HOST: {
    group: 'Server',
    description: 'Interface to bind; 0.0.0.0 in containers, 127.0.0.1 to stay local.',
    schema: z.string().min(1).default('0.0.0.0'),
  },
  PUBLIC_BASE_URL: {
    group: 'Server',
    description:
      'The https URL providers reach this server at (used to build and verify webhook URLs behind proxies).',
    example: 'https://switchboard.example.com',
    schema: z
      .string()
      .default('http://localhost:3000')
      .refine((value) => hasProtocol(value, ['http:', 'https:']), 'must be an absolute http(s) URL')
      .transform((value) => value.replace(/\/+$/, '')),
  },
  TRUST_PROXY: {
    group: 'Server',
    description:
      'Which proxies may set X-Forwarded-For/-Proto (client IPs for rate limits and logs): true, false, a hop count, or addresses/CIDRs and the names loopback, linklocal, uniquelocal.',
    schema: z.string().min(1).default('loopback,linklocal,uniquelocal'),
  },
  DATA_DIR: {
    group: 'Server',
    description:
      'Directory for local state: the embedded database, generated dev secrets, recordings.',
    schema: z.string().min(1).default('./data'),
  },
  SHUTDOWN_DRAIN_TIMEOUT: {
    group: 'Server',
    description:
      'Seconds in-flight work (requests, later live calls) gets to finish after SIGTERM before connections close.',
    schema: seconds(30),
  },
  DATABASE_URL: {
    group: 'Database',
    description:
      'PostgreSQL connection URL (pgvector required). Unset: an embedded PostgreSQL (PGlite) under DATA_DIR.',
    example: 'postgres://switchboard:secret@127.0.0.1:5432/switchboard',
    schema: optionalUrl(['postgres:', 'postgresql:']),
  },
  DB_POOL_SIZE: {
    group: 'Database',
    description:
      'Connection pool size for a real PostgreSQL (the embedded database always uses 1).',
    schema: z.coerce.number().int().min(1).max(200).default(10),
  },
  DB_MIGRATIONS_RUN: {
    group: 'Database',
    description:
      'Run pending migrations at boot. Set false when migrations run as a separate deploy step.',
    schema: booleanFlag(true),
  },
  DB_SSL: {
    group: 'Database',
    description: 'Use TLS to reach PostgreSQL (verifies the server certificate).',
    schema: booleanFlag(false),
  },
  REDIS_URL: {
    group: 'Redis',
    description:
      'Redis URL for shared state across instances (rate limits, call registry). Unset: in-process state.',
    example: 'redis://127.0.0.1:6379',
    schema: optionalUrl(['redis:', 'rediss:']),
  },
  LOG_LEVEL: {
    group: 'Logging and observability',
    description: 'Minimum log level: fatal, error, warn, info, debug, trace or silent.',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  },
  LOG_PRETTY: {
    group: 'Logging and observability',
    description:
      'Human-readable logs. Defaults to true in development, false otherwise (JSON lines).',
    schema: z
      .enum(['true', 'false', 'auto'], { error: 'must be one of true, false, auto' })
      .default('auto'),
  },
  SENTRY_DSN: {
    group: 'Logging and observability',
    description: 'Sentry DSN; when set, unexpected errors (HTTP 500) are reported to Sentry.',
    schema: optionalUrl(['https:', 'http:']),
  },
  METRICS_TOKEN: {
    group: 'Logging and observability',
    description:
      'Bearer token for GET /metrics and /health/detailed (the operator token). Unset: only the owners and admins of the operating organization (OPERATOR_ORGANIZATION) read them, with their own access tokens.',
    schema: optionalString().refine(
      (value) => value === undefined || value.length >= 16,
      'must be at least 16 characters',
    ),
  },
  JWT_ALGORITHM: {
    group: 'Authentication',
    description:
      'Access-token signing algorithm, pinned on verify: HS256 (JWT_SECRET) or ES256 (JWT_PRIVATE_KEY/JWT_PUBLIC_KEY).',
    schema: z.enum(['HS256', 'ES256'], { error: 'must be HS256 or ES256' }).default('HS256'),
  },
  JWT_SECRET: {
    group: 'Authentication',
    description:
      'HS256 secret, at least 32 bytes. Unset in development: generated and kept in DATA_DIR/jwt-secret. Required in production.',
    schema: optionalString().refine(
      (value) => value === undefined || Buffer.byteLength(value) >= 32,
      'must be at least 32 bytes (256 bits)',
    ),
  },
  JWT_PRIVATE_KEY: {
    group: 'Authentication',
    description: 'ES256 (P-256) private key in PEM, for JWT_ALGORITHM=ES256.',
    schema: pem(),
  },
  JWT_PUBLIC_KEY: {
    group: 'Authentication',
    description: 'ES256 (P-256) public key in PEM, for JWT_ALGORITHM=ES256.',
    schema: pem(),
  },
  JWT_ISSUER: {
    group: 'Authentication',
    description: 'The `iss` claim set on and required of access tokens.',
    schema: z.string().min(1).default('switchboard'),
  },
  JWT_AUDIENCE: {
    group: 'Authentication',
    description: 'The `aud` claim set on and required of access tokens.',
    schema: z.string().min(1).default('switchboard-api'),
  },
  JWT_ACCESS_TTL: {
    group: 'Authentication',
    description: 'Access-token lifetime (seconds or 15m, 1h...).',
    schema: duration('15m'),
  },
  JWT_REFRESH_TTL: {
    group: 'Authentication',
    description: 'Refresh-token lifetime (seconds or 7d...). Each refresh rotates the token.',
    schema: duration('7d'),
  },
  JWT_REFRESH_REUSE_GRACE: {
    group: 'Authentication',
    description:
      'Window after a rotation in which presenting the old refresh token returns the same successor (a client that lost the response) instead of revoking the family.',
    schema: duration('10s'),
  },
  AUTH_REGISTRATION_ENABLED: {
    group: 'Authentication',
    description: 'Allow POST /api/v1/auth/register to create new organizations.',
    schema: booleanFlag(true),
  },
  OPERATOR_ORGANIZATION: {
    group: 'Authentication',
    description:
      'Slug of the organization whose owners and admins operate this deployment: they (and METRICS_TOKEN) read /metrics and /health/detailed. Unset: the first organization registered.',
    schema: optionalString().refine(
      (value) => value === undefined || ORGANIZATION_SLUG_PATTERN.test(value),
      'must be an organization slug: 2-63 lowercase letters, digits or dashes',
    ),
  },
  AUTH_RATE_LIMIT: {
    group: 'Authentication',
    description: 'Login and refresh attempts per minute, per IP and per account.',
    schema: z.coerce.number().int().min(1).default(10),
  },
  ADMIN_RATE_LIMIT: {
    group: 'Authentication',
    description: 'Requests per minute per principal on admin routes (users, API keys).',
    schema: z.coerce.number().int().min(1).default(120),
  },
  TWILIO_ACCOUNT_SID: {
    group: 'Telephony',
    description:
      'Twilio account SID (AC...), for outbound calls and call control through the REST API.',
    schema: optionalString().refine(
      (value) => value === undefined || /^AC[0-9a-fA-F]{32}$/.test(value),
      'must look like AC followed by 32 hex characters',
    ),
  },
  TWILIO_AUTH_TOKEN: {
    group: 'Telephony',
    description:
      'Twilio auth token: verifies X-Twilio-Signature on every webhook and authenticates REST calls. Unset: Twilio webhooks are refused.',
    schema: optionalString(),
  },
  TWILIO_API_BASE_URL: {
    group: 'Telephony',
    description:
      'Base URL of the Twilio REST API (point it at a stand-in for tests or a regional edge).',
    schema: z
      .string()
      .default('https://api.twilio.com')
      .refine((value) => hasProtocol(value, ['http:', 'https:']), 'must be an absolute http(s) URL')
      .transform((value) => value.replace(/\/+$/, '')),
  },
  TWILIO_RATE_LIMIT: {
    group: 'Telephony',
    description:
      'Voice webhooks per minute per calling number; over it the call is rejected (HTTP 429 + TwiML).',
    schema: z.coerce.number().int().min(1).default(30),
  },
  MAX_CONCURRENT_CALLS: {
    group: 'Telephony',
    description:
      'Live calls one instance accepts; beyond it callers queue (ENABLE_CALL_QUEUE) or hear busy.',
    schema: z.coerce.number().int().min(1).default(50),
  },
  MAX_CALL_QUEUE_SIZE: {
    group: 'Telephony',
    description: 'Callers that may wait in the queue; beyond it they hear busy.',
    schema: z.coerce.number().int().min(1).default(1000),
  },
  CALL_QUEUE_POLL_INTERVAL: {
    group: 'Telephony',
    description:
      'Seconds between checks whether a waiting caller can be connected (the hold loop length).',
    schema: z.coerce.number().int().min(1).max(60).default(5),
  },
  CALL_QUEUE_ABANDON_AFTER: {
    group: 'Telephony',
    description:
      "Seconds a queued caller's hold loop may stay silent before the caller is presumed gone (no status callback came) and loses their place; the call ends as canceled/queue_abandoned. Allow several hold loops.",
    schema: z.coerce.number().int().min(3).max(3600).default(60),
  },
  CALL_HOLD_MESSAGE: {
    group: 'Telephony',
    description: 'What queued callers hear while they wait.',
    schema: z.string().min(1).default('All of our agents are busy. Please stay on the line.'),
  },
  CALL_REGISTRY_TTL: {
    group: 'Telephony',
    description:
      'Seconds a call stays in the registry without a heartbeat (orphans of crashed instances expire).',
    schema: z.coerce.number().int().min(5).default(1800),
  },
  MAX_TURNS: {
    group: 'Telephony',
    description:
      'Caller turns after which a call is ended politely (an agent may set a lower limit).',
    schema: z.coerce.number().int().min(1).default(8),
  },
  STREAM_TOKEN_TTL: {
    group: 'Telephony',
    description:
      'Seconds a media-stream token from the voice webhook stays valid for opening the WebSocket.',
    schema: z.coerce.number().int().min(5).default(120),
  },
  DRAIN_REDIRECT_URL: {
    group: 'Telephony',
    description:
      'While draining, new calls are redirected here (e.g. another region) instead of hearing busy.',
    schema: optionalUrl(['https:', 'http:']),
  },
  STT_PROVIDER: {
    group: 'Speech',
    description:
      'Speech-to-text: deepgram (live streaming), openai (any OpenAI-compatible /v1/audio/transcriptions, e.g. a self-hosted Whisper server) or none.',
    schema: z
      .enum(['deepgram', 'openai', 'none'], { error: 'must be deepgram, openai or none' })
      .default('none'),
  },
  TTS_PROVIDER: {
    group: 'Speech',
    description:
      'Text-to-speech, first choice of the fallback chain: local (espeak-ng, no account needed), openai or cartesia.',
    schema: z
      .enum(['local', 'openai', 'cartesia'], { error: 'must be local, openai or cartesia' })
      .default('local'),
  },
  OPENAI_API_KEY: {
    group: 'Speech',
    description:
      'API key for OpenAI or an OpenAI-compatible server (speech, transcription, later the LLM).',
    schema: optionalString(),
  },
  OPENAI_BASE_URL: {
    group: 'Speech',
    description:
      'Base URL of an OpenAI-compatible API (Ollama, vLLM, llama.cpp, a Whisper server...).',
    schema: z
      .string()
      .default('https://api.openai.com/v1')
      .refine((value) => hasProtocol(value, ['http:', 'https:']), 'must be an absolute http(s) URL')
      .transform((value) => value.replace(/\/+$/, '')),
  },
  OPENAI_STT_MODEL: {
    group: 'Speech',
    description:
      'Transcription model (whisper-1, gpt-4o-transcribe, or what the compatible server serves).',
    schema: z.string().min(1).default('whisper-1'),
  },
  OPENAI_TTS_MODEL: {
    group: 'Speech',
    description: 'Speech model (gpt-4o-mini-tts, tts-1...).',
    schema: z.string().min(1).default('gpt-4o-mini-tts'),
  },
  OPENAI_TTS_VOICE: {
    group: 'Speech',
    description: 'Default OpenAI voice when the agent names none (alloy, nova, ...).',
    schema: z.string().min(1).default('alloy'),
  },
  SENTIMENT_PROVIDER: {
    group: 'Speech',
    description:
      'Sentiment of caller turns: lexicon (fast, offline) or llm (the OpenAI-compatible chat model, lexicon as fallback).',
    schema: z.enum(['lexicon', 'llm'], { error: 'must be lexicon or llm' }).default('lexicon'),
  },
  BARGE_IN_MIN_SPEECH_MS: {
    group: 'Speech',
    description:
      'Caller speech that interrupts the agent; shorter sounds (mm-hm, okay) are backchannels and do not.',
    schema: z.coerce.number().int().min(50).default(250),
  },
  VAD_DETECTOR: {
    group: 'Speech',
    description:
      'Voice activity detector: spectral (sub-band SNR over an adaptive noise floor) or energy (frame level only).',
    schema: z
      .enum(['spectral', 'energy'], { error: 'must be spectral or energy' })
      .default('spectral'),
  },
  VAD_SNR_THRESHOLD_DB: {
    group: 'Speech',
    description:
      'Spectral detector: how far (dB) the speech bands must stand above the noise floor.',
    schema: z.coerce.number().min(1).max(40).default(9),
  },
  VAD_ENERGY_THRESHOLD: {
    group: 'Speech',
    description: 'Energy detector: frame RMS (16-bit scale) that counts as speech.',
    schema: z.coerce.number().int().min(10).max(10000).default(300),
  },
  MIN_SPEECH_MS: {
    group: 'Speech',
    description: 'Speech shorter than this (clicks, breaths) is not a caller turn.',
    schema: z.coerce.number().int().min(20).default(200),
  },
  ENDPOINTING_SILENCE_MS: {
    group: 'Speech',
    description: 'Silence that ends a caller utterance.',
    schema: z.coerce.number().int().min(100).default(600),
  },
  DEEPGRAM_API_KEY: {
    group: 'Speech',
    description: 'Deepgram API key, for STT_PROVIDER=deepgram.',
    schema: optionalString(),
  },
  DEEPGRAM_URL: {
    group: 'Speech',
    description: 'Deepgram live-streaming endpoint (a self-hosted Deepgram or a stand-in).',
    schema: z
      .string()
      .default('wss://api.deepgram.com/v1/listen')
      .refine((value) => hasProtocol(value, ['ws:', 'wss:']), 'must be a ws:// or wss:// URL'),
  },
  DEEPGRAM_MODEL: {
    group: 'Speech',
    description: 'Deepgram model.',
    schema: z.string().min(1).default('nova-2-phonecall'),
  },
  CARTESIA_API_KEY: {
    group: 'Speech',
    description: 'Cartesia API key; enables the Cartesia text-to-speech in the fallback chain.',
    schema: optionalString(),
  },
  CARTESIA_URL: {
    group: 'Speech',
    description: 'Base URL of the Cartesia API.',
    schema: z
      .string()
      .default('https://api.cartesia.ai')
      .refine((value) => hasProtocol(value, ['http:', 'https:']), 'must be an absolute http(s) URL')
      .transform((value) => value.replace(/\/+$/, '')),
  },
  CARTESIA_MODEL: {
    group: 'Speech',
    description: 'Cartesia model id.',
    schema: z.string().min(1).default('sonic-2'),
  },
  CARTESIA_VOICE_ID: {
    group: 'Speech',
    description: 'Default Cartesia voice id when the agent names none.',
    schema: z.string().min(1).default('a0e99841-438c-4a64-b679-ae501e7d6091'),
  },
  ESPEAK_NG_PATH: {
    group: 'Speech',
    description: 'The espeak-ng executable of the local text-to-speech (detected at boot).',
    schema: z.string().min(1).default('espeak-ng'),
  },
  LLM_PROVIDER: {
    group: 'Agent and memory',
    description:
      'The conversation model: openai (any OpenAI-compatible chat-completions server, streamed, with tool calls) or local (a rules-and-retrieval agent that needs no model; also the fallback when the LLM fails).',
    schema: z.enum(['openai', 'local'], { error: 'must be openai or local' }).default('local'),
  },
  OPENAI_CHAT_MODEL: {
    group: 'Agent and memory',
    description:
      'Default chat model of agents (gpt-4o-mini, or what Ollama/vLLM/llama.cpp serve); an agent or A/B variant may name its own.',
    schema: z.string().min(1).default('gpt-4o-mini'),
  },
  AGENT_SILENCE_FILLER_MS: {
    group: 'Agent and memory',
    description:
      'Longest silence a caller hears while the agent thinks or runs a tool; past it a short filler ("One moment.") is played.',
    schema: z.coerce.number().int().min(300).max(10000).default(1500),
  },
  AGENT_TOOL_TIMEOUT_MS: {
    group: 'Agent and memory',
    description:
      'Time one tool call may take before it counts as failed (the caller hears a fallback).',
    schema: z.coerce.number().int().min(100).max(60000).default(5000),
  },
  AGENT_MAX_TOOL_ROUNDS: {
    group: 'Agent and memory',
    description:
      'Tool-calling rounds allowed in one reply before the agent stops and answers (loop cap).',
    schema: z.coerce.number().int().min(1).max(10).default(3),
  },
  AGENT_CONTEXT_TOKENS: {
    group: 'Agent and memory',
    description:
      'Prompt budget in tokens (estimated at 4 characters each): instructions, retrieved knowledge and memories, and as many recent turns as fit.',
    schema: z.coerce.number().int().min(500).max(200000).default(3000),
  },
  AGENT_HISTORY_TURNS: {
    group: 'Agent and memory',
    description:
      'Most recent turns of the conversation sent with each request (within the budget).',
    schema: z.coerce.number().int().min(2).max(200).default(24),
  },
  WEB_SEARCH_URL: {
    group: 'Agent and memory',
    description:
      'A SearXNG-compatible search endpoint (…/search, JSON output enabled) for the web_search tool. Unset: web_search is unavailable.',
    example: 'http://searxng:8080/search',
    schema: optionalUrl(['http:', 'https:']),
  },
  EMBEDDINGS_PROVIDER: {
    group: 'Agent and memory',
    description:
      'Embeddings for the knowledge base and caller memory: local (feature hashing, no model, lexical similarity only) or openai (any OpenAI-compatible /v1/embeddings).',
    schema: z.enum(['local', 'openai'], { error: 'must be local or openai' }).default('local'),
  },
  OPENAI_EMBEDDING_MODEL: {
    group: 'Agent and memory',
    description:
      'Embedding model for EMBEDDINGS_PROVIDER=openai (text-embedding-3-small, nomic-embed-text...).',
    schema: z.string().min(1).default('text-embedding-3-small'),
  },
  EMBEDDING_DIMENSIONS: {
    group: 'Agent and memory',
    description: `Vector length, stored with every vector; one of ${INDEXED_VECTOR_DIMENSIONS.join(', ')} (the dimensions the migrations index). Changing it (or the model) needs the knowledge base re-ingested.`,
    schema: z.coerce
      .number()
      .int()
      .refine(
        (value) => (INDEXED_VECTOR_DIMENSIONS as readonly number[]).includes(value),
        `must be one of ${INDEXED_VECTOR_DIMENSIONS.join(', ')}`,
      )
      .default(384),
  },
  MEMORY_RECALL_LIMIT: {
    group: 'Agent and memory',
    description: 'Caller memories and knowledge passages given to the agent per turn (each).',
    schema: z.coerce.number().int().min(1).max(20).default(5),
  },
  JOB_CONCURRENCY: {
    group: 'Background jobs',
    description:
      'Background jobs (knowledge ingestion, post-call memory) one instance runs at once. 0 turns the worker off on this instance.',
    schema: z.coerce.number().int().min(0).max(32).default(2),
  },
  JOB_POLL_INTERVAL: {
    group: 'Background jobs',
    description:
      'Seconds between looks for queued jobs (jobs enqueued by this instance start at once).',
    schema: z.coerce.number().min(0.1).max(60).default(2),
  },
  RETRY_MAX_ATTEMPTS: {
    group: 'Resilience',
    description:
      'Attempts per external provider call, the first included (retries only on timeouts/429/5xx).',
    schema: z.coerce.number().int().min(1).max(10).default(4),
  },
  RETRY_BACKOFF_INITIAL: {
    group: 'Resilience',
    description: 'Initial retry backoff in seconds (exponential with decorrelated jitter).',
    schema: z.coerce.number().min(0).default(0.5),
  },
  RETRY_BACKOFF_MAX: {
    group: 'Resilience',
    description: 'Maximum retry backoff in seconds.',
    schema: z.coerce.number().min(0).default(8),
  },
  PROVIDER_TIMEOUT: {
    group: 'Resilience',
    description: 'Default timeout in seconds for one attempt of an external provider call.',
    schema: seconds(10),
  },
  PROVIDER_STREAM_IDLE_TIMEOUT: {
    group: 'Resilience',
    description:
      'Seconds a streamed provider response (chat tokens, speech audio) may go without a chunk once started; past it the stream is cut off as failed (the caller hears the apology) instead of holding the turn.',
    schema: z.coerce.number().positive().max(600).default(15),
  },
  CIRCUIT_BREAKER_THRESHOLD: {
    group: 'Resilience',
    description:
      'Consecutive retryable failures that open a provider circuit; as many started streams stalling mid-body in a row (none finishing in between) open it too.',
    schema: z.coerce.number().int().min(1).default(5),
  },
  CIRCUIT_BREAKER_HALF_OPEN_AFTER: {
    group: 'Resilience',
    description:
      'Seconds an open circuit waits before letting one trial call through (half-open). A circuit opened by stalled streams lets calls through again after it, and opens again at the next stall until a stream is read to its end.',
    schema: seconds(30),
  },
  ENABLE_METRICS: {
    group: 'Feature flags',
    description: 'Expose Prometheus metrics at GET /metrics.',
    schema: booleanFlag(true),
  },
  ENABLE_SWAGGER: {
    group: 'Feature flags',
    description: 'Serve the OpenAPI UI at /docs and the document at /docs-json.',
    schema: booleanFlag(true),
  },
  ENABLE_CALL_QUEUE: {
    group: 'Feature flags',
    description:
      'Queue callers (with a hold message) when MAX_CONCURRENT_CALLS is reached instead of refusing.',
    schema: booleanFlag(false),
  },
  ENABLE_RECORDING: {
    group: 'Feature flags',
    description: 'Record calls.',
    schema: booleanFlag(false),
  },
  ENABLE_CONNECTION_DRAINING: {
    group: 'Feature flags',
    description:
      'On SIGTERM, let live work finish (up to SHUTDOWN_DRAIN_TIMEOUT) instead of cutting it.',
    schema: booleanFlag(true),
  },
} satisfies Record<string, EnvVarSpec>;

export type EnvName = keyof typeof ENV_SPEC;

export const envSchema = z
  .object(
    Object.fromEntries(Object.entries(ENV_SPEC).map(([name, spec]) => [name, spec.schema])) as {
      [K in EnvName]: (typeof ENV_SPEC)[K]['schema'];
    },
  )
  .superRefine((env, context) => {
    // Rules that tie variables together.
    if (env.JWT_ALGORITHM === 'HS256' && !env.JWT_SECRET && env.NODE_ENV === 'production') {
      context.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message: 'is required in production with JWT_ALGORITHM=HS256 (at least 32 random bytes)',
      });
    }
    const needsOpenAi = [
      env.EMBEDDINGS_PROVIDER === 'openai' && 'EMBEDDINGS_PROVIDER=openai',
      env.LLM_PROVIDER === 'openai' && 'LLM_PROVIDER=openai',
    ].filter(Boolean);
    if (
      needsOpenAi.length > 0 &&
      !env.OPENAI_API_KEY &&
      env.OPENAI_BASE_URL.startsWith('https://api.openai.com')
    ) {
      context.addIssue({
        code: 'custom',
        path: ['OPENAI_API_KEY'],
        message: `is required with ${needsOpenAi.join(' and ')} on api.openai.com (or point OPENAI_BASE_URL at a self-hosted server)`,
      });
    }
    if (env.CALL_QUEUE_ABANDON_AFTER <= 2 * env.CALL_QUEUE_POLL_INTERVAL) {
      // Shorter, and a caller still on the line would lose their place between two hold loops.
      context.addIssue({
        code: 'custom',
        path: ['CALL_QUEUE_ABANDON_AFTER'],
        message: `must be longer than two hold loops (2 × CALL_QUEUE_POLL_INTERVAL = ${2 * env.CALL_QUEUE_POLL_INTERVAL} s)`,
      });
    }
    if (env.JWT_ALGORITHM === 'ES256') {
      for (const name of ['JWT_PRIVATE_KEY', 'JWT_PUBLIC_KEY'] as const) {
        if (!env[name]) {
          context.addIssue({
            code: 'custom',
            path: [name],
            message: 'is required with JWT_ALGORITHM=ES256',
          });
        }
      }
    }
  });

export type Env = z.output<typeof envSchema>;
