import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class InsightsQuery {
  @ApiPropertyOptional({ default: 'general', example: 'support' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_-]{0,39}$/, {
    message: 'callType must be a lowercase word (letters, digits, _ or -), up to 40 characters',
  })
  callType?: string;

  @ApiPropertyOptional({
    description: 'What the call is about, to favour patterns of similar calls',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  context?: string;
}
