import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Trimmed } from '../../../../common/validation/trimmed';
import { IsIn, IsInt, IsNotEmpty, IsString, Max, MaxLength, Min } from 'class-validator';
import { DOCUMENT_FORMATS, type DocumentFormat } from '../knowledge-document.entity';
import { Optional } from '../../../../common/validation/optional';

export class CreateKnowledgeDocumentDto {
  @ApiProperty({ example: 'Opening hours and prices', maxLength: 200 })
  @Trimmed()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title: string;

  @ApiPropertyOptional({ enum: DOCUMENT_FORMATS, default: 'text' })
  @Optional()
  @IsIn(DOCUMENT_FORMATS)
  format?: DocumentFormat;

  @ApiProperty({
    description: 'The document, as plain text or markdown (up to 900,000 characters)',
  })
  @IsString()
  @Trimmed()
  @IsNotEmpty({ message: 'content must not be empty' })
  @MaxLength(900_000)
  content: string;
}

export class KnowledgeSearchDto {
  @ApiProperty({ example: 'When are you open on Saturday?' })
  @Trimmed()
  @IsString()
  @IsNotEmpty({ message: 'query must not be empty' })
  @MaxLength(2000)
  query: string;

  @ApiPropertyOptional({ default: 5, minimum: 1, maximum: 50 })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(50)
  limit?: number;
}
