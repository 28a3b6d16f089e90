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
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AllowApiKey, CurrentTenant, Roles } from '../../../common/auth/auth.decorators';
import type { TenantPrincipal } from '../../../common/auth/principal';
import { CreatePhoneNumberDto, UpdatePhoneNumberDto } from './dto/phone-number.dto';
import type { PhoneNumber } from './phone-number.entity';
import { PhoneNumbersService } from './phone-numbers.service';

@ApiTags('phone-numbers')
@ApiBearerAuth()
@Controller('api/v1/phone-numbers')
export class PhoneNumbersController {
  constructor(private readonly numbers: PhoneNumbersService) {}

  @Get()
  @AllowApiKey('calls:read')
  list(@CurrentTenant() actor: TenantPrincipal): Promise<PhoneNumber[]> {
    return this.numbers.list(actor);
  }

  @Get(':id')
  @AllowApiKey('calls:read')
  get(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<PhoneNumber> {
    return this.numbers.get(actor, id);
  }

  @Post()
  @Roles('owner', 'admin')
  create(
    @CurrentTenant() actor: TenantPrincipal,
    @Body() body: CreatePhoneNumberDto,
  ): Promise<PhoneNumber> {
    return this.numbers.create(actor, body);
  }

  @Patch(':id')
  @Roles('owner', 'admin')
  update(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdatePhoneNumberDto,
  ): Promise<PhoneNumber> {
    return this.numbers.update(actor, id, body);
  }

  @Delete(':id')
  @Roles('owner', 'admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    return this.numbers.remove(actor, id);
  }
}
