import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Trimmed } from '../../../../common/validation/trimmed';
import { IsIn, IsNotEmpty, IsNumber, IsString, Max, MaxLength, Min } from 'class-validator';
import { MEMORY_KINDS, type MemoryKind } from '../customer-memory.entity';
import { Optional } from '../../../../common/validation/optional';

export class CreateCustomerMemoryDto {
  @ApiProperty({ example: 'Prefers appointments in the morning' })
  @Trimmed()
  @IsString()
  @IsNotEmpty({ message: 'content must not be empty' })
  @MaxLength(2000)
  content: string;

  @ApiPropertyOptional({ enum: MEMORY_KINDS, default: 'fact' })
  @Optional()
  @IsIn(MEMORY_KINDS)
  kind?: MemoryKind;

  @ApiPropertyOptional({ default: 0.5, minimum: 0, maximum: 1 })
  @Optional()
  @IsNumber()
  @Min(0)
  @Max(1)
  importance?: number;
}
