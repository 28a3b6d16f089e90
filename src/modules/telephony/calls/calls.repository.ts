import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { TelephonyProvider } from '../phone-numbers/phone-number.entity';
import { hydrate } from '../../../database/hydrate';
import { CallEvent } from './call-event.entity';
import type { CallStatus } from './call-status';
import { TERMINAL_CALL_STATUSES } from './call-status';
import { CallTurn } from './call-turn.entity';
import { Call, CallDirection } from './call.entity';

export interface CallFilters {
  status?: CallStatus;
  direction?: CallDirection;
  agentId?: string;
  fromNumber?: string;
  toNumber?: string;
  since?: Date;
  until?: Date;
}

export type NewCall = Pick<
  Call,
  | 'organizationId'
  | 'provider'
  | 'providerCallId'
  | 'direction'
  | 'fromNumber'
  | 'toNumber'
  | 'agentId'
  | 'customerId'
  | 'status'
  | 'startedAt'
> &
  Partial<Pick<Call, 'attemptNumber' | 'maxAttempts' | 'timeoutSeconds' | 'metadata'>>;

export type CallPatch = Partial<
  Pick<
    Call,
    | 'status'
    | 'providerCallId'
    | 'answeredAt'
    | 'endedAt'
    | 'durationSeconds'
    | 'endReason'
    | 'metadata'
    | 'customerId'
    | 'variantId'
  >
>;

export type NewTurn = Omit<CallTurn, 'id' | 'call' | 'index' | 'callId' | 'organizationId'>;

/** The columns a turn's update may set (fixed: column names never come from input). */
const TURN_UPDATE_COLUMNS = [
  ['text', 'text'],
  ['endedAt', 'ended_at'],
  ['interrupted', 'interrupted'],
  ['latency', 'latency'],
  ['sentiment', 'sentiment'],
  ['metadata', 'metadata'],
] as const;

/** Calls, their events and turns. Tenant reads take the organization id; provider callbacks look up by SID. */
@Injectable()
export class CallsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private calls(manager: EntityManager = this.dataSource.manager) {
    return manager.getRepository(Call);
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Creates the call unless the provider's call id is already known (a retried webhook): then returns that. */
  async insertOrGet(fields: NewCall): Promise<{ call: Call; created: boolean }> {
    // Plain SQL: this runs on every inbound webhook.
    const [inserted] = await this.dataSource.query<Record<string, unknown>[]>(
      `INSERT INTO calls (organization_id, provider, provider_call_id, direction, from_number, to_number, agent_id,
                          customer_id, status, started_at, attempt_number, max_attempts, timeout_seconds, metadata)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (provider, provider_call_id) DO NOTHING
       RETURNING *`,
      [
        fields.organizationId,
        fields.provider,
        fields.providerCallId,
        fields.direction,
        fields.fromNumber,
        fields.toNumber,
        fields.agentId,
        fields.customerId,
        fields.status,
        fields.startedAt,
        fields.attemptNumber ?? 1,
        fields.maxAttempts ?? 1,
        fields.timeoutSeconds ?? 30,
        JSON.stringify(fields.metadata ?? {}),
      ],
    );
    if (inserted) return { call: hydrate(this.dataSource, Call, inserted), created: true };
    const existing = await this.findByProviderCallId(fields.provider, fields.providerCallId!);
    if (!existing) throw new Error('call vanished between insert and select');
    return { call: existing, created: false };
  }

  findByProviderCallId(provider: TelephonyProvider, providerCallId: string): Promise<Call | null> {
    return this.calls().findOneBy({ provider, providerCallId });
  }

  findById(organizationId: string, id: string): Promise<Call | null> {
    return this.calls().findOneBy({ organizationId, id });
  }

  /** Locks the call row for a status change (provider callbacks can race each other). */
  findByIdForUpdate(manager: EntityManager, id: string): Promise<Call | null> {
    return this.calls(manager)
      .createQueryBuilder('call')
      .setLock('pessimistic_write')
      .where('call.id = :id', { id })
      .getOne();
  }

  async update(id: string, patch: CallPatch, manager?: EntityManager): Promise<void> {
    await this.calls(manager).update({ id }, patch as QueryDeepPartialEntity<Call>);
  }

