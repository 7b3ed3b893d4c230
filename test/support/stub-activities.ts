// Scriptable stand-ins for the incident workflow's activities, for workflow tests that need neither the
// real activities nor the SaaS fakes. Every incident (workflow id) gets its own script and call log: the
// worker's activities look them up by the calling workflow's id, so tests stay independent even while an
// earlier test's workflow is still running. Only the activities' names, inputs and results are used here —
// never anything of the workflow's internals.
import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { PostmortemActivities } from '../../activities';
import { workflowIdForIncident } from '../../src/domain/incident';
import { type IncidentContext } from '../../src/domain/evidence';

export type ActivityName = keyof PostmortemActivities;
export type ActivityInput<K extends ActivityName> = Parameters<PostmortemActivities[K]>[0];
export type ActivityOutput<K extends ActivityName> = Awaited<ReturnType<PostmortemActivities[K]>>;
export type PostmortemSettings = ActivityOutput<'getPostmortemSettings'>;
export type SessionStart = ActivityOutput<'startPostmortemSession'>;
export type SessionObservation = ActivityOutput<'waitForPullRequest'>;

/** One attempt of one activity, as the stub saw it. */
export interface StubCall<K extends ActivityName = ActivityName> {
  activity: K;
  input: ActivityInput<K>;
  /** The task queue the attempt ran on. */
  taskQueue: string;
  attempt: number;
  /** The activity's second argument, when it has one (startPostmortemSession: the session identity). */
  extra?: unknown;
}

/** `call` counts this activity's attempts for the incident, from 1; `extra` is its second argument, if any. */
export type Handler<K extends ActivityName> = (input: ActivityInput<K>, call: number, extra?: unknown) => Promise<ActivityOutput<K>> | ActivityOutput<K>;

export type Script = { settings?: Partial<PostmortemSettings> } & { [K in Exclude<ActivityName, 'getPostmortemSettings'>]?: Handler<K> };

/** "Devin is still working": the retryable failure that makes the workflow poll again. */
export function notReady(message = 'no pull request yet'): ApplicationFailure {
  return ApplicationFailure.create({ type: 'PullRequestNotReady', message, category: ApplicationFailureCategory.BENIGN });
}

/** A call the service refused (a revoked key, a missing incident): retries cannot fix it. */
export function rejected(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'ExternalServiceRejected', nonRetryable: true, message });
}

/** A gate a stub can wait at until the test opens it (or aborts it, when the test ends). */
export class Latch {
  readonly opened: Promise<void>;
  private settle!: (error?: Error) => void;

  constructor() {
    this.opened = new Promise<void>((resolve, reject) => {
      this.settle = (error) => (error ? reject(error) : resolve());
    });
    this.opened.catch(() => undefined); // nobody may be waiting when it is aborted
  }

  open(): void {
    this.settle();
  }

  abort(reason: string): void {
    this.settle(new Error(reason));
  }
}

/** The evidence the real activity would return for what the webhooks said, as if PagerDuty's API answered. */
export function contextFromRequest(request: ActivityInput<'collectIncidentContext'>): IncidentContext {
  return {
    source: 'pagerduty_api',
    incident: request.incident,
    timeline: request.observed,
    alerts: [],
    notes: request.observedNotes,
    changeEvents: [],
    omitted: {},
    collectedAt: new Date().toISOString(),
  };
}

export const sessionIdFor = (incidentId: string) => `devin-${incidentId.toLowerCase()}`;
export const sessionUrlFor = (incidentId: string) => `https://app.devin.ai/sessions/${sessionIdFor(incidentId)}`;
export const pullRequestUrlFor = (incidentId: string) => `https://github.com/acme/postmortems/pull/${incidentId}`;

/** One incident's script and what its workflow asked for. */
export class StubIncident {
  readonly calls: StubCall[] = [];
  disposed = false;

  constructor(
    readonly incidentId: string,
    readonly settings: PostmortemSettings,
    private readonly script: Script,
  ) {}

  /** The inputs of every attempt of `activity`, in order. */
  callsTo<K extends ActivityName>(activity: K): ActivityInput<K>[] {
    return this.calls.filter((c) => c.activity === activity).map((c) => c.input as ActivityInput<K>);
  }

  attemptsOf<K extends ActivityName>(activity: K): StubCall<K>[] {
    return this.calls.filter((c): c is StubCall<K> => c.activity === activity);
  }

  dispose(): void {
    this.disposed = true;
  }

  async run<K extends ActivityName>(activity: K, input: ActivityInput<K>, taskQueue: string, attempt: number, extra?: unknown): Promise<ActivityOutput<K>> {
    this.calls.push({ activity, input, taskQueue, attempt, extra } as StubCall);
    const call = this.calls.filter((c) => c.activity === activity).length;
    if (activity === 'getPostmortemSettings') return this.settings as ActivityOutput<K>;
    const handler = this.script[activity as Exclude<ActivityName, 'getPostmortemSettings'>] as Handler<K> | undefined;
    return handler ? handler(input, call, extra) : this.byDefault(activity, input);
  }

