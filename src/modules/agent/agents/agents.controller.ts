import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AllowApiKey, CurrentTenant, Roles } from '../../../common/auth/auth.decorators';
import type { TenantPrincipal } from '../../../common/auth/principal';
import type { Page } from '../../../common/pagination/cursor';
import { PageQuery } from '../../../common/pagination/page-query.dto';
import { ExperimentReport, ExperimentsService } from '../experiments/experiments.service';
import type { AgentVariant } from './agent-variant.entity';
import type { Agent } from './agent.entity';
import { AgentsService, AgentWithVariants } from './agents.service';
import {
  CreateAgentDto,
  CreateVariantDto,
  UpdateAgentDto,
  UpdateVariantDto,
} from './dto/agent.dto';

@ApiTags('agents')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/agents')
export class AgentsController {
  constructor(
    private readonly agents: AgentsService,
    private readonly experiments: ExperimentsService,
  ) {}

  @Post()
  @Roles('owner', 'admin')
  @AllowApiKey('agents:write')
  create(
    @CurrentTenant() actor: TenantPrincipal,
    @Body() body: CreateAgentDto,
  ): Promise<AgentWithVariants> {
    return this.agents.create(actor.organizationId, body);
  }

  @Get()
  @AllowApiKey('agents:read')
  list(@CurrentTenant() actor: TenantPrincipal, @Query() query: PageQuery): Promise<Page<Agent>> {
    return this.agents.list(actor.organizationId, query);
  }

  @Get(':id')
  @AllowApiKey('agents:read')
  get(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<AgentWithVariants> {
    return this.agents.get(actor.organizationId, id);
  }

  @Patch(':id')
  @Roles('owner', 'admin')
  @AllowApiKey('agents:write')
  update(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateAgentDto,
  ): Promise<AgentWithVariants> {
    return this.agents.update(actor.organizationId, id, body);
  }

  /** Its phone numbers stay, without an agent (calls to them hear "not in service") until reassigned. */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Roles('owner', 'admin')
  @AllowApiKey('agents:write')
  remove(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    return this.agents.remove(actor.organizationId, id);
  }

  @Get(':id/variants')
  @AllowApiKey('agents:read')
  listVariants(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<AgentVariant[]> {
    return this.agents.listVariants(actor.organizationId, id);
  }

  /** Adds an A/B variant: calls are shared among an agent's variants by weight. */
  @Post(':id/variants')
  @Roles('owner', 'admin')
  @AllowApiKey('agents:write')
  createVariant(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: CreateVariantDto,
  ): Promise<AgentVariant> {
    return this.agents.createVariant(actor.organizationId, id, body);
  }

  @Patch(':id/variants/:variantId')
  @Roles('owner', 'admin')
  @AllowApiKey('agents:write')
  updateVariant(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('variantId', ParseUUIDPipe) variantId: string,
    @Body() body: UpdateVariantDto,
  ): Promise<AgentVariant> {
    return this.agents.updateVariant(actor.organizationId, id, variantId, body);
  }

  @Delete(':id/variants/:variantId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Roles('owner', 'admin')
  @AllowApiKey('agents:write')
  removeVariant(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('variantId', ParseUUIDPipe) variantId: string,
  ): Promise<void> {
    return this.agents.removeVariant(actor.organizationId, id, variantId);
  }

  /** Per variant: finished calls, average caller turns, completion rate and average caller sentiment. */
  @Get(':id/experiments')
  @AllowApiKey('agents:read')
  experimentReport(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ExperimentReport> {
    return this.experiments.report(actor.organizationId, id);
  }
}