  /** Stores an event once per (call, dedupe key); false when it was a duplicate. */
  async recordEvent(
    event: Pick<
      CallEvent,
      'callId' | 'organizationId' | 'type' | 'payload' | 'dedupeKey' | 'occurredAt'
    >,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `INSERT INTO call_events (call_id, organization_id, type, payload, dedupe_key, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (call_id, dedupe_key) DO NOTHING
       RETURNING id`,
      [
        event.callId,
        event.organizationId,
        event.type,
        JSON.stringify(event.payload ?? {}),
        event.dedupeKey,
        event.occurredAt,
      ],
    );
    return rows.length > 0;
  }

  /**
   * Appends a turn with the next index of its call (one session writes a call's turns, in order), and counts it
   * on the call when it is the caller's, in one statement: it sits on the path from the caller's last word to
   * the agent's first.
   */
  async appendTurn(organizationId: string, callId: string, turn: NewTurn): Promise<CallTurn> {
    const rows = await this.dataSource.query<Record<string, unknown>[]>(
      `WITH turn AS (
         INSERT INTO call_turns (call_id, organization_id, index, role, text, started_at, ended_at, latency, sentiment, interrupted, metadata)
         SELECT $1, $2, COALESCE(MAX(index) + 1, 0), $3, $4, $5, $6, $7, $8, $9, $10 FROM call_turns WHERE call_id = $1
         RETURNING *
       ), counted AS (
         UPDATE calls SET turn_count = turn_count + 1, updated_at = now() WHERE id = $1 AND $3 = 'caller'
       )
       SELECT * FROM turn`,
      [
        callId,
        organizationId,
        turn.role,
        turn.text,
        turn.startedAt,
        turn.endedAt,
        JSON.stringify(turn.latency ?? {}),
        turn.sentiment,
        turn.interrupted,
        JSON.stringify(turn.metadata ?? {}),
      ],
    );
    return hydrate(this.dataSource, CallTurn, rows[0]);
  }

  async updateTurn(
    id: string,
    patch: Partial<
      Pick<CallTurn, 'text' | 'endedAt' | 'interrupted' | 'latency' | 'sentiment' | 'metadata'>
    >,
  ) {
    // Plain SQL: twice on every voice turn, where the query builder's work showed in profiles.
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [field, column] of TURN_UPDATE_COLUMNS) {
      const value = patch[field];
      if (value === undefined) continue;
      values.push(column === 'latency' || column === 'metadata' ? JSON.stringify(value) : value);
      sets.push(`${column} = $${values.length}`);
    }
    if (sets.length === 0) return;
    values.push(id);
    await this.dataSource.query(
      `UPDATE call_turns SET ${sets.join(', ')} WHERE id = $${values.length}`,
      values,
    );
  }

  listEvents(organizationId: string, callId: string): Promise<CallEvent[]> {
    return this.dataSource
      .getRepository(CallEvent)
      .find({ where: { organizationId, callId }, order: { occurredAt: 'ASC', id: 'ASC' } });
  }

  listTurns(organizationId: string, callId: string): Promise<CallTurn[]> {
    return this.dataSource
      .getRepository(CallTurn)
      .find({ where: { organizationId, callId }, order: { index: 'ASC' } });
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  list(
    organizationId: string,
    filters: CallFilters,
    limit: number,
    after?: { at: Date; id: string },
  ): Promise<Call[]> {
    const query = this.calls()
      .createQueryBuilder('call')
      .where('call.organization_id = :organizationId', { organizationId })
      .orderBy('call.created_at', 'DESC')
      .addOrderBy('call.id', 'DESC')
      .take(limit);
    if (filters.status) query.andWhere('call.status = :status', { status: filters.status });
    if (filters.direction)
      query.andWhere('call.direction = :direction', { direction: filters.direction });
    if (filters.agentId) query.andWhere('call.agent_id = :agentId', { agentId: filters.agentId });
    if (filters.fromNumber)
      query.andWhere('call.from_number = :fromNumber', { fromNumber: filters.fromNumber });
    if (filters.toNumber)
      query.andWhere('call.to_number = :toNumber', { toNumber: filters.toNumber });
    if (filters.since) query.andWhere('call.created_at >= :since', { since: filters.since });
    if (filters.until) query.andWhere('call.created_at < :until', { until: filters.until });
    if (after) query.andWhere('(call.created_at, call.id) < (:at, :id)', after);
    return query.getMany();
  }

  /** Of the given calls, those not yet in a terminal status. */
  findOpen(ids: string[]): Promise<Call[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.calls()
      .createQueryBuilder('call')
      .where({ id: In(ids) })
      .andWhere('call.status NOT IN (:...terminal)', { terminal: TERMINAL_CALL_STATUSES })
      .getMany();
  }
}
