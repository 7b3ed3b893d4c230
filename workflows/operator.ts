// An operator's say in the incident: a step that retries could not fix parks it in `needs_attention`
// until someone signals `retry` or `skip` (cancel is handled by the lifecycle's cancellation scope).
import { ActivityFailure, ApplicationFailure, condition, isCancellation } from '@temporalio/workflow';
import type { OperatorNote } from '../src/domain/messages';
import type { IncidentState } from './incident-state';
import type { Visibility } from './visibility';

export type Decision = 'retry' | 'skip';

export class Operator {
  private decision: Decision | undefined;
  /** The reason the operator gave with the latest retry, skip or cancel. */
  reason: string | undefined;

  constructor(
    private readonly state: IncidentState,
    private readonly visibility: Visibility,
  ) {}

  /** The retry and skip signals: they only mean something in `needs_attention`. */
  decide(decision: Decision, note?: OperatorNote): void {
    if (this.state.phase !== 'needs_attention') return;
    this.decision = decision;
    this.reason = note?.reason;
  }

  cancelled(note?: OperatorNote): void {
    this.reason = note?.reason;
  }

  /** The reason, as the tail of a sentence: `: <reason>`, or nothing. */
  because(): string {
    return this.reason ? `: ${this.reason}` : '';
  }

  /** Parks the incident in `needs_attention` with the reason until an operator says retry or skip. */
  async ask(step: string, error: unknown): Promise<Decision> {
    const { state, visibility } = this;
    const resumeIn = state.phase;
    state.status.lastError = `${step}: ${failureMessage(error)}`;
    this.decision = undefined;
    visibility.enter('needs_attention');
    await condition(() => this.decision !== undefined);
    const decision = this.pending() ?? 'retry';
    this.decision = undefined;
    if (decision === 'retry') state.status.lastError = undefined;
    visibility.enter(resumeIn);
    return decision;
  }

  /** A method, so the type checker does not assume the signal handlers never ran. */
  private pending(): Decision | undefined {
    return this.decision;
  }

  /** Runs a step; a failure that retries could not fix waits for an operator instead of failing the incident. */
  async attempt<T>(step: string, work: () => Promise<T>): Promise<T | undefined> {
    for (;;) {
      try {
        return await work();
      } catch (error) {
        if (isCancellation(error)) throw error;
        if ((await this.ask(step, error)) === 'skip') return undefined;
      }
    }
  }
}

export function failureType(error: unknown): string | undefined {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? (error.cause.type ?? undefined) : undefined;
}

export function failureMessage(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}
