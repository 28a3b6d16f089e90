import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsInt, IsObject, IsUUID, Matches, Max, Min } from 'class-validator';
import { PageQuery } from '../../../../common/pagination/page-query.dto';
import { CALL_STATUSES, type CallStatus } from '../call-status';
import { Optional } from '../../../../common/validation/optional';

const E164 = /^\+[1-9]\d{6,14}$/;
const E164_MESSAGE = 'must be an E.164 phone number, e.g. +14155550100';

export class DialCallDto {
  @ApiProperty({ example: '+14155550100' })
  @Matches(E164, { message: `to ${E164_MESSAGE}` })
  to: string;

  @ApiProperty({ example: '+14155550199', description: 'One of your enabled phone numbers' })
  @Matches(E164, { message: `from ${E164_MESSAGE}` })
  from: string;

  @ApiProperty()
  @IsUUID()
  agentId: string;

  @ApiPropertyOptional({ default: 1, minimum: 1, maximum: 5 })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(5)
  maxAttempts?: number;

  @ApiPropertyOptional({ default: 30, minimum: 5, maximum: 600, description: 'Seconds to ring' })
  @Optional()
  @IsInt()
  @Min(5)
  @Max(600)
  timeoutSeconds?: number;

  @ApiPropertyOptional()
  @Optional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class ListCallsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CALL_STATUSES })
  @Optional()
  @IsIn(CALL_STATUSES)
  status?: CallStatus;

  @ApiPropertyOptional({ enum: ['inbound', 'outbound'] })
  @Optional()
  @IsIn(['inbound', 'outbound'])
  direction?: 'inbound' | 'outbound';

  @ApiPropertyOptional()
  @Optional()
  @IsUUID()
  agentId?: string;

  @ApiPropertyOptional()
  @Optional()
  @Matches(E164, { message: `from ${E164_MESSAGE}` })
  from?: string;

  @ApiPropertyOptional()
  @Optional()
  @Matches(E164, { message: `to ${E164_MESSAGE}` })
  to?: string;

  @ApiPropertyOptional({ description: 'ISO 8601; calls created at or after' })
  @Optional()
  @IsDateString()
  since?: string;

  @ApiPropertyOptional({ description: 'ISO 8601; calls created before' })
  @Optional()
  @IsDateString()
  until?: string;
}
