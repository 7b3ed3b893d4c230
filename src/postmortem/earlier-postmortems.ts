// The prompt's section on the service's earlier postmortems (repeat incidents). Their text came from
// merged files and issue titles anyone with write access could have edited: untrusted, so fenced like
// the rest of the evidence, one line per item.
import type { EarlierPostmortem } from '../domain/follow-up';
import { evidenceLink, fact, timestamp } from './prompt-text';

/** fact() keeps each value to one line without backticks: nothing can close the fence. */
const line = (text: string | undefined, max: number) => fact(text, max);

export function earlierPostmortemsSection(earlier: EarlierPostmortem[] | undefined): string[] {
  if (!earlier || earlier.length === 0) return [];
  const body = earlier.flatMap((e) => [
    `Postmortem of incident ${line(e.incidentId, 64)}${e.resolvedAt && timestamp(e.resolvedAt) ? ` (resolved ${e.resolvedAt})` : ''} <${evidenceLink(e.url) ?? 'link left out'}>`,
    `  root cause${e.rootCauseCategory ? ` [${line(e.rootCauseCategory, 60)}]` : ''}: ${e.rootCause ? line(e.rootCause, 400) : 'not stated'}`,
    ...(e.openItems.length === 0
      ? ['  open action items: none']
      : [`  open action items (${e.openItems.length}):`, ...e.openItems.map((i) => `  - ${line(i.title, 200)}${i.url ? ` <${evidenceLink(i.url) ?? 'link left out'}>` : ''}`)]),
  ]);
  const open = earlier.reduce((n, e) => n + e.openItems.length, 0);
  return [
    '### Earlier postmortems of this service (most recent first)',
    ...(open > 0
      ? [`${open} action item(s) of earlier postmortems are still open. Say in the postmortem whether this incident repeats one of them, and link the earlier postmortem and the open items that would have prevented it.`]
      : ['Say in the postmortem whether this incident repeats one of them.']),
    ['```text', ...body, '```'].join('\n'),
    '',
  ];
}

/** GitHub's 404 for the postmortem folder: nothing merged yet, or a repository the token cannot see. */
export function missingFolder(repository: string, folder: string): string {
  return `${folder}/ not found in ${repository}: no postmortem merged there yet, or POSTMORTEM_REPO is wrong, or the token cannot read it (Contents: read)`;
}
