import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Trimmed } from '../../../../common/validation/trimmed';
import {
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { TOOL_NAMES, type ToolName } from '../../tools/agent-tool';
import { Optional } from '../../../../common/validation/optional';

const nullable = (_object: object, value: unknown) => value !== null;

export class CreateAgentDto {
  @ApiProperty({ example: 'Front desk', maxLength: 120 })
  @Trimmed()
  @IsString()
  @IsNotEmpty()
  @MaxLength(120)
  name: string;

  @ApiPropertyOptional({ description: 'The task: who the agent works for and what it does' })
  @Optional()
  @IsString()
  @MaxLength(20_000)
  systemPrompt?: string;

  @ApiPropertyOptional({ example: 'Warm, brief and precise' })
  @Optional()
  @IsString()
  @MaxLength(2000)
  persona?: string;

  @ApiPropertyOptional({
    description: 'Spoken when the call connects; empty: the agent waits for the caller',
  })
  @Optional()
  @IsString()
  @MaxLength(1000)
  firstMessage?: string;

  @ApiPropertyOptional({ example: 'alloy', description: 'Voice of the text-to-speech provider' })
  @Optional()
  @IsString()
  @MaxLength(100)
  voice?: string;

  @ApiPropertyOptional({ example: 'en-US' })
  @Optional()
  @Matches(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, {
    message: 'language must be a BCP 47 tag, e.g. en-US',
  })
  language?: string;

  @ApiPropertyOptional({ enum: ['deepgram', 'openai'], nullable: true })
  @IsOptional()
  @ValidateIf(nullable)
  @IsIn(['deepgram', 'openai'])
  sttProvider?: string | null;

  @ApiPropertyOptional({ enum: ['cartesia', 'openai', 'local'], nullable: true })
  @IsOptional()
  @ValidateIf(nullable)
  @IsIn(['cartesia', 'openai', 'local'])
  ttsProvider?: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'Chat model; null: OPENAI_CHAT_MODEL' })
  @IsOptional()
  @ValidateIf(nullable)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  model?: string | null;

  @ApiPropertyOptional({ enum: TOOL_NAMES, isArray: true, default: [] })
  @Optional()
  @IsArray()
  @ArrayUnique()
  @IsIn(TOOL_NAMES, {
    each: true,
    message: `toolsEnabled: each tool must be one of ${TOOL_NAMES.join(', ')}`,
  })
  toolsEnabled?: ToolName[];

  @ApiPropertyOptional({ default: 8, minimum: 1, maximum: 200 })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(200)
  maxTurns?: number;

  @ApiPropertyOptional({
    nullable: true,
    example: '+14155550100',
    description: 'Where transfer_to_human dials',
  })
  @IsOptional()
  @ValidateIf(nullable)
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'transferNumber must be an E.164 phone number' })
  transferNumber?: string | null;

  @ApiPropertyOptional({ default: 'general', example: 'support' })
  @Optional()
  @Matches(/^[a-z][a-z0-9_-]{0,39}$/, {
    message: 'callType must be a lowercase word (letters, digits, _ or -), up to 40 characters',
  })
  callType?: string;
}

// A field left out is left as it is; one sent as null must be nullable (validated, not skipped).
export class UpdateAgentDto extends PartialType(CreateAgentDto, { skipNullProperties: false }) {}

export class CreateVariantDto {
  @ApiProperty({ example: 'warmer-greeting', maxLength: 60 })
  @Trimmed()
  @IsString()
  @IsNotEmpty()
  @MaxLength(60)
  name: string;

  @ApiPropertyOptional({
    default: 1,
    minimum: 0,
    maximum: 1000,
    description: 'Relative share of calls; 0 pauses it',
  })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(1000)
  weight?: number;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf(nullable)
  @IsString()
  @MaxLength(20_000)
  systemPrompt?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf(nullable)
  @IsString()
  @MaxLength(2000)
  persona?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf(nullable)
  @IsString()
  @MaxLength(1000)
  firstMessage?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf(nullable)
  @IsString()
  @MaxLength(100)
  voice?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf(nullable)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  model?: string | null;
}

export class UpdateVariantDto extends PartialType(CreateVariantDto, {
  skipNullProperties: false,
}) {}
