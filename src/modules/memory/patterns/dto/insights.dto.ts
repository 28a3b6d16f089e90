import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { Optional } from '../../../../common/validation/optional';

export class InsightsQuery {
  @ApiPropertyOptional({ default: 'general', example: 'support' })
  @Optional()
  @Matches(/^[a-z][a-z0-9_-]{0,39}$/, {
    message: 'callType must be a lowercase word (letters, digits, _ or -), up to 40 characters',
  })
  callType?: string;

  @ApiPropertyOptional({
    description: 'What the call is about, to favour patterns of similar calls',
  })
  @Optional()
  @IsString()
  @MaxLength(2000)
  context?: string;
}
