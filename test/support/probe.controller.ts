import { Body, Controller, Get, Logger, Module, Post, Query } from '@nestjs/common';
import { IsInt, IsString, Max, Min } from 'class-validator';
import { Public } from '../../src/common/auth/auth.decorators';
import {
  CircuitOpenError,
  ExternalProviderError,
  RateLimitedError,
} from '../../src/common/errors/domain-error';

class EchoDto {
  @IsString()
  name: string;

  @IsInt()
  @Min(1)
  @Max(10)
  count: number;
}

/** Routes that fail on purpose, mounted only in e2e tests, to exercise the global filter and pipe. */
@Public()
@Controller('__probe')
class ProbeController {
  private readonly logger = new Logger('Probe');

  @Post('echo')
  echo(@Body() body: EchoDto): EchoDto {
    return body;
  }

  @Get('log')
  log(@Query('from') from: string): { ok: true } {
    this.logger.log(`incoming call from ${from}`);
    this.logger.warn({ msg: 'caller details', caller: { phone: from }, token: 'sk_live_secret' });
    return { ok: true };
  }

  /** Logs after the body was read and validated: the request's context must survive body parsing. */
  @Post('log')
  async logPosted(@Body() body: EchoDto): Promise<{ ok: true }> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.logger.log(`posted ${body.name}`);
    return { ok: true };
  }

  @Get('slow')
  async slow(): Promise<{ ok: true }> {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { ok: true };
  }

  @Get('rate-limited')
  rateLimited(): never {
    throw new RateLimitedError(7);
  }

  @Get('provider-down')
  providerDown(): never {
    throw new ExternalProviderError('openai', 'openai failed: HTTP 502', 502);
  }

  @Get('circuit-open')
  circuitOpen(): never {
    throw new CircuitOpenError('deepgram');
  }

  @Get('crash')
  crash(): never {
    throw new Error('connection string postgres://admin:hunter2@db leaked');
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
