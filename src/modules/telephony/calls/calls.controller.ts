import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AllowApiKey, CurrentTenant, Roles } from '../../../common/auth/auth.decorators';
import type { TenantPrincipal } from '../../../common/auth/principal';
import type { Page } from '../../../common/pagination/cursor';
import { CallDetail, CallHistoryService } from './call-history.service';
import type { Call } from './call.entity';
import { DialCallDto, ListCallsQuery } from './dto/calls.dto';
import { OutboundCallService } from './outbound-call.service';

@ApiTags('calls')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/calls')
export class CallsController {
  constructor(
    private readonly history: CallHistoryService,
    private readonly outbound: OutboundCallService,
  ) {}

  /** Dials out through Twilio; each attempt is recorded as its own call. */
  @Post()
  @Roles('owner', 'admin', 'member')
  @AllowApiKey('calls:write')
  dial(@CurrentTenant() actor: TenantPrincipal, @Body() body: DialCallDto): Promise<Call> {
    return this.outbound.dial(actor, {
      to: body.to,
      from: body.from,
      agentId: body.agentId,
      maxAttempts: body.maxAttempts ?? 1,
      timeoutSeconds: body.timeoutSeconds ?? 30,
      metadata: body.metadata,
    });
  }

  @Get()
  @AllowApiKey('calls:read')
  list(
    @CurrentTenant() actor: TenantPrincipal,
    @Query() query: ListCallsQuery,
  ): Promise<Page<Call>> {
    return this.history.list(actor, query);
  }

  /** The call, its events and its transcript turns, in order. */
  @Get(':id')
  @AllowApiKey('calls:read')
  get(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<CallDetail> {
    return this.history.get(actor, id);
  }
}
