import { NormalizedEmail } from '../../../../common/validation/normalized-email';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { MIN_PASSWORD_LENGTH } from '../../passwords/password-hasher';
import { USER_ROLES, type UserRole } from '../user.entity';
import { Optional } from '../../../../common/validation/optional';

export class CreateUserDto {
  @ApiProperty({ example: 'agent.lead@acme.example' })
  @NormalizedEmail()
  email: string;

  @ApiProperty({ minLength: MIN_PASSWORD_LENGTH })
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(256)
  password: string;

  @ApiProperty({ enum: USER_ROLES })
  @IsIn(USER_ROLES)
  role: UserRole;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: USER_ROLES })
  @Optional()
  @IsIn(USER_ROLES)
  role?: UserRole;

  @ApiPropertyOptional({ description: 'true disables the user and ends their sessions' })
  @Optional()
  @IsBoolean()
  disabled?: boolean;
}

export class UserViewDto {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty({ enum: USER_ROLES }) role: UserRole;
  @ApiProperty({ nullable: true, type: Date }) disabledAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) lastLoginAt: Date | null;
  @ApiProperty() createdAt: Date;
}
