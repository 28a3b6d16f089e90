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
import { ApiBearerAuth, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AllowApiKey, CurrentTenant, RateLimit, Roles } from '../../../common/auth/auth.decorators';
import type { TenantPrincipal } from '../../../common/auth/principal';
import { CreateUserDto, UpdateUserDto, UserViewDto } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/users')
@Roles('owner', 'admin')
@RateLimit('admin')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @AllowApiKey('users:read')
  @ApiOkResponse({ type: [UserViewDto] })
  list(@CurrentTenant() actor: TenantPrincipal): Promise<UserViewDto[]> {
    return this.users.list(actor);
  }

  @Get(':id')
  @AllowApiKey('users:read')
  @ApiOkResponse({ type: UserViewDto })
  get(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<UserViewDto> {
    return this.users.get(actor, id);
  }

  @Post()
  @AllowApiKey('users:write')
  @ApiOkResponse({ type: UserViewDto })
  create(
    @CurrentTenant() actor: TenantPrincipal,
    @Body() body: CreateUserDto,
  ): Promise<UserViewDto> {
    return this.users.create(actor, body);
  }

  @Patch(':id')
  @AllowApiKey('users:write')
  @ApiOkResponse({ type: UserViewDto })
  update(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateUserDto,
  ): Promise<UserViewDto> {
    return this.users.update(actor, id, body);
  }

  @Delete(':id')
  @AllowApiKey('users:write')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    return this.users.remove(actor, id);
  }
}
