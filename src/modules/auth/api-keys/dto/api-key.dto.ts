import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayUnique,
  IsArray,
  IsDateString,
  IsIn,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import { API_KEY_SCOPES } from '../../../../common/auth/api-key-scopes';
import { Optional } from '../../../../common/validation/optional';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'CRM integration' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true })
  @IsArray()
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes: string[];

  @ApiPropertyOptional({ description: 'ISO 8601 expiry; none means the key lives until revoked' })
  @Optional()
  @IsDateString()
  expiresAt?: string;
}

export class ApiKeyViewDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'The visible start of the key, e.g. sk_3fa9c2d1' }) prefix: string;
  @ApiProperty({ isArray: true }) scopes: string[];
  @ApiProperty({ nullable: true, type: String }) createdBy: string | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) lastUsedAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) expiresAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) revokedAt: Date | null;
}

export class CreatedApiKeyDto extends ApiKeyViewDto {
  @ApiProperty({ description: 'The full key. Shown once: only its hash is stored.' })
  secret: string;
}
