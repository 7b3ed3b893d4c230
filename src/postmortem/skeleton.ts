// The dry run's deliverable: a postmortem skeleton rendered from the evidence pack alone, so a team
// without Devin still gets the timeline and the suspect changes laid out with their links.
import { formatDuration } from '../domain/duration';
import { incidentDuration } from '../domain/incident';
import { type IncidentContext } from '../domain/evidence';
import { frontMatterFor, renderFrontMatter } from './front-matter';
import { evidenceLink, fact, pagerDutyLink, timestamp } from './prompt-text';

/** Table cells cannot hold pipes or newlines; no value may open a code span or fence either. */
function cell(text: string | undefined): string {
  return fact(text, 1_000).replace(/\|/g, '\\|');
}

/** A Markdown link only to an http(s) URL that cannot end the link early. */
function linked(label: string, url: string | undefined): string {
  const safe = evidenceLink(url);
  return safe ? `[${cell(label).replace(/[[\]]/g, '')}](${safe})` : cell(label);
}

export function renderPostmortemSkeleton(context: IncidentContext): string {
  const { incident } = context;
  const duration = incidentDuration(incident);
  const date = (timestamp(incident.resolvedAt) ?? timestamp(incident.createdAt) ?? timestamp(context.collectedAt))?.slice(0, 10) ?? 'unknown';
  const severity = incident.priority ?? `${incident.urgency ?? 'unknown'} urgency`;
  const suspects = [...(context.serviceChanges ?? []), ...context.changeEvents]
    .filter((change, index, all) => all.findIndex((c) => c.at === change.at && c.summary === change.summary) === index)
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));

  const lines = [
    '<!-- DRY RUN: rendered from the evidence pack without Devin (DEVIN_API_KEY is not set). Fill in the blanks. -->',
    ...renderFrontMatter(frontMatterFor(context)).trimEnd().split('\n'),
    `# Postmortem: ${cell(incident.title ?? incident.id)}`,
    '',
    '| Date | Duration | Severity |',
    '|---|---|---|',
    `| ${date} | ${duration === undefined ? 'unknown' : formatDuration(duration)} | ${cell(severity)} |`,
    '',
    `PagerDuty incident: ${linked(`${Number.isInteger(incident.number) ? `#${incident.number} ` : ''}${incident.id}`, pagerDutyLink(incident.htmlUrl))} · Service: ${cell(incident.service?.name ?? 'unknown')}`,
    ...(context.metrics?.responders.length ? [`Responders: ${context.metrics.responders.map(cell).join(', ')}`] : []),
    ...(context.limitation ? ['', `> Evidence note: ${cell(context.limitation)}`] : []),
    '',
    '## Summary',
    '',
    '_What happened, who was affected, and for how long._',
    '',
    '## Timeline',
    '',
    '| Time (UTC) | Event | Who | Source |',
    '|---|---|---|---|',
    ...[
      ...context.timeline.map((e) => ({ at: e.at, row: `| ${cell(e.at)} | ${cell(`${e.kind}: ${e.summary}`)} | ${cell(e.agent)} | ${e.url ? linked('log entry', e.url) : 'webhook'} |` })),
      ...context.alerts.map((a) => ({ at: a.at, row: `| ${cell(a.at)} | ${cell(`alert (${a.severity ?? 'unknown'}): ${a.summary}`)} |  | ${a.url ? linked('alert', a.url) : ''} |` })),
    ]
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
      .map((r) => r.row),
    '',
    '## Suspect changes',
    '',
    ...(suspects.length > 0
      ? suspects.map((c) => `- ${cell(c.at)} — ${linked(c.summary, c.url)}${c.source ? ` (${cell(c.source)})` : ''}${c.correlation ? ` [${cell(c.correlation)}]` : ''}`)
      : ['_No change events were recorded for this service in the incident window._']),
    '',
    '## Root Cause',
    '',
    '_Hypothesis: … (cite the evidence that supports it)._',
    '',
    '## Action Items',
    '',
    '| Action | Owner | Ticket |',
    '|---|---|---|',
    '|  |  |  |',
    '',
  ];
  return lines.join('\n');
}
