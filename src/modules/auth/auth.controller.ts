import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal, Public, RateLimit } from '../../common/auth/auth.decorators';
import type { Principal } from '../../common/auth/principal';
import { AuthError } from '../../common/errors/domain-error';
import { AccountView, AuthService } from './auth.service';
import { ChangePasswordDto, LoginDto, RefreshDto, RegisterDto, TokenPairDto } from './dto/auth.dto';
import type { ClientInfo } from './tokens/refresh-token.service';

function clientOf(request: FastifyRequest): ClientInfo {
  return { userAgent: request.headers['user-agent'], ip: request.ip };
}

function asUser(principal: Principal): Extract<Principal, { kind: 'user' }> {
  if (principal.kind !== 'user') throw new AuthError('This route needs a user access token');
  return principal;
}

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @RateLimit('auth')
  @Post('register')
  @ApiOkResponse({ type: TokenPairDto })
  register(@Body() body: RegisterDto, @Req() request: FastifyRequest): Promise<TokenPairDto> {
    return this.auth.register(body, clientOf(request));
  }

  @Public()
  @RateLimit('auth')
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TokenPairDto })
  login(@Body() body: LoginDto, @Req() request: FastifyRequest): Promise<TokenPairDto> {
    return this.auth.login(body, clientOf(request));
  }

  @Public()
  @RateLimit('auth')
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TokenPairDto })
  refresh(@Body() body: RefreshDto, @Req() request: FastifyRequest): Promise<TokenPairDto> {
    return this.auth.refresh(body.refreshToken, clientOf(request));
  }

  /** Logout: ends the session the refresh token belongs to. Possession of the token is the credential. */
  @Public()
  @RateLimit('auth')
  @Post('revoke')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  revoke(@Body() body: RefreshDto): Promise<void> {
    return this.auth.revoke(body.refreshToken);
  }

  @ApiBearerAuth()
  @Post('revoke-all')
  @HttpCode(HttpStatus.OK)
  revokeAll(@CurrentPrincipal() principal: Principal): Promise<{ revoked: number }> {
    return this.auth.revokeAll(asUser(principal));
  }

  @ApiBearerAuth()
  @RateLimit('auth')
  @Post('change-password')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TokenPairDto })
  changePassword(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ChangePasswordDto,
    @Req() request: FastifyRequest,
  ): Promise<TokenPairDto> {
    return this.auth.changePassword(asUser(principal), body, clientOf(request));
  }

  @ApiBearerAuth()
  @Get('me')
  me(@CurrentPrincipal() principal: Principal): Promise<AccountView> {
    return this.auth.account(asUser(principal));
  }
}
