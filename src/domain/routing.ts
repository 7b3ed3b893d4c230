// Which incidents cost a Devin session. Decided at resolution with the latest priority.
// Pure: the workflow imports it.
import type { IncidentSnapshot } from './incident';

export interface RoutingRules {
  /** P1 = 1: incidents at this priority or more urgent qualify. */
  minPriority: number;
  /** Incidents without a priority: by urgency (high qualifies), always, or never. */
  noPriority: 'urgency' | 'always' | 'never';
}

export interface RoutingDecision {
  qualifies: boolean;
  reason: string;
}

/** `P1`, `p2`, `SEV1`, `SEV-2` → 1, 2; anything else → undefined. */
export function priorityRank(label: string): number | undefined {
  const match = /^(?:p|sev[-_ ]?)(\d+)$/i.exec(label.trim());
  return match ? Number(match[1]) : undefined;
}

export function routePostmortem(incident: IncidentSnapshot, rules: RoutingRules): RoutingDecision {
  const threshold = `P${rules.minPriority}`;
  if (incident.priority) {
    const rank = priorityRank(incident.priority);
    if (rank === undefined) {
      // A custom priority scheme: better one postmortem too many than a missed one.
      return { qualifies: true, reason: `priority ${incident.priority} is not in the P1…P9 scheme: drafted to be safe` };
    }
    return rank <= rules.minPriority
      ? { qualifies: true, reason: `priority ${incident.priority} meets POSTMORTEM_MIN_PRIORITY=${threshold}` }
      : { qualifies: false, reason: `priority ${incident.priority} is below POSTMORTEM_MIN_PRIORITY=${threshold}` };
  }
  switch (rules.noPriority) {
    case 'always':
      return { qualifies: true, reason: 'no priority set; POSTMORTEM_NO_PRIORITY=always' };
    case 'never':
      return { qualifies: false, reason: 'no priority set; POSTMORTEM_NO_PRIORITY=never' };
    case 'urgency':
      return incident.urgency === 'high'
        ? { qualifies: true, reason: 'no priority set; high urgency qualifies (POSTMORTEM_NO_PRIORITY=urgency)' }
        : { qualifies: false, reason: `no priority set; ${incident.urgency ?? 'unknown'} urgency does not qualify (POSTMORTEM_NO_PRIORITY=urgency)` };
  }
}
