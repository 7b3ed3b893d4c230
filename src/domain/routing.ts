// Which incidents cost a Devin session. Decided at resolution with the latest priority.
// Pure: the workflow imports it.
import type { IncidentSnapshot } from './incident';

export interface RoutingRules {
  /**
   * The threshold's number on the P/SEV scale (P1 = 1): incidents at this priority or more urgent qualify.
   * Absent when POSTMORTEM_MIN_PRIORITY names a priority without one (`Critical`).
   */
  minPriority?: number;
  /** Incidents without a priority: by urgency (high qualifies), always, or never. */
  noPriority: 'urgency' | 'always' | 'never';
  /** POSTMORTEM_MIN_PRIORITY as configured (`P2`, `SEV-1`, `Critical`). Absent in settings recorded before it existed: `P<minPriority>`. */
  minPriorityName?: string;
  /** The account's priority names, most severe first (`GET /priorities`), when they could be read. */
  priorities?: string[];
  /** Why the account's priorities are not known (no token, the API failed): said in the routing reason. */
  prioritiesUnknown?: string;
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

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Where `name` is in the account's list (0 = most severe); undefined when it is not there. */
export function priorityPosition(name: string, priorities: readonly string[]): number | undefined {
  const index = priorities.findIndex((p) => sameName(p, name));
  return index >= 0 ? index : undefined;
}

/** The configured threshold's name. */
export function thresholdName(rules: RoutingRules): string {
  return rules.minPriorityName ?? `P${rules.minPriority ?? '?'}`;
}

const listed = (priorities: readonly string[]) => (priorities.length === 0 ? 'none' : priorities.join(', '));

/** Incidents with a priority: by its place in the account's list when known, else by the P/SEV number. */
function routeByPriority(priority: string, rules: RoutingRules): RoutingDecision {
  const setting = `POSTMORTEM_MIN_PRIORITY=${thresholdName(rules)}`;
  const meets = (yes: boolean, how = ''): RoutingDecision =>
    yes ? { qualifies: true, reason: `priority ${priority} meets ${setting}${how}` } : { qualifies: false, reason: `priority ${priority} is below ${setting}${how}` };
  const safe = (why: string): RoutingDecision => ({ qualifies: true, reason: `${why}: drafted to be safe` });
  const { priorities } = rules;

  if (priorities) {
    const incidentAt = priorityPosition(priority, priorities);
    const thresholdAt = priorityPosition(thresholdName(rules), priorities);
    if (incidentAt !== undefined && thresholdAt !== undefined) return meets(incidentAt <= thresholdAt);
    const byNumber = numbered(priority, rules);
    const missing =
      thresholdAt === undefined
        ? `${setting} is not one of the account's priorities (${listed(priorities)})`
        : `priority ${priority} is not one of the account's priorities (${listed(priorities)})`;
    return byNumber === undefined ? safe(missing) : meets(byNumber, ` (by the P/SEV number; ${missing})`);
  }

  // The account's list is unknown: today's P/SEV numbers. Settings recorded before the list existed say nothing more.
  const unknown = rules.prioritiesUnknown;
  const byNumber = numbered(priority, rules);
  if (byNumber !== undefined) return meets(byNumber, unknown ? ` (by the P/SEV number; ${unknown})` : '');
  if (rules.minPriority === undefined) return safe(`${setting} cannot be compared with priority ${priority} (${unknown ?? "the account's priorities are unknown"})`);
  return safe(`priority ${priority} is not in the P1…P9 scheme${unknown ? ` (${unknown})` : ''}`);
}

/** Whether `priority` meets the threshold by their P/SEV numbers; undefined when either has none. */
function numbered(priority: string, rules: RoutingRules): boolean | undefined {
  const rank = priorityRank(priority);
  const threshold = rules.minPriority ?? (rules.minPriorityName === undefined ? undefined : priorityRank(rules.minPriorityName));
  return rank === undefined || threshold === undefined ? undefined : rank <= threshold;
}

export function routePostmortem(incident: IncidentSnapshot, rules: RoutingRules): RoutingDecision {
  if (incident.priority) return routeByPriority(incident.priority, rules);
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
