import { Module, type Provider } from '@nestjs/common';
import { ResilienceFactory } from '../../common/resilience/resilience.factory';
import { AppConfig } from '../../config/app-config';
import { MemoryModule } from '../memory/memory.module';
import { agentMetricProviders } from './agent.metrics';
import { AgentsController } from './agents/agents.controller';
import { AgentsRepository } from './agents/agents.repository';
import { AgentsService } from './agents/agents.service';
import { AgentChatController } from './chat/agent-chat.controller';
import { AgentChatGateway } from './chat/agent-chat.gateway';
import { AgentChatService } from './chat/agent-chat.service';
import { AgentRuntime } from './conversation/agent-runtime';
import { ExperimentsRepository } from './experiments/experiments.repository';
import { ExperimentsService } from './experiments/experiments.service';
import { languageModelProviders } from './llm/language-model.providers';
import { CallSummarizer } from './post-call/call-summarizer';
import { PostCallJob } from './post-call/post-call.job';
import { CalculatorTool } from './tools/calculator/calculator.tool';
import { EndCallTool } from './tools/end-call.tool';
import { KnowledgeSearchTool } from './tools/knowledge-search.tool';
import { RememberTool } from './tools/remember.tool';
import { ToolRegistry } from './tools/tool-registry';
import { TransferToHumanTool } from './tools/transfer-to-human.tool';
import { SearxngWebSearch } from './tools/web-search/searxng-web-search';
import { WEB_SEARCH, WebSearch } from './tools/web-search/web-search';
import { WebSearchTool } from './tools/web-search/web-search.tool';

/** The web_search port: bound only when WEB_SEARCH_URL names a SearXNG-compatible endpoint. */
const webSearchProvider: Provider = {
  provide: WEB_SEARCH,
  inject: [AppConfig, ResilienceFactory],
  useFactory: (config: AppConfig, resilience: ResilienceFactory): WebSearch | null =>
    config.agent.webSearchUrl
      ? new SearxngWebSearch(config.agent.webSearchUrl, resilience.create('web-search'))
      : null,
};

/** Agents (configuration, A/B variants, experiments), their runtime with tools and fallbacks, and chat testing. */
@Module({
  imports: [MemoryModule],
  controllers: [AgentsController, AgentChatController],
  providers: [
    ...agentMetricProviders,
    ...languageModelProviders,
    webSearchProvider,
    AgentsRepository,
    AgentsService,
    ExperimentsRepository,
    ExperimentsService,
    CalculatorTool,
    KnowledgeSearchTool,
    RememberTool,
    TransferToHumanTool,
    EndCallTool,
    WebSearchTool,
    ToolRegistry,
    AgentRuntime,
    CallSummarizer,
    PostCallJob,
    AgentChatService,
    AgentChatGateway,
  ],
  exports: [AgentsRepository, AgentsService, AgentRuntime],
})
export class AgentModule {}
