import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AllowApiKey, CurrentTenant, Roles } from '../../../common/auth/auth.decorators';
import type { TenantPrincipal } from '../../../common/auth/principal';
import type { Page } from '../../../common/pagination/cursor';
import { PageQuery } from '../../../common/pagination/page-query.dto';
import { CreateKnowledgeDocumentDto, KnowledgeSearchDto } from './dto/knowledge.dto';
import type { KnowledgeDocument } from './knowledge-document.entity';
import { KnowledgeSearchResult, KnowledgeService } from './knowledge.service';

@ApiTags('knowledge')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/knowledge')
export class KnowledgeController {
  constructor(private readonly knowledge: KnowledgeService) {}

  /** Accepted at once (202); chunking and embedding run in the background: poll the document for progress. */
  @Post('documents')
  @HttpCode(HttpStatus.ACCEPTED)
  @Roles('owner', 'admin', 'member')
  @AllowApiKey('knowledge:write')
  create(
    @CurrentTenant() actor: TenantPrincipal,
    @Body() body: CreateKnowledgeDocumentDto,
  ): Promise<KnowledgeDocument> {
    return this.knowledge.create(actor.organizationId, body);
  }

  @Get('documents')
  @AllowApiKey('knowledge:read')
  list(
    @CurrentTenant() actor: TenantPrincipal,
    @Query() query: PageQuery,
  ): Promise<Page<KnowledgeDocument>> {
    return this.knowledge.list(actor.organizationId, query);
  }

  @Get('documents/:id')
  @AllowApiKey('knowledge:read')
  get(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<KnowledgeDocument> {
    return this.knowledge.get(actor.organizationId, id);
  }

  @Delete('documents/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Roles('owner', 'admin', 'member')
  @AllowApiKey('knowledge:write')
  remove(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    return this.knowledge.remove(actor.organizationId, id);
  }

  /** The passages nearest in meaning to the query, best first. */
  @Post('search')
  @HttpCode(HttpStatus.OK)
  @AllowApiKey('knowledge:read')
  async search(
    @CurrentTenant() actor: TenantPrincipal,
    @Body() body: KnowledgeSearchDto,
  ): Promise<{ results: KnowledgeSearchResult[] }> {
    return {
      results: await this.knowledge.search(actor.organizationId, body.query, body.limit ?? 5),
    };
  }
}
