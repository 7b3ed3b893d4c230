// The review's rules without a server: reviews summed up, the fix message, POSTMORTEM_REVIEWERS,
// CODEOWNERS, GitHub deliveries recorded once, the review in the UI panel, and the settings read.
import { ownersOf } from '../activities/code-owners';
import { settingsActivities } from '../activities/settings';
import { PriorityCache } from '../activities/priorities';
import { loadWorkerConfig } from '../src/config';
import { parseReviewers } from '../src/config/github';
import { ConfigError } from '../src/config/values';
import { type EvidenceCheckResult, fixRequestText, type PullRequestEvent, summariseReviews } from '../src/domain/review';
import { renderDetails } from '../workflows/current-details';
import { IncidentState } from '../workflows/incident-state';

const URL = 'https://github.com/acme/postmortems/pull/7';
const event = (deliveryId: string, extra: Partial<PullRequestEvent> = {}): PullRequestEvent => ({ deliveryId, kind: 'synchronize', pullRequestUrl: URL, headSha: 'c'.repeat(40), ...extra });

const failing: EvidenceCheckResult = {
  headSha: 'f00dfeed'.repeat(5),
  path: 'postmortems/2026-12-01-checkout.md',
  conclusion: 'failure',
  errors: 2,
  warnings: 1,
  byKind: { invented_link: 1, action_item_without_owner: 1, unverified_link: 1 },
  findings: [
    { severity: 'error', kind: 'invented_link', line: 14, message: 'https://github.com/acme/checkout-api/releases/tag/v9 is not in the incident\'s evidence' },
    { severity: 'error', kind: 'action_item_without_owner', line: 30, message: 'action item has no owner' },
    { severity: 'warning', kind: 'unverified_link', line: 9, message: 'https://example.com cannot be checked' },
  ],
  checkRunUrl: 'https://github.com/acme/postmortems/runs/4001',
};

describe('reviews summed up', () => {
  it('the latest review of each reviewer counts; changes requested outweighs an approval', () => {
    expect(summariseReviews([])).toBe('none');
    expect(summariseReviews([{ reviewer: 'ada', state: 'COMMENTED' }])).toBe('commented');
    expect(summariseReviews([{ reviewer: 'ada', state: 'CHANGES_REQUESTED' }, { reviewer: 'ada', state: 'APPROVED' }])).toBe('approved');
    expect(summariseReviews([{ reviewer: 'ada', state: 'APPROVED' }, { reviewer: 'bob', state: 'CHANGES_REQUESTED' }])).toBe('changes_requested');
    expect(summariseReviews([{ reviewer: 'ada', state: 'APPROVED' }, { reviewer: 'ada', state: 'PENDING' }])).toBe('approved');
  });
});

describe('the fix message for Devin', () => {
  it('lists the errors with their lines, says which round, and asks for the same PR', () => {
    const text = fixRequestText(failing, 1, 2);
    expect(text).toContain('fix round 1 of 2');
    expect(text).toContain('- line 14 (invented link): https://github.com/acme/checkout-api/releases/tag/v9');
    expect(text).toContain('- line 30 (action item without owner)');
    expect(text).not.toContain('line 9');
    expect(text).toMatch(/same pull request/);
  });

  it('says how many more there are when not all were kept', () => {
    expect(fixRequestText({ ...failing, errors: 40 }, 2, 2)).toContain('… and 38 more');
  });
});

describe('POSTMORTEM_REVIEWERS', () => {
  it('users by login, teams as org/slug, with or without @', () => {
    expect(parseReviewers('alice, @bob, acme/sre, @acme/platform-team')).toEqual({ users: ['alice', 'bob'], teams: ['sre', 'platform-team'] });
    expect(parseReviewers('')).toEqual({ users: [], teams: [] });
  });

  it('refuses what is neither, naming the variable at startup', () => {
    expect(parseReviewers('alice smith')).toMatch(/got "alice smith"/);
    expect(() => loadWorkerConfig({ POSTMORTEM_REVIEWERS: 'a/b/c' })).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ POSTMORTEM_REVIEWERS: 'a/b/c' })).toThrow(/POSTMORTEM_REVIEWERS/);
    expect(() => loadWorkerConfig({ POSTMORTEM_FIX_ROUNDS: '-1' })).toThrow(/POSTMORTEM_FIX_ROUNDS/);
    expect(() => loadWorkerConfig({ POSTMORTEM_REVIEW_REMINDER: 'soon' })).toThrow(/POSTMORTEM_REVIEW_REMINDER/);
    expect(() => loadWorkerConfig({ GITHUB_POLL_INTERVAL: '10' })).toThrow(/GITHUB_POLL_INTERVAL/);
  });

  it('defaults: 2 fix rounds, reminders every 2 days, a poll every 10 minutes', () => {
    expect(loadWorkerConfig({}).review).toEqual({ fixRounds: 2, reviewers: { users: [], teams: [] }, reminderMs: 2 * 86_400_000, pollIntervalMs: 600_000 });
  });
});

