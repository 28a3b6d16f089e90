import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Trimmed } from '../../../../common/validation/trimmed';
import {
  IsIn,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MEMORY_KINDS, type MemoryKind } from '../customer-memory.entity';

export class CreateCustomerMemoryDto {
  @ApiProperty({ example: 'Prefers appointments in the morning' })
  @Trimmed()
  @IsString()
  @IsNotEmpty({ message: 'content must not be empty' })
  @MaxLength(2000)
  content: string;

  @ApiPropertyOptional({ enum: MEMORY_KINDS, default: 'fact' })
  @IsOptional()
  @IsIn(MEMORY_KINDS)
  kind?: MemoryKind;

  @ApiPropertyOptional({ default: 0.5, minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  importance?: number;
}
