import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsString,
  IsUUID,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { MAX_INPUT_CHARACTERS } from '../../conversation/agent-conversation';
import { Optional } from '../../../../common/validation/optional';

export class ChatTurnDto {
  @ApiProperty({ enum: ['caller', 'agent'] })
  @IsIn(['caller', 'agent'])
  role: 'caller' | 'agent';

  @ApiProperty()
  @IsString()
  @MaxLength(MAX_INPUT_CHARACTERS)
  text: string;
}

export class ChatSessionOptionsDto {
  @ApiPropertyOptional({
    description: "A customer of yours: the agent recalls and keeps this caller's memories",
  })
  @Optional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional({
    description: 'Talk to one A/B variant of the agent instead of the agent itself',
  })
  @Optional()
  @IsUUID()
  variantId?: string;
}

export class ChatRequestDto extends ChatSessionOptionsDto {
  @ApiProperty({ example: 'What are your opening hours on Saturday?' })
  @IsString()
  @MaxLength(MAX_INPUT_CHARACTERS)
  message: string;

  @ApiPropertyOptional({
    type: [ChatTurnDto],
    description: 'The conversation so far (oldest first), for multi-turn tests; up to 100 turns',
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ChatTurnDto)
  history?: ChatTurnDto[];
}
