import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { flushErrorReports } from '../errors/error-reporting';

/** Something with live work to finish before the process exits (HTTP requests now; calls later). */
export interface DrainParticipant {
  readonly name: string;
  /** Units of work still running. */
  inFlight(): number;
  /** Brings `inFlight` up to date with what other instances did (asked before each check of the drain). */
  refresh?(): Promise<void>;
  /** Called once the drain deadline passes with work still running: end it politely. */
  forceStop?(): Promise<void>;
  /** Called at the end of every drain, to leave nothing half-done (e.g. records in a non-final state). */
  afterDrain?(): Promise<void>;
}

const POLL_INTERVAL_MS = 100;

/**
 * Owns the shutdown sequence. On SIGTERM (Nest's shutdown hooks) readiness turns 503 at once, new work is
 * refused, and in-flight work gets up to SHUTDOWN_DRAIN_TIMEOUT before Nest closes connections.
 */
@Injectable()
export class ShutdownService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private readonly participants: DrainParticipant[] = [];
  private shuttingDown = false;
  private drained: Promise<void> | undefined;

  constructor(private readonly config: AppConfig) {}

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  register(participant: DrainParticipant): void {
    this.participants.push(participant);
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.drained ??= this.drain(signal);
    return this.drained;
  }

  private async drain(signal?: string): Promise<void> {
    this.shuttingDown = true;
    const budgetMs = this.config.features.connectionDraining
      ? this.config.server.shutdownDrainTimeoutMs
      : 0;
    this.logger.log(
      `Shutdown started${signal ? ` (${signal})` : ''}: readiness is 503, new work is refused; ` +
        `draining ${this.describeInFlight()} for up to ${budgetMs / 1000}s`,
    );
    const deadline = Date.now() + budgetMs;
    while ((await this.refreshedInFlight()) > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
    if (this.totalInFlight() > 0) {
      this.logger.warn(`Drain deadline reached with ${this.describeInFlight()} still running`);
      await Promise.allSettled(
        this.participants.map((participant) => participant.forceStop?.() ?? Promise.resolve()),
      );
    } else {
      this.logger.log('Drained: no work in flight');
    }
    for (const participant of this.participants) {
      await participant
        .afterDrain?.()
        .catch((error: unknown) =>
          this.logger.error(
            `Finishing ${participant.name} after the drain failed: ${String(error)}`,
          ),
        );
    }
    // What went wrong while draining is reported before the process exits.
    await flushErrorReports(2000);
  }

  private async refreshedInFlight(): Promise<number> {
    for (const participant of this.participants) {
      await participant
        .refresh?.()
        .catch((error: unknown) =>
          this.logger.warn(`Refreshing ${participant.name} failed: ${String(error)}`),
        );
    }
    return this.totalInFlight();
  }

  private totalInFlight(): number {
    return this.participants.reduce((sum, participant) => sum + participant.inFlight(), 0);
  }

  private describeInFlight(): string {
    const parts = this.participants.map(
      (participant) => `${participant.inFlight()} ${participant.name}`,
    );
    return parts.length > 0 ? parts.join(', ') : 'nothing';
  }
}