describe('CODEOWNERS', () => {
  const file = ['# comment', '*       @acme/everyone', '/postmortems/   @acme/sre @oncall-lead', 'docs/*.md  docs@acme.example'].join('\n');

  it('the last matching entry wins; teams, users and emails told apart', () => {
    expect(ownersOf(file, 'postmortems/2026-12-01-checkout.md')).toEqual({ users: ['oncall-lead'], teams: ['sre'] });
    expect(ownersOf(file, 'src/index.ts')).toEqual({ users: [], teams: ['everyone'] });
    expect(ownersOf(file, 'docs/guide.md')).toEqual({ users: [], teams: [], note: '1 owner(s) given by email cannot be requested' });
    expect(ownersOf('', 'postmortems/x.md')).toEqual({ users: [], teams: [] });
  });
});

describe('GitHub deliveries on the incident', () => {
  it('a redelivery (same X-GitHub-Delivery) and news of another PR are counted, not acted on', () => {
    const state = new IncidentState('Q1REVIEW01');
    state.status.pullRequestUrl = URL;
    state.status.review = { checks: 0, fixRounds: 0, fixRoundsAllowed: 2, reviewState: 'none', remindersSent: 0, deliveries: 0, duplicateDeliveries: 0 };
    expect(state.recordPullRequestEvent(event('d-1'))).toBe(true);
    expect(state.recordPullRequestEvent(event('d-1'))).toBe(false);
    expect(state.recordPullRequestEvent(event('d-2', { pullRequestUrl: 'https://github.com/acme/postmortems/pull/8' }))).toBe(false);
    // The same PR however GitHub spells it (case, a fragment, a trailing slash).
    expect(state.recordPullRequestEvent(event('d-3', { pullRequestUrl: 'https://github.com/Acme/Postmortems/pull/7/#discussion' }))).toBe(true);
    expect(state.pullRequestEvents.map((e) => e.deliveryId)).toEqual(['d-1', 'd-3']);
    expect(state.status.review).toMatchObject({ deliveries: 2, duplicateDeliveries: 2 });
  });

  it('news before the PR is known is kept for the review', () => {
    const state = new IncidentState('Q1REVIEW02');
    expect(state.recordPullRequestEvent(event('d-1'))).toBe(true);
    expect(state.pullRequestEvents).toHaveLength(1);
  });
});

describe('the review in the Current Details panel', () => {
  it('shows the check, its findings, the fix rounds, the review, reminders and the merge', () => {
    const state = new IncidentState('Q1REVIEW03');
    state.phase = 'in_review';
    state.status.pullRequestUrl = URL;
    state.status.review = {
      checks: 2, lastCheck: failing, fixRounds: 2, fixRoundsAllowed: 2, reviewState: 'approved', reviewersRequested: ['acme/sre'], reviewRequestNote: 'requested from POSTMORTEM_REVIEWERS',
      remindersSent: 1, deliveries: 3, duplicateDeliveries: 1, mergedAt: '2026-12-03T10:00:00.000Z', mergeCommitSha: '1234567890abcdef', note: 'the evidence check fails after 2 fix round(s)',
    };
    const details = renderDetails(state.current());
    expect(details).toContain('### in review');
    expect(details).toContain('**Evidence check:** failed at `f00dfee` — 2 error(s), 1 warning(s) — [postmortem/evidence](https://github.com/acme/postmortems/runs/4001) (2 check(s) run)');
    expect(details).toContain('**Findings:** invented link 1, action item without owner 1, unverified link 1');
    expect(details).toContain('**Fix rounds:** 2 of 2');
    expect(details).toContain('**Review:** approved — requested: acme/sre (requested from POSTMORTEM_REVIEWERS)');
    expect(details).toContain('**Reminders sent:** 1 of 3');
    expect(details).toContain('**Merged:** 2026-12-03T10:00:00.000Z (`1234567`)');
    expect(details).toContain('GitHub deliveries: 3, redeliveries ignored: 1');
  });
});

describe('the review settings', () => {
  const settings = (env: Record<string, string>) => {
    const config = loadWorkerConfig(env);
    return settingsActivities(config, new PriorityCache(config, { now: () => new Date() })).getPostmortemSettings();
  };
  const devin = { DEVIN_API_KEY: 'cog_test_key', DEVIN_ORG_ID: 'org-1' };

  it('are absent without GITHUB_TOKEN, without Devin, and for the wiki: the workflow ends when the PR is open, as before', async () => {
    expect((await settings(devin)).review).toBeUndefined();
    expect((await settings({ GITHUB_TOKEN: 'github_pat_test' })).review).toBeUndefined();
    expect((await settings({ ...devin, GITHUB_TOKEN: 'github_pat_test', POSTMORTEM_DESTINATION: 'wiki' })).review).toBeUndefined();
  });

  it('with GITHUB_TOKEN: the rounds, reviewers, reminder, poll and the fix wait (DEVIN_MAX_WAIT)', async () => {
    expect((await settings({ ...devin, GITHUB_TOKEN: 'github_pat_test', POSTMORTEM_FIX_ROUNDS: '1', POSTMORTEM_REVIEWERS: 'acme/sre', DEVIN_MAX_WAIT: '2h' })).review).toEqual({
      fixRounds: 1, reviewers: { users: [], teams: ['sre'] }, reminderMs: 172_800_000, pollIntervalMs: 600_000, fixWaitMs: 7_200_000, personalData: true,
    });
  });
});