  private byDefault<K extends ActivityName>(activity: K, input: ActivityInput<K>): ActivityOutput<K> {
    const id = this.incidentId;
    const defaults: { [A in Exclude<ActivityName, 'getPostmortemSettings'>]: (input: ActivityInput<A>) => ActivityOutput<A> } = {
      collectIncidentContext: (request) => contextFromRequest(request),
      startPostmortemSession: () => ({ dryRun: false, sessionId: sessionIdFor(id), sessionUrl: sessionUrlFor(id), adopted: false }),
      writeBackToIncident: () => ({ posted: true }),
      announceOnSlack: () => undefined,
      waitForPullRequest: () => ({ kind: 'published', url: pullRequestUrlFor(id) }),
      sendSessionMessage: () => undefined,
      terminateSession: () => ({ terminated: true, status: 'exit' }),
      // A PR that passes the check and is merged at the first look (scripts say otherwise).
      checkPullRequest: () => ({ pullRequest: { state: 'open', merged: false, headSha: STUB_HEAD_SHA, reviewState: 'none' }, check: { headSha: STUB_HEAD_SHA, path: 'postmortems/stub.md', conclusion: 'success', errors: 0, warnings: 0, byKind: {}, findings: [] } }),
      waitForPullRequestChange: () => ({ state: 'closed', merged: true, headSha: STUB_HEAD_SHA, mergeCommitSha: 'b'.repeat(40), reviewState: 'approved' }),
      requestPostmortemReviewers: () => ({ requested: [] }),
      readPullRequest: () => ({ state: 'closed', merged: true, headSha: STUB_HEAD_SHA, mergeCommitSha: 'b'.repeat(40), reviewState: 'approved' }),
      archiveSession: () => ({ archived: true, alreadyArchived: false }),
      // No action items unless a script says otherwise.
      readActionItems: () => ({ items: [], source: 'none', postmortemUrl: pullRequestUrlFor(id) }),
      createActionItemIssues: () => ({ items: [], created: 0 }),
      checkActionItems: () => [],
      remindActionItemOwner: () => undefined,
      listActionItemsOnPullRequest: () => undefined,
      findEarlierPostmortems: () => ({ earlier: [], problems: [] }),
    };
    return (defaults[activity as Exclude<ActivityName, 'getPostmortemSettings'>] as (input: ActivityInput<K>) => ActivityOutput<K>)(input);
  }
}

export const STUB_HEAD_SHA = 'a'.repeat(40);

/** The worker-side activities: each one dispatches to the calling incident's script. */
export class StubActivities {
  private readonly incidents = new Map<string, StubIncident>();
  readonly activities: PostmortemActivities;

  constructor(private readonly defaultSettings: PostmortemSettings) {
    this.activities = {
      getPostmortemSettings: () => this.dispatch('getPostmortemSettings', undefined),
      collectIncidentContext: (input) => this.dispatch('collectIncidentContext', input),
      startPostmortemSession: (input, identity) => this.dispatch('startPostmortemSession', input, identity),
      writeBackToIncident: (input) => this.dispatch('writeBackToIncident', input),
      announceOnSlack: (input) => this.dispatch('announceOnSlack', input),
      waitForPullRequest: (input) => this.dispatch('waitForPullRequest', input),
      sendSessionMessage: (input) => this.dispatch('sendSessionMessage', input),
      terminateSession: (input) => this.dispatch('terminateSession', input),
      checkPullRequest: (input) => this.dispatch('checkPullRequest', input),
      waitForPullRequestChange: (input) => this.dispatch('waitForPullRequestChange', input),
      requestPostmortemReviewers: (input) => this.dispatch('requestPostmortemReviewers', input),
      readPullRequest: (input) => this.dispatch('readPullRequest', input),
      readActionItems: (input) => this.dispatch('readActionItems', input),
      createActionItemIssues: (input) => this.dispatch('createActionItemIssues', input),
      checkActionItems: (input) => this.dispatch('checkActionItems', input),
      remindActionItemOwner: (input) => this.dispatch('remindActionItemOwner', input),
      listActionItemsOnPullRequest: (input) => this.dispatch('listActionItemsOnPullRequest', input),
      findEarlierPostmortems: (input) => this.dispatch('findEarlierPostmortems', input),
      archiveSession: (input) => this.dispatch('archiveSession', input),
    };
  }

  /** Registers the script of one incident's workflow (fresh call log, settings = defaults + overrides). */
  script(incidentId: string, script: Script = {}): StubIncident {
    const incident = new StubIncident(incidentId, { ...this.defaultSettings, ...script.settings }, script);
    this.incidents.set(workflowIdForIncident(incidentId), incident);
    return incident;
  }

  dispose(incidentId: string): void {
    this.incidents.get(workflowIdForIncident(incidentId))?.dispose();
  }

  private async dispatch<K extends ActivityName>(activity: K, input: ActivityInput<K>, extra?: unknown): Promise<ActivityOutput<K>> {
    const { workflowExecution, taskQueue, attempt } = Context.current().info;
    const workflowId = workflowExecution?.workflowId ?? '(no workflow)';
    const incident = this.incidents.get(workflowId);
    if (!incident || incident.disposed) {
      throw ApplicationFailure.create({ type: 'NoStubScript', nonRetryable: true, message: `no stub script for ${workflowId} (${activity})` });
    }
    return incident.run(activity, input, taskQueue, attempt, extra);
  }
}
