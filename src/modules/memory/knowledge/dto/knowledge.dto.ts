import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { DOCUMENT_FORMATS, type DocumentFormat } from '../knowledge-document.entity';

const trimmed = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value;

export class CreateKnowledgeDocumentDto {
  @ApiProperty({ example: 'Opening hours and prices', maxLength: 200 })
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title: string;

  @ApiPropertyOptional({ enum: DOCUMENT_FORMATS, default: 'text' })
  @IsOptional()
  @IsIn(DOCUMENT_FORMATS)
  format?: DocumentFormat;

  @ApiProperty({
    description: 'The document, as plain text or markdown (up to 900,000 characters)',
  })
  @IsString()
  @Transform(trimmed)
  @IsNotEmpty({ message: 'content must not be empty' })
  @MaxLength(900_000)
  content: string;
}

export class KnowledgeSearchDto {
  @ApiProperty({ example: 'When are you open on Saturday?' })
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty({ message: 'query must not be empty' })
  @MaxLength(2000)
  query: string;

  @ApiPropertyOptional({ default: 5, minimum: 1, maximum: 50 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  limit?: number;
}
