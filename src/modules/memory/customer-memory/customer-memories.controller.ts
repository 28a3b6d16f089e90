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
import type { CustomerMemory } from './customer-memory.entity';
import { CustomerMemoryService } from './customer-memory.service';
import { CreateCustomerMemoryDto } from './dto/customer-memory.dto';

@ApiTags('customers')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/customers/:customerId/memories')
export class CustomerMemoriesController {
  constructor(private readonly memories: CustomerMemoryService) {}

  @Get()
  @AllowApiKey('calls:read')
  list(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Query() query: PageQuery,
  ): Promise<Page<CustomerMemory>> {
    return this.memories.list(actor.organizationId, customerId, query);
  }

  /** Adds a memory by hand (an agent's `remember` tool and post-call summaries add the others). */
  @Post()
  @Roles('owner', 'admin', 'member')
  @AllowApiKey('calls:write')
  async create(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Body() body: CreateCustomerMemoryDto,
  ): Promise<CustomerMemory> {
    await this.memories.assertCustomer(actor.organizationId, customerId);
    return this.memories.remember({
      organizationId: actor.organizationId,
      customerId,
      content: body.content,
      kind: body.kind ?? 'fact',
      importance: body.importance,
    });
  }

  @Delete(':memoryId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Roles('owner', 'admin')
  @AllowApiKey('calls:write')
  forget(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Param('memoryId', ParseUUIDPipe) memoryId: string,
  ): Promise<void> {
    return this.memories.forget(actor.organizationId, customerId, memoryId);
  }

  /** Right to be forgotten: deletes every memory of this customer. */
  @Delete()
  @Roles('owner', 'admin')
  @AllowApiKey('calls:write')
  forgetAll(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('customerId', ParseUUIDPipe) customerId: string,
  ): Promise<{ deleted: number }> {
    return this.memories.forgetAll(actor.organizationId, customerId);
  }
}
