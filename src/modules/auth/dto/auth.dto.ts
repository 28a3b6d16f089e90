import { NormalizedEmail } from '../../../common/validation/normalized-email';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { MIN_PASSWORD_LENGTH } from '../passwords/password-hasher';
import { Optional } from '../../../common/validation/optional';
import { ORGANIZATION_SLUG_PATTERN } from '../../../common/validation/patterns';

export class RegisterDto {
  @ApiProperty({ example: 'Acme Dental' })
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  organizationName: string;

  @ApiPropertyOptional({
    example: 'acme-dental',
    description: 'Derived from the name when omitted',
  })
  @Optional()
  @IsString()
  @Matches(ORGANIZATION_SLUG_PATTERN, {
    message: 'organizationSlug must be 2-63 lowercase letters, digits or dashes',
  })
  organizationSlug?: string;

  @ApiProperty({ example: 'owner@acme.example' })
  @NormalizedEmail()
  email: string;

  @ApiProperty({ minLength: MIN_PASSWORD_LENGTH })
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(256)
  password: string;
}

export class LoginDto {
  @ApiProperty({ example: 'owner@acme.example' })
  @NormalizedEmail()
  email: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @MinLength(10)
  @MaxLength(200)
  refreshToken: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @MaxLength(256)
  currentPassword: string;

  @ApiProperty({ minLength: MIN_PASSWORD_LENGTH })
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(256)
  newPassword: string;
}

export class TokenPairDto {
  @ApiProperty()
  accessToken: string;

  @ApiProperty()
  refreshToken: string;

  @ApiProperty({ description: 'Access-token lifetime in seconds' })
  expiresIn: number;

  @ApiProperty({ example: 'Bearer' })
  tokenType: 'Bearer';
}
