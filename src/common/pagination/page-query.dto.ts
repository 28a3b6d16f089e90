import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, Min } from 'class-validator';
import { Optional } from '../validation/optional';

/** `?limit=&cursor=` of every keyset-paginated list. */
export class PageQuery {
  @ApiPropertyOptional({ default: 25, maximum: 100 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @Optional()
  @IsString()
  cursor?: string;
}
