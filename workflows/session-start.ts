// Starting the incident's Devin session — exactly one working session: a retried create finds the
// session its lost answer created (by the run's session tag), another active session of the incident is
// never adopted silently nor duplicated without an operator's say, and a failed session is replaced only
// when an operator chooses so (the old one named in the status).
import { workflowInfo } from '@temporalio/workflow';
import type { IncidentContext } from '../src/domain/evidence';
import type { DryRun, OtherSession, SessionIdentity, StartedSession } from '../src/domain/session';
import type { PostmortemSettings } from '../src/domain/settings';
import { untilItWorks } from './activity-proxies';
import type { IncidentState } from './incident-state';
import type { Operator } from './operator';
import { Skipped } from './outcomes';
import type { Visibility } from './visibility';

const describe = (sessions: OtherSession[]) => sessions.map((s) => `${s.sessionUrl ?? s.sessionId} (${s.status})`).join(', ');

export class SessionStarter {
  private generation = 0;

  constructor(
    private readonly state: IncidentState,
    private readonly operator: Operator,
    private readonly visibility: Visibility,
    private readonly settings: PostmortemSettings,
    private readonly context: IncidentContext,
  ) {}

  /** The session (or the dry run); undefined when an operator skipped the step. */
  async start(): Promise<StartedSession | DryRun | undefined> {
    const { settings, operator } = this;
    this.generation++;
    let despiteOthers = false;
    for (;;) {
      const identity: SessionIdentity = { runId: workflowInfo().runId, generation: this.generation, ...(despiteOthers ? { despiteOthers } : {}) };
      const started = await operator.attempt(settings.dryRun ? 'Write dry-run prompt' : 'Start Devin session', () =>
        untilItWorks.startPostmortemSession.executeWithOptions(
          // On the rate-limited queue of session creation (DEVIN_MAX_SESSIONS_PER_MINUTE).
          { summary: settings.dryRun ? 'Write dry-run prompt (no DEVIN_API_KEY)' : 'Start Devin session', taskQueue: settings.sessionTaskQueue },
          [{ ...this.context, incident: this.state.incident }, identity],
        ),
      );
      if (!started) return undefined;
      if (!('conflict' in started)) {
        if (!started.dryRun) this.record(started);
        return started;
      }
      this.noteOthers(started.conflict);
      const decision = await operator.ask(
        'Start Devin session',
        new Error(
          `a Devin session for this incident already exists that this workflow did not start: ${describe(started.conflict)}. ` +
            '`retry` starts a new session anyway (the existing one is left alone and named in the status); `skip` ends the incident skipped',
        ),
      );
      if (decision === 'skip') return undefined;
      despiteOthers = true;
    }
  }

  /** A new session in place of a failed one; the failed one is named in the status. */
  async next(failed: StartedSession): Promise<StartedSession> {
    this.noteOthers([{ sessionId: failed.sessionId, sessionUrl: failed.sessionUrl, status: 'given up for a new session' }]);
    const started = await this.start();
    if (!started) throw new Skipped(`skipped by an operator before a new Devin session started${this.operator.because()}`);
    if (started.dryRun) throw new Error('a dry run cannot replace a Devin session');
    return started;
  }

  private record(session: StartedSession): void {
    const { status } = this.state;
    status.devinSessionId = session.sessionId;
    status.devinSessionUrl = session.sessionUrl;
    if (session.others) this.noteOthers(session.others);
    this.visibility.publish();
  }

  private noteOthers(sessions: OtherSession[]): void {
    const { status } = this.state;
    const known = status.otherDevinSessions ?? [];
    status.otherDevinSessions = [...known.filter((k) => !sessions.some((s) => s.sessionId === k.sessionId)), ...sessions];
  }
}
