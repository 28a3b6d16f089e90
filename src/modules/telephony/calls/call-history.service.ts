import { Injectable } from '@nestjs/common';
import type { TenantPrincipal } from '../../../common/auth/principal';
import { NotFoundError } from '../../../common/errors/domain-error';
import { decodeCursor, Page, toPage } from '../../../common/pagination/cursor';
import type { CallEvent } from './call-event.entity';
import type { CallTurn } from './call-turn.entity';
import type { Call } from './call.entity';
import { CallsRepository } from './calls.repository';
import type { ListCallsQuery } from './dto/calls.dto';

export interface CallDetail {
  call: Call;
  events: CallEvent[];
  turns: CallTurn[];
}

@Injectable()
export class CallHistoryService {
  constructor(private readonly calls: CallsRepository) {}

  async list(actor: TenantPrincipal, query: ListCallsQuery): Promise<Page<Call>> {
    const limit = query.limit ?? 25;
    const rows = await this.calls.list(
      actor.organizationId,
      {
        status: query.status,
        direction: query.direction,
        agentId: query.agentId,
        fromNumber: query.from,
        toNumber: query.to,
        since: query.since ? new Date(query.since) : undefined,
        until: query.until ? new Date(query.until) : undefined,
      },
      limit + 1,
      decodeCursor(query.cursor),
    );
    return toPage(rows, limit, (call) => ({ at: call.createdAt, id: call.id }));
  }

  async get(actor: TenantPrincipal, id: string): Promise<CallDetail> {
    const call = await this.calls.findById(actor.organizationId, id);
    if (!call) throw new NotFoundError('Call not found', 'CALL_NOT_FOUND');
    const [events, turns] = await Promise.all([
      this.calls.listEvents(actor.organizationId, id),
      this.calls.listTurns(actor.organizationId, id),
    ]);
    return { call, events, turns };
  }
}
