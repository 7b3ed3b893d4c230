// GitHub webhooks (repository or organization hook on the postmortem repository): authenticate a
// delivery (X-Hub-Signature-256) and reduce it to the PullRequestEvent(s) the incident's workflow takes,
// or say why it is ignored. No Temporal here: the bridge finds the workflow and signals it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { describeId } from '../../domain/identifiers';
import { EVIDENCE_CHECK_NAME, type PullRequestEvent } from '../../domain/review';
import type { ActionItemEvent } from '../../domain/follow-up';

/** `X-Hub-Signature-256: sha256=<64 hex digits>`, the only form GitHub sends. */
const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;
/** Longer than GitHub's header (71 characters) with room for whitespace: anything beyond is refused unhashed. */
export const MAX_GITHUB_SIGNATURE_HEADER = 128;

/**
 * X-Hub-Signature-256 is the HMAC-SHA256 of the raw body bytes with the webhook's secret. The header is
 * bounded and its form checked before any hashing; the digests are compared as 32-byte buffers in
 * constant time.
 */
export function hasValidGitHubSignature(rawBody: Buffer, header: string | undefined, secret: string | undefined): boolean {
  if (!header || !secret || header.length > MAX_GITHUB_SIGNATURE_HEADER) return false;
  const hex = SIGNATURE.exec(header.trim())?.[1];
  if (!hex) return false;
  const provided = Buffer.from(hex, 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return provided.length === expected.length && timingSafeEqual(provided, expected);
}

/** Signs a body the way GitHub does (`sha256=<hex>`); for tests and the simulator. */
export function signGitHubBody(rawBody: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** X-GitHub-Delivery: a GUID (`72d3162e-cc78-11e3-81ab-4c9367dc0958`); the workflow ignores repeats by it. */
export const GITHUB_DELIVERY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGitHubDeliveryId = (value: unknown): value is string => typeof value === 'string' && GITHUB_DELIVERY_ID.test(value);

/** X-GitHub-Event: a lowercase name with underscores (`pull_request_review`). */
const EVENT_NAME = /^[a-z][a-z_]{0,63}$/;
export const isGitHubEventName = (value: unknown): value is string => typeof value === 'string' && EVENT_NAME.test(value);

/** The events the bridge reads; any other is ignored (2xx). */
export const GITHUB_EVENTS = ['pull_request', 'pull_request_review', 'check_run', 'issues'] as const;
export type GitHubEventName = (typeof GITHUB_EVENTS)[number];

const USED_ACTIONS: Record<GitHubEventName, readonly string[]> = {
  pull_request: ['closed', 'reopened', 'synchronize'],
  pull_request_review: ['submitted', 'dismissed'],
  check_run: ['rerequested'],
  issues: ['closed', 'reopened'],
};

// Values that reach the workflow and a visibility query (quoted there): bounded, one line.
const sha = z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i, 'is not a commit sha');
const htmlUrl = z.string().max(512).regex(/^https?:\/\/[^\s"'\\]+$/, 'is not an http(s) URL');
const login = z.string().min(1).max(100).regex(/^[^\s]+$/, 'is not a GitHub login');
const user = z.looseObject({ login });
const timestamp = z.string().max(64);

const pullRequest = z.looseObject({
  html_url: htmlUrl,
  merged: z.boolean().nullish(),
  merge_commit_sha: sha.nullish(),
  merged_by: user.nullish(),
  closed_at: timestamp.nullish(),
  updated_at: timestamp.nullish(),
  head: z.looseObject({ sha }),
});

const pullRequestPayload = z.looseObject({ action: z.string(), pull_request: pullRequest, sender: user.nullish() });

const reviewPayload = z.looseObject({
  action: z.string(),
  review: z.looseObject({ state: z.string().min(1).max(64), user: user.nullish(), commit_id: sha.nullish(), submitted_at: timestamp.nullish() }),
  pull_request: pullRequest,
});

const checkRunPayload = z.looseObject({
  action: z.string(),
  check_run: z.looseObject({
    name: z.string(),
    head_sha: sha,
    // Number and API URLs only: the html URL is built from the repository's.
    pull_requests: z.array(z.looseObject({ number: z.number().int().positive() })).max(100),
  }),
  repository: z.looseObject({ html_url: htmlUrl }),
});

const issuePayload = z.looseObject({
  action: z.string(),
  issue: z.looseObject({
    number: z.number().int().positive(),
    state: z.enum(['open', 'closed']),
    closed_at: timestamp.nullish(),
    updated_at: timestamp.nullish(),
    labels: z.array(z.looseObject({ name: z.string().max(100) })).max(100).nullish(),
  }),
  repository: z.looseObject({ full_name: z.string().max(140).regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, 'is not owner/name') }),
});

/** The label that ties an action item's issue to its incident (src/domain/follow-up.ts itemLabels). */
const INCIDENT_LABEL = /^incident:([A-Z0-9]{1,64})$/;

const actionOnly = z.looseObject({ action: z.string().max(64).optional() });

export type ParsedGitHubWebhook =
  | { kind: 'events'; event: GitHubEventName; action: string; events: PullRequestEvent[] }
  /** An action item's issue closed or reopened: its incident's workflow checks its items. */
  | { kind: 'action_item'; event: 'issues'; action: string; incidentId: string; item: ActionItemEvent }
  | { kind: 'ignored'; event: string; action?: string; reason: string }
  | { kind: 'invalid'; event: string; message: string };

/**
 * Parses a verified delivery: `eventName` is X-GitHub-Event, `deliveryId` X-GitHub-Delivery (both checked
 * here: missing or malformed is `invalid`). Events and actions the project does not use are `ignored`,
 * never `invalid`; a used one whose shape is not GitHub's is `invalid`, with the reason.
 */
export function parseGitHubWebhook(eventName: string | undefined, deliveryId: string | undefined, body: unknown): ParsedGitHubWebhook {
  const event = isGitHubEventName(eventName) ? eventName : 'unknown';
  if (eventName === undefined) return { kind: 'invalid', event, message: 'X-GitHub-Event header is missing' };
  if (!isGitHubEventName(eventName)) return { kind: 'invalid', event, message: `X-GitHub-Event ${describeId(eventName)} is not an event name` };
  if (deliveryId === undefined) return { kind: 'invalid', event, message: 'X-GitHub-Delivery header is missing' };
  if (!isGitHubDeliveryId(deliveryId)) return { kind: 'invalid', event, message: `X-GitHub-Delivery ${describeId(deliveryId)} is not a delivery id (a GUID)` };
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { kind: 'invalid', event, message: 'body is not a JSON object' };

  if (eventName === 'ping') return { kind: 'ignored', event, reason: 'ping: the webhook is set up' };
  if (!(GITHUB_EVENTS as readonly string[]).includes(eventName)) return { kind: 'ignored', event, reason: `event ${eventName} is not used` };
  const name = eventName as GitHubEventName;

  const head = actionOnly.safeParse(body);
  const action = head.success ? head.data.action : undefined;
  if (action === undefined) return { kind: 'invalid', event, message: `${name} event: action ${head.success ? 'is missing' : 'is not a short string'}` };
  if (!USED_ACTIONS[name].includes(action)) return { kind: 'ignored', event, action, reason: `${name} action ${describeId(action)} is not used` };

  const fail = (error: z.ZodError): ParsedGitHubWebhook => ({ kind: 'invalid', event, message: `${name} ${action} event: ${describeIssues(error)}` });
  const ok = (events: PullRequestEvent[]): ParsedGitHubWebhook => ({ kind: 'events', event: name, action, events });

  if (name === 'pull_request') {
    const parsed = pullRequestPayload.safeParse(body);
    if (!parsed.success) return fail(parsed.error);
    const pr = parsed.data.pull_request;
    const base = { deliveryId, pullRequestUrl: pr.html_url };
    if (action === 'closed') {
      const at = isoTime(pr.closed_at) ?? isoTime(pr.updated_at);
      if (pr.merged === true) {
        return ok([withoutUndefined({ ...base, kind: 'merged', mergeCommitSha: pr.merge_commit_sha ?? undefined, actor: pr.merged_by?.login, headSha: pr.head.sha, at })]);
      }
      return ok([withoutUndefined({ ...base, kind: 'closed', actor: parsed.data.sender?.login, headSha: pr.head.sha, at })]);
    }
    const kind = action === 'reopened' ? 'reopened' : 'synchronize';
    return ok([withoutUndefined({ ...base, kind, headSha: pr.head.sha, actor: parsed.data.sender?.login, at: isoTime(pr.updated_at) })]);
  }

  if (name === 'pull_request_review') {
    const parsed = reviewPayload.safeParse(body);
    if (!parsed.success) return fail(parsed.error);
    const { review, pull_request: pr } = parsed.data;
    return ok([
      withoutUndefined({
        deliveryId,
        kind: 'review',
        pullRequestUrl: pr.html_url,
        reviewState: review.state.toLowerCase(),
        actor: review.user?.login,
        headSha: review.commit_id ?? undefined,
        at: (action === 'submitted' ? isoTime(review.submitted_at) : undefined) ?? isoTime(pr.updated_at),
      }),
    ]);
  }

  if (name === 'issues') {
    const parsed = issuePayload.safeParse(body);
    if (!parsed.success) return fail(parsed.error);
    const { issue, repository } = parsed.data;
    const labels = (issue.labels ?? []).map((l) => l.name);
    const incidentId = labels.map((l) => INCIDENT_LABEL.exec(l)?.[1]).find(Boolean);
    if (!labels.includes('postmortem') || !incidentId) return { kind: 'ignored', event, action, reason: 'not a postmortem action item (labels postmortem and incident:<id>)' };
    const at = isoTime(issue.closed_at) ?? isoTime(issue.updated_at);
    return { kind: 'action_item', event: 'issues', action, incidentId, item: withoutUndefined({ deliveryId, repository: repository.full_name, issueId: String(issue.number), state: issue.state, at }) };
  }

  const parsed = checkRunPayload.safeParse(body);
  if (!parsed.success) return fail(parsed.error);
  const { check_run: run, repository } = parsed.data;
  if (run.name !== EVIDENCE_CHECK_NAME) return { kind: 'ignored', event, action, reason: `check run ${describeId(run.name)} is not ${EVIDENCE_CHECK_NAME}` };
  if (run.pull_requests.length === 0) return { kind: 'ignored', event, action, reason: 'the re-requested check run is on no pull request' };
  const repositoryUrl = repository.html_url.replace(/\/+$/, '');
  return ok(
    run.pull_requests.map((pr) => ({ deliveryId, kind: 'check_rerequested' as const, pullRequestUrl: `${repositoryUrl}/pull/${pr.number}`, headSha: run.head_sha })),
  );
}

function isoTime(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** Optional fields left out rather than `undefined`: the signal's payload and the tests' equality stay plain. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'body'} ${issue.message.replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase())}`)
    .join('; ');
}
