// What a link in a postmortem is, measured against the incident's evidence pack: one of the pack's own
// links (a PagerDuty log entry, alert, change event, the incident), a Datadog or Sentry link (Devin finds
// those itself through their MCPs, so they cannot be in the pack), an invented one, or unverifiable.
import type { IncidentContext } from '../domain/evidence';
import { evidenceLink } from './prompt-text';

export type LinkKind =
  /** In the evidence pack. */
  | 'evidence'
  | 'datadog'
  | 'sentry'
  /** Looks like the pack's evidence (PagerDuty, or a change event's own site) but is not in it. */
  | 'invented'
  /** Any other link: not a citation, and nothing to check it against. */
  | 'other';

const PAGERDUTY = /(^|\.)pagerduty\.com$/;
const DATADOG = /(^|\.)(datadoghq\.com|datadoghq\.eu|ddog-gov\.com)$/;
const SENTRY = /(^|\.)sentry\.io$/;

/** The same link however it was written: the prompt's escaping, no fragment, no trailing slash. */
function normalised(url: string): string | undefined {
  const safe = evidenceLink(url);
  if (!safe) return undefined;
  const parsed = new URL(safe);
  parsed.hash = '';
  parsed.hostname = parsed.hostname.toLowerCase();
  return parsed.toString().replace(/\/+$/, '');
}

const hostOf = (url: string | undefined) => {
  try {
    return url ? new URL(url).hostname.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
};

export class EvidenceLinks {
  private readonly known = new Set<string>();
  /** Sites whose links in the pack are change events (a deploy tool, a CI system). */
  private readonly changeHosts = new Set<string>();
  /** Self-hosted Sentry: the hosts of the pack's Sentry items. */
  private readonly sentryHosts = new Set<string>();

  constructor(pack: IncidentContext) {
    const { incident } = pack;
    const changes = [...pack.changeEvents, ...(pack.serviceChanges ?? [])];
    const urls = [
      incident.htmlUrl,
      incident.service?.htmlUrl,
      ...pack.timeline.map((e) => e.url),
      ...pack.alerts.map((a) => a.url),
      ...changes.map((c) => c.url),
      ...(pack.external ?? []).flatMap((source) => source.items.map((item) => item.url)),
      // The service's earlier postmortems and their open items, given in the prompt for repeat incidents.
      ...(pack.earlierPostmortems ?? []).flatMap((earlier) => [earlier.url, ...earlier.openItems.map((item) => item.url)]),
    ];
    for (const url of urls) {
      const key = url && normalised(url);
      if (key) this.known.add(key);
    }
    for (const change of changes) {
      const host = hostOf(change.url);
      if (host && !DATADOG.test(host) && !SENTRY.test(host)) this.changeHosts.add(host);
    }
    for (const source of pack.external ?? []) {
      if (source.source !== 'sentry') continue;
      for (const item of source.items) {
        const host = hostOf(item.url);
        if (host) this.sentryHosts.add(host);
      }
    }
  }

  kindOf(url: string): LinkKind {
    const key = normalised(url);
    if (key && this.known.has(key)) return 'evidence';
    const host = hostOf(url);
    if (!host) return 'other';
    if (DATADOG.test(host)) return 'datadog';
    if (SENTRY.test(host) || this.sentryHosts.has(host)) return 'sentry';
    if (PAGERDUTY.test(host) || this.changeHosts.has(host)) return 'invented';
    return 'other';
  }

  /** A link that counts as citing a source. */
  cites(url: string): boolean {
    const kind = this.kindOf(url);
    return kind === 'evidence' || kind === 'datadog' || kind === 'sentry';
  }
}
