import * as path from 'node:path';
import { envSchema, type Env } from './env.schema';
import { ConfigValidationError } from './config-validation.error';

/**
 * The validated configuration as a typed tree. Built once at boot by {@link loadConfig}; injected everywhere as
 * the `AppConfig` class token so no module reads `process.env` on its own.
 */
export abstract class AppConfig {
  abstract readonly env: 'development' | 'production' | 'test';
  abstract readonly server: {
    readonly port: number;
    readonly host: string;
    readonly publicBaseUrl: string;
    readonly trustProxy: boolean | number | string;
    readonly dataDir: string;
    readonly shutdownDrainTimeoutMs: number;
  };
  abstract readonly database: {
    /** Undefined means: start the embedded PostgreSQL. */
    readonly url: string | undefined;
    readonly poolSize: number;
    readonly migrationsRun: boolean;
    readonly ssl: boolean;
  };
  abstract readonly redis: { readonly url: string | undefined };
  abstract readonly logging: {
    readonly level: Env['LOG_LEVEL'];
    readonly pretty: boolean;
  };
  abstract readonly observability: {
    readonly sentryDsn: string | undefined;
    readonly metricsToken: string | undefined;
  };
  abstract readonly auth: {
    readonly algorithm: 'HS256' | 'ES256';
    /** HS256 secret; undefined in development until the dev secret is generated (see JwtKeyProvider). */
    readonly secret: string | undefined;
    readonly privateKey: string | undefined;
    readonly publicKey: string | undefined;
    readonly issuer: string;
    readonly audience: string;
    readonly accessTtlSeconds: number;
    readonly refreshTtlSeconds: number;
    readonly refreshReuseGraceMs: number;
    readonly registrationEnabled: boolean;
    /** Slug of the organization that operates the deployment; undefined: the first one registered. */
    readonly operatorOrganization: string | undefined;
    readonly rateLimitPerMinute: number;
    readonly adminRateLimitPerMinute: number;
  };
  abstract readonly telephony: {
    readonly twilio: {
      readonly accountSid: string | undefined;
      readonly authToken: string | undefined;
      readonly apiBaseUrl: string;
      readonly ratePerMinute: number;
    };
    readonly maxConcurrentCalls: number;
    readonly maxQueueSize: number;
    readonly queuePollIntervalSeconds: number;
    /** A queued caller whose hold loop has not asked again for this long is presumed gone. */
    readonly queueAbandonAfterMs: number;
    readonly holdMessage: string;
    readonly registryTtlSeconds: number;
    readonly maxTurns: number;
    readonly streamTokenTtlSeconds: number;
    readonly drainRedirectUrl: string | undefined;
  };
  abstract readonly speech: {
    readonly sttProvider: 'deepgram' | 'openai' | 'none';
    readonly deepgram: {
      readonly apiKey: string | undefined;
      readonly url: string;
      readonly model: string;
    };
    readonly ttsProvider: 'local' | 'openai' | 'cartesia';
    readonly openai: {
      readonly apiKey: string | undefined;
      readonly baseUrl: string;
      readonly sttModel: string;
      readonly ttsModel: string;
      readonly ttsVoice: string;
    };
    readonly cartesia: {
      readonly apiKey: string | undefined;
      readonly baseUrl: string;
      readonly model: string;
      readonly voiceId: string;
    };
    readonly espeakPath: string;
    readonly sentimentProvider: 'lexicon' | 'llm';
    readonly bargeInMinSpeechMs: number;
    readonly endpointingSilenceMs: number;
    readonly vadDetector: 'spectral' | 'energy';
    readonly vadSnrThresholdDb: number;
    readonly vadEnergyThreshold: number;
    readonly minSpeechMs: number;
  };
  abstract readonly agent: {
    readonly llmProvider: 'openai' | 'local';
    readonly chatModel: string;
    readonly silenceFillerMs: number;
    readonly toolTimeoutMs: number;
    readonly maxToolRounds: number;
    readonly contextTokens: number;
    readonly historyTurns: number;
    readonly webSearchUrl: string | undefined;
  };
  abstract readonly memory: {
    readonly embeddingsProvider: 'local' | 'openai';
    readonly embeddingModel: string;
    readonly embeddingDimensions: number;
    readonly recallLimit: number;
  };
  abstract readonly jobs: {
    readonly concurrency: number;
    readonly pollIntervalMs: number;
  };
  abstract readonly resilience: {
    readonly maxAttempts: number;
    readonly backoffInitialMs: number;
    readonly backoffMaxMs: number;
    readonly timeoutMs: number;
    readonly streamIdleTimeoutMs: number;
    readonly breakerThreshold: number;
    readonly halfOpenAfterMs: number;
  };
  abstract readonly features: {
    readonly metrics: boolean;
    readonly swagger: boolean;
    readonly callQueue: boolean;
    readonly recording: boolean;
    readonly connectionDraining: boolean;
  };
}

