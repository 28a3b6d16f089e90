import { Logger, type Provider } from '@nestjs/common';
import { openAiClient } from '../../../common/providers/openai-client';
import { ResilienceFactory } from '../../../common/resilience/resilience.factory';
import { AppConfig } from '../../../config/app-config';
import { LocalRulesModel } from '../local/local-rules-model';
import { LanguageModel } from './language-model';
import { OpenAiLanguageModel } from './openai-language-model';

/** Binds the LanguageModel port from LLM_PROVIDER; the local agent is always there as the fallback. */
export const languageModelProviders: Provider[] = [
  { provide: LocalRulesModel, useValue: new LocalRulesModel() },
  {
    provide: LanguageModel,
    inject: [AppConfig, ResilienceFactory, LocalRulesModel],
    useFactory: (
      config: AppConfig,
      resilience: ResilienceFactory,
      local: LocalRulesModel,
    ): LanguageModel => {
      const logger = new Logger('LanguageModel');
      const client = config.agent.llmProvider === 'openai' ? openAiClient(config) : undefined;
      if (!client) {
        logger.log('Agents answer with the local rules-and-retrieval agent (LLM_PROVIDER=local)');
        return local;
      }
      logger.log(
        `Agents answer with ${config.agent.chatModel} (OpenAI-compatible); the local agent is the fallback`,
      );
      return new OpenAiLanguageModel(
        client,
        config.agent.chatModel,
        resilience.create('openai-chat'),
      );
    },
  },
];
