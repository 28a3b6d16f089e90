import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AllowApiKey, CurrentTenant } from '../../../common/auth/auth.decorators';
import type { TenantPrincipal } from '../../../common/auth/principal';
import { NotFoundError } from '../../../common/errors/domain-error';
import { decodeCursor, Page, toPage } from '../../../common/pagination/cursor';
import { PageQuery } from '../../../common/pagination/page-query.dto';
import type { Customer } from './customer.entity';
import { CustomersRepository } from './customers.repository';

@ApiTags('customers')
@ApiBearerAuth()
@Controller('api/v1/customers')
export class CustomersController {
  constructor(private readonly customers: CustomersRepository) {}

  @Get()
  @AllowApiKey('calls:read')
  async list(
    @CurrentTenant() actor: TenantPrincipal,
    @Query() query: PageQuery,
  ): Promise<Page<Customer>> {
    const limit = query.limit ?? 25;
    const rows = await this.customers.list(
      actor.organizationId,
      limit + 1,
      decodeCursor(query.cursor),
    );
    return toPage(rows, limit, (customer) => ({ at: customer.lastSeenAt, id: customer.id }));
  }

  @Get(':id')
  @AllowApiKey('calls:read')
  async get(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<Customer> {
    const customer = await this.customers.findById(actor.organizationId, id);
    if (!customer) throw new NotFoundError('Customer not found', 'CUSTOMER_NOT_FOUND');
    return customer;
  }
}
