import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsUUID, Matches, ValidateIf } from 'class-validator';
import { TELEPHONY_PROVIDERS, type TelephonyProvider } from '../phone-number.entity';
import { Optional } from '../../../../common/validation/optional';

export class CreatePhoneNumberDto {
  @ApiProperty({ example: '+14155550199' })
  @Matches(/^\+[1-9]\d{6,14}$/, {
    message: 'e164 must be an E.164 phone number, e.g. +14155550199',
  })
  e164: string;

  @ApiPropertyOptional({ enum: TELEPHONY_PROVIDERS, default: 'twilio' })
  @Optional()
  @IsIn(TELEPHONY_PROVIDERS)
  provider?: TelephonyProvider;

  @ApiPropertyOptional({ nullable: true, description: 'The agent that answers this number' })
  @IsOptional()
  @ValidateIf((_object, value) => value !== null)
  @IsUUID()
  agentId?: string | null;

  @ApiPropertyOptional({ default: true })
  @Optional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdatePhoneNumberDto {
  @ApiPropertyOptional({ enum: TELEPHONY_PROVIDERS })
  @Optional()
  @IsIn(TELEPHONY_PROVIDERS)
  provider?: TelephonyProvider;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_object, value) => value !== null)
  @IsUUID()
  agentId?: string | null;

  @ApiPropertyOptional()
  @Optional()
  @IsBoolean()
  enabled?: boolean;
}
