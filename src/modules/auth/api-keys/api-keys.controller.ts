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
} from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, RateLimit, Roles } from '../../../common/auth/auth.decorators';
import type { TenantPrincipal } from '../../../common/auth/principal';
import { AuthError } from '../../../common/errors/domain-error';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyViewDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';

/** Keys are managed by owners and admins with their user token; a key cannot mint keys. */
@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('api/v1/api-keys')
@Roles('owner', 'admin')
@RateLimit('admin')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  create(
    @CurrentTenant() actor: TenantPrincipal,
    @Body() body: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    if (actor.kind !== 'user') throw new AuthError('API keys are created with a user access token');
    return this.apiKeys.create(actor, body);
  }

  @Get()
  @ApiOkResponse({ type: [ApiKeyViewDto] })
  list(@CurrentTenant() actor: TenantPrincipal): Promise<ApiKeyViewDto[]> {
    return this.apiKeys.list(actor);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  revoke(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    return this.apiKeys.revoke(actor, id);
  }
}
