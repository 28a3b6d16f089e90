import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { FastifyReply } from 'fastify';
import { AllowOperatorToken, Roles } from '../../common/auth/auth.decorators';

@ApiExcludeController()
@Controller()
// Scrapers send METRICS_TOKEN as a bearer token; owners and admins of the operating organization may also
// read it with their own token (RolesGuard checks the organization).
@AllowOperatorToken()
@Roles('owner', 'admin')
export class MetricsController extends PrometheusController {
  @Get()
  override async index(@Res({ passthrough: true }) response: FastifyReply): Promise<string> {
    return super.index(response);
  }
}