/** Validates the environment once; throws {@link ConfigValidationError} naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigValidationError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(root)'),
        message: issue.message,
        received: source[String(issue.path[0])],
      })),
    );
  }
  return toTree(parsed.data);
}

function toTree(env: Env): AppConfig {
  const ms = (s: number) => Math.round(s * 1000);
  return {
    env: env.NODE_ENV,
    server: {
      port: env.PORT,
      host: env.HOST,
      publicBaseUrl: env.PUBLIC_BASE_URL,
      trustProxy: parseTrustProxy(env.TRUST_PROXY),
      dataDir: path.resolve(env.DATA_DIR),
      shutdownDrainTimeoutMs: ms(env.SHUTDOWN_DRAIN_TIMEOUT),
    },
    database: {
      url: env.DATABASE_URL,
      poolSize: env.DB_POOL_SIZE,
      migrationsRun: env.DB_MIGRATIONS_RUN,
      ssl: env.DB_SSL,
    },
    redis: { url: env.REDIS_URL },
    logging: {
      level: env.LOG_LEVEL,
      pretty:
        env.LOG_PRETTY === 'auto' ? env.NODE_ENV === 'development' : env.LOG_PRETTY === 'true',
    },
    observability: { sentryDsn: env.SENTRY_DSN, metricsToken: env.METRICS_TOKEN },
    auth: {
      algorithm: env.JWT_ALGORITHM,
      secret: env.JWT_SECRET,
      privateKey: env.JWT_PRIVATE_KEY,
      publicKey: env.JWT_PUBLIC_KEY,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      accessTtlSeconds: env.JWT_ACCESS_TTL,
      refreshTtlSeconds: env.JWT_REFRESH_TTL,
      refreshReuseGraceMs: ms(env.JWT_REFRESH_REUSE_GRACE),
      registrationEnabled: env.AUTH_REGISTRATION_ENABLED,
      operatorOrganization: env.OPERATOR_ORGANIZATION,
      rateLimitPerMinute: env.AUTH_RATE_LIMIT,
      adminRateLimitPerMinute: env.ADMIN_RATE_LIMIT,
    },
    telephony: {
      twilio: {
        accountSid: env.TWILIO_ACCOUNT_SID,
        authToken: env.TWILIO_AUTH_TOKEN,
        apiBaseUrl: env.TWILIO_API_BASE_URL,
        ratePerMinute: env.TWILIO_RATE_LIMIT,
      },
      maxConcurrentCalls: env.MAX_CONCURRENT_CALLS,
      maxQueueSize: env.MAX_CALL_QUEUE_SIZE,
      queuePollIntervalSeconds: env.CALL_QUEUE_POLL_INTERVAL,
      queueAbandonAfterMs: env.CALL_QUEUE_ABANDON_AFTER * 1000,
      holdMessage: env.CALL_HOLD_MESSAGE,
      registryTtlSeconds: env.CALL_REGISTRY_TTL,
      maxTurns: env.MAX_TURNS,
      streamTokenTtlSeconds: env.STREAM_TOKEN_TTL,
      drainRedirectUrl: env.DRAIN_REDIRECT_URL,
    },
    speech: {
      sttProvider: env.STT_PROVIDER,
      deepgram: { apiKey: env.DEEPGRAM_API_KEY, url: env.DEEPGRAM_URL, model: env.DEEPGRAM_MODEL },
      ttsProvider: env.TTS_PROVIDER,
      openai: {
        apiKey: env.OPENAI_API_KEY,
        baseUrl: env.OPENAI_BASE_URL,
        sttModel: env.OPENAI_STT_MODEL,
        ttsModel: env.OPENAI_TTS_MODEL,
        ttsVoice: env.OPENAI_TTS_VOICE,
      },
      cartesia: {
        apiKey: env.CARTESIA_API_KEY,
        baseUrl: env.CARTESIA_URL,
        model: env.CARTESIA_MODEL,
        voiceId: env.CARTESIA_VOICE_ID,
      },
      espeakPath: env.ESPEAK_NG_PATH,
      sentimentProvider: env.SENTIMENT_PROVIDER,
      bargeInMinSpeechMs: env.BARGE_IN_MIN_SPEECH_MS,
      endpointingSilenceMs: env.ENDPOINTING_SILENCE_MS,
      vadDetector: env.VAD_DETECTOR,
      vadSnrThresholdDb: env.VAD_SNR_THRESHOLD_DB,
      vadEnergyThreshold: env.VAD_ENERGY_THRESHOLD,
      minSpeechMs: env.MIN_SPEECH_MS,
    },
    agent: {
      llmProvider: env.LLM_PROVIDER,
      chatModel: env.OPENAI_CHAT_MODEL,
      silenceFillerMs: env.AGENT_SILENCE_FILLER_MS,
      toolTimeoutMs: env.AGENT_TOOL_TIMEOUT_MS,
      maxToolRounds: env.AGENT_MAX_TOOL_ROUNDS,
      contextTokens: env.AGENT_CONTEXT_TOKENS,
      historyTurns: env.AGENT_HISTORY_TURNS,
      webSearchUrl: env.WEB_SEARCH_URL,
    },
    memory: {
      embeddingsProvider: env.EMBEDDINGS_PROVIDER,
      embeddingModel: env.OPENAI_EMBEDDING_MODEL,
      embeddingDimensions: env.EMBEDDING_DIMENSIONS,
      recallLimit: env.MEMORY_RECALL_LIMIT,
    },
    jobs: {
      concurrency: env.JOB_CONCURRENCY,
      pollIntervalMs: ms(env.JOB_POLL_INTERVAL),
    },
    resilience: {
      maxAttempts: env.RETRY_MAX_ATTEMPTS,
      backoffInitialMs: ms(env.RETRY_BACKOFF_INITIAL),
      backoffMaxMs: ms(env.RETRY_BACKOFF_MAX),
      timeoutMs: ms(env.PROVIDER_TIMEOUT),
      streamIdleTimeoutMs: ms(env.PROVIDER_STREAM_IDLE_TIMEOUT),
      breakerThreshold: env.CIRCUIT_BREAKER_THRESHOLD,
      halfOpenAfterMs: ms(env.CIRCUIT_BREAKER_HALF_OPEN_AFTER),
    },
    features: {
      metrics: env.ENABLE_METRICS,
      swagger: env.ENABLE_SWAGGER,
      callQueue: env.ENABLE_CALL_QUEUE,
      recording: env.ENABLE_RECORDING,
      connectionDraining: env.ENABLE_CONNECTION_DRAINING,
    },
  };
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}
