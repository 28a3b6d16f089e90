import { Logger, type Provider } from '@nestjs/common';
import { openAiClient } from '../../../common/providers/openai-client';
import { ResilienceFactory } from '../../../common/resilience/resilience.factory';
import { AppConfig } from '../../../config/app-config';
import { Embeddings } from './embeddings';
import { LocalHashingEmbeddings } from './local-hashing-embeddings';
import { OpenAiEmbeddings } from './openai-embeddings';

/** Binds the Embeddings port from EMBEDDINGS_PROVIDER; the OpenAI adapter behind its resilience policy. */
export const embeddingsProvider: Provider = {
  provide: Embeddings,
  inject: [AppConfig, ResilienceFactory],
  useFactory: (config: AppConfig, resilience: ResilienceFactory): Embeddings => {
    const logger = new Logger('Embeddings');
    const { embeddingsProvider, embeddingModel, embeddingDimensions } = config.memory;
    if (embeddingsProvider === 'openai') {
      const client = openAiClient(config);
      if (client) {
        logger.log(`Embeddings: ${embeddingModel} (${embeddingDimensions} dimensions)`);
        return new OpenAiEmbeddings(
          client,
          embeddingModel,
          embeddingDimensions,
          resilience.create('openai-embeddings'),
        );
      }
      // Config validation refuses this; falling back silently would change the vectors' model.
      throw new Error(
        'EMBEDDINGS_PROVIDER=openai needs OPENAI_API_KEY (or a self-hosted OPENAI_BASE_URL)',
      );
    }
    const local = new LocalHashingEmbeddings(embeddingDimensions);
    logger.log(
      `Embeddings: ${local.space.model} (${embeddingDimensions} dimensions, lexical similarity only)`,
    );
    return local;
  },
};
