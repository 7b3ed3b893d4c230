// What the workflow says to a running Devin session, and why.
import type { SessionMessageRequest } from '../src/domain/session';

export function sessionMessageText(request: SessionMessageRequest, nudgeMessage: string): string {
  switch (request.kind) {
    case 'nudge':
      return nudgeMessage;
    case 'follow_up':
      return 'The session ended without a pull request. Please open the pull request with the postmortem file now, and reply with its URL.';
    case 'resume':
      return 'Please resume and finish the postmortem: open the pull request with the postmortem file.';
    case 'answer':
      return `An answer from the incident's responders: ${request.text ?? '(none given)'}\nPlease continue with the postmortem and open the pull request.`;
    case 'reopened':
      return `Heads-up: PagerDuty incident ${request.incidentId} was reopened${request.at ? ` at ${request.at}` : ''}. Keep working in the same pull request and record the reopening in the timeline; do not open a second one.`;
    case 'fix':
      return request.text ?? 'The evidence check failed: see the postmortem/evidence check run on the pull request, fix its findings and push to the same branch.';
    case 'amend':
      return `PagerDuty incident ${request.incidentId} was reopened${request.at ? ` at ${request.at}` : ''} while its postmortem is in review${request.text ? ` (${request.text})` : ''}. Amend the same pull request (push to its branch): record the reopening in the timeline and revisit the root cause; do not open a second one.`;
  }
}
