// What the real-cluster tests hold every incident to: its workflow exists and completed, a qualifying one
// with exactly one Devin session (one create request) whose pull request is the result, a non-qualifying
// one skipped with none. Returns the problems found instead of throwing at the first, so a failure lists
// every incident that went wrong.
import type { Client } from '@temporalio/client';
import { workflowIdForIncident } from '../../../src/domain/incident';
import { statusQuery } from '../../../src/domain/messages';
import type { PostmortemResult, PostmortemStatus } from '../../../src/domain/status';
import type { SimulatedIncident } from '../../../src/dev/simulation';
import type { FakeDevinApi } from '../../fakes/devin-api';

export interface TrackedIncident {
  incident: SimulatedIncident;
  /** At or above POSTMORTEM_MIN_PRIORITY: gets a postmortem. */
  qualifies: boolean;
}

export const sessionsFor = (devin: FakeDevinApi, id: string) => devin.sessions.filter((s) => s.tags.includes(`pd-incident:${id}`));

/** POST …/sessions requests for this incident, including any whose answer was lost. */
export const createRequestsFor = (devin: FakeDevinApi, id: string) =>
  devin.requests.filter((r) => {
    if (r.method !== 'POST' || !r.path.endsWith('/sessions')) return false;
    const tags = (r.body as { tags?: unknown } | undefined)?.tags;
    return Array.isArray(tags) && tags.includes(`pd-incident:${id}`);
  });

export function handleFor(client: Client, id: string) {
  return client.workflow.getHandle<() => Promise<PostmortemResult>>(workflowIdForIncident(id));
}

/** Waits (until the deadline) for every incident's result, then checks each; [] = all good. */
export async function checkOutcomes(client: Client, devin: FakeDevinApi, tracked: TrackedIncident[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  const results = await Promise.all(
    tracked.map(async ({ incident }) => {
      // Aborted at the deadline, so that no long poll outlives the test.
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), Math.max(0, deadline - Date.now()));
      try {
        return await client.connection.withAbortSignal(abort.signal, () => handleFor(client, incident.id).result());
      } catch (error) {
        return abort.signal.aborted ? new Error(`no result within ${timeoutMs} ms`) : error instanceof Error ? error : new Error(String(error));
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const problems: string[] = [];
  for (const [i, { incident, qualifies }] of tracked.entries()) {
    const result = results[i];
    const id = incident.id;
    let status: PostmortemStatus | undefined;
    let closed = 'unknown';
    try {
      closed = (await handleFor(client, id).describe()).status.name;
      status = await handleFor(client, id).query(statusQuery);
    } catch (error) {
      problems.push(`${id}: workflow not found or unreadable (${String(error)})`);
    }
    if (!result || result instanceof Error || closed !== 'COMPLETED') {
      problems.push(`${id}: did not finish (${result instanceof Error ? result.message : closed}; phase ${status?.phase ?? '?'}, lastError ${status?.lastError ?? '-'})`);
      continue;
    }
    const sessions = sessionsFor(devin, id);
    const creates = createRequestsFor(devin, id).length;
    if (qualifies) {
      const [session] = sessions;
      if (sessions.length !== 1) problems.push(`${id}: ${sessions.length} Devin sessions, expected exactly 1`);
      if (creates !== 1) problems.push(`${id}: ${creates} session create requests, expected 1`);
      if (result.outcome !== 'pull_request_opened') problems.push(`${id}: outcome ${result.outcome} (${result.skipReason ?? status?.lastError ?? ''})`);
      else if (!session || result.devinSessionId !== session.session_id || result.pullRequestUrl !== session.pull_requests[0]?.pr_url) {
        problems.push(`${id}: result names ${result.devinSessionId} / ${result.pullRequestUrl}, Devin has ${session?.session_id} / ${session?.pull_requests[0]?.pr_url}`);
      }
      if (status && status.phase !== 'completed') problems.push(`${id}: phase ${status.phase}`);
    } else {
      if (sessions.length !== 0 || creates !== 0) problems.push(`${id} (below the minimum priority): ${sessions.length} sessions, ${creates} creates, expected none`);
      if (result.outcome !== 'skipped') problems.push(`${id} (below the minimum priority): outcome ${result.outcome}, expected skipped`);
    }
  }
  return problems;
}
