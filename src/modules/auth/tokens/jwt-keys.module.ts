import { Module } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { JwtKeys, loadJwtKeys } from './jwt-keys';

/** One JwtKeys per app, shared by JwtModule (signing) and the passport strategy (verification). */
@Module({
  providers: [{ provide: JwtKeys, inject: [AppConfig], useFactory: loadJwtKeys }],
  exports: [JwtKeys],
})
export class JwtKeysModule {}
