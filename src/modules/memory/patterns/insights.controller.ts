import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AllowApiKey, CurrentTenant } from '../../../common/auth/auth.decorators';
import type { TenantPrincipal } from '../../../common/auth/principal';
import { InsightsQuery } from './dto/insights.dto';
import { Insight, InsightsService } from './insights.service';

@ApiTags('insights')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/insights')
export class InsightsController {
  constructor(private readonly insights: InsightsService) {}

  /** The persona and tools that have worked best for this kind of call, with a confidence. */
  @Get()
  @AllowApiKey('agents:read')
  get(@CurrentTenant() actor: TenantPrincipal, @Query() query: InsightsQuery): Promise<Insight> {
    return this.insights.recommend(
      actor.organizationId,
      query.callType ?? 'general',
      query.context,
    );
  }
}
