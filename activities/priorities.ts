// The account's priorities, most severe first (`GET /priorities`), read through the PagerDuty client and
// kept by the worker for an hour. The settings each incident records carry them, so severity routing can
// rank the account's own names (`SEV-1`, `Critical`); without them it falls back to the P/SEV numbers and
// says why.
import { ConfigError, type WorkerConfig } from '../src/config';
import { priorityPosition, type RoutingRules } from '../src/domain/routing';
import { PagerDutyClient } from '../src/integrations/pagerduty/client';
import { priorityNames } from '../src/integrations/pagerduty/mapper';
import type { Clock } from './context';

/** How long a list that was read is used. */
export const PRIORITIES_TTL_MS = 3_600_000;
/** How long a failure is remembered before the list is asked again (an outage is not hammered). */
const FAILURE_TTL_MS = 60_000;
/** The settings activity has 30 s: one quick read, whatever HTTP_TIMEOUT says. */
const READ_TIMEOUT_MS = 10_000;

export type AccountPriorities = { names: string[] } | { unknown: string };

export class PriorityCache {
  private cached?: { value: AccountPriorities; until: number };
  private pending?: Promise<AccountPriorities>;

  constructor(
    private readonly config: Pick<WorkerConfig, 'pagerDuty' | 'httpTimeoutMs'>,
    private readonly clock: Clock,
  ) {}

  /** The list, or why it is unknown; never throws. Concurrent callers share one read. */
  async get(): Promise<AccountPriorities> {
    const now = this.clock.now().getTime();
    if (this.cached && now < this.cached.until) return this.cached.value;
    this.pending ??= this.read().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async read(): Promise<AccountPriorities> {
    const pagerDuty = this.config.pagerDuty;
    if (!pagerDuty) return { unknown: 'account priorities unknown: PAGERDUTY_API_TOKEN is not set' };
    let value: AccountPriorities;
    try {
      const client = new PagerDutyClient(pagerDuty, Math.min(this.config.httpTimeoutMs, READ_TIMEOUT_MS));
      value = { names: priorityNames(await client.priorities()) };
    } catch (error) {
      value = { unknown: `account priorities could not be read (${error instanceof Error ? error.message : String(error)})` };
    }
    this.cached = { value, until: this.clock.now().getTime() + ('names' in value ? PRIORITIES_TTL_MS : FAILURE_TTL_MS) };
    return value;
  }
}

/** The configured rules with what is known of the account's priorities. */
export function withAccountPriorities(rules: RoutingRules, priorities: AccountPriorities): RoutingRules {
  return 'names' in priorities ? { ...rules, priorities: priorities.names } : { ...rules, prioritiesUnknown: priorities.unknown };
}

/**
 * At worker start: a POSTMORTEM_MIN_PRIORITY that is neither P1…P9 nor SEV1… must be one of the account's
 * priorities, or every incident would be drafted "to be safe": the worker refuses to start, naming them.
 * When the list cannot be read now, the worker starts and says so (routing then drafts such incidents to
 * be safe, with the reason, until it can). Returns that warning, if any.
 */
export async function checkPriorityThreshold(rules: RoutingRules, cache: PriorityCache): Promise<string | undefined> {
  const name = rules.minPriorityName;
  if (name === undefined || rules.minPriority !== undefined) return undefined;
  const priorities = await cache.get();
  if (!('names' in priorities)) return `POSTMORTEM_MIN_PRIORITY=${name} could not be checked: ${priorities.unknown}`;
  if (priorityPosition(name, priorities.names) === undefined) {
    throw new ConfigError([
      `POSTMORTEM_MIN_PRIORITY: "${name}" is not one of the account's priorities (${priorities.names.join(', ') || 'none'}); name one of them, or P1…P9`,
    ]);
  }
  return undefined;
}
