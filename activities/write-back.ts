// Notes on the PagerDuty incident (each exactly once: an earlier attempt's note is recognised by its
// marker) and the Slack line, where responders look.
import type { WorkerConfig } from '../src/config';
import { figuresLine, noteMarker, type SlackAnnouncement, type WriteBackRequest } from '../src/domain/write-back';
import { PagerDutyClient } from '../src/integrations/pagerduty/client';
import { postToSlack } from '../src/integrations/slack/client';
import { formatAcus } from '../src/domain/session';
import { activitySignal, currentAttempt } from './context';
import { inTemporalTerms } from './failures';

export function incidentNoteText(request: WriteBackRequest): string {
  const marker = noteMarker(request.kind, request.reminder);
  const what = request.destination === 'wiki' ? 'page' : 'pull request';
  if (request.kind === 'review_reminder') return `Reminder ${request.reminder ?? 1}: the postmortem pull request ${request.url ?? '(no link)'} has waited ${request.waited ?? 'a while'} for review ${marker}`;
  if (request.kind === 'action_items') return `Postmortem action items tracked as issues:\n${(request.items ?? []).map((i) => `- ${i.title}: ${i.url}`).join('\n')}\nThe incident's workflow follows them until they are closed. ${marker}`;
  if (request.kind === 'merged') return `Postmortem merged: ${request.url ?? '(no link)'}${request.mergeCommitSha ? ` (merge commit ${request.mergeCommitSha.slice(0, 12)})` : ''} ${marker}${request.figures ? `\n${figuresLine(request.figures)}` : ''}`;
  return request.kind === 'drafting'
    ? `Postmortem drafting started: Devin session ${request.sessionUrl ?? '(no link)'}${request.repeatOf ? ` — repeat: ${request.repeatOf}` : ''} ${marker}`
    : `Postmortem ${what} opened for review: ${request.url ?? '(no link)'}${request.sessionUrl ? ` (Devin session ${request.sessionUrl}${request.acus !== undefined ? `, ${formatAcus(request.acus)}` : ''})` : ''} ${marker}`;
}

export function slackText(request: SlackAnnouncement): string {
  if (request.kind === 'question') {
    return `Devin asks about PagerDuty incident ${request.incidentId}${request.title ? ` (${request.title})` : ''}: "${request.question ?? '(no question text)'}" — it was told to go on with its best assumption; answer it in the session if that is wrong: ${request.url}`;
  }
  const what = request.destination === 'wiki' ? 'page' : 'pull request';
  if (request.kind === 'reminder') return `Reminder: the postmortem pull request for PagerDuty incident ${request.incidentId}${request.title ? ` (${request.title})` : ''} still waits for review: ${request.url}`;
  return `Postmortem ${what} for PagerDuty incident ${request.incidentId}${request.title ? ` (${request.title})` : ''} is ready for review: ${request.url}`;
}

export function writeBackActivities(config: WorkerConfig) {
  return {
    /** Posts a note on the PagerDuty incident unless an earlier attempt already did (notes are checked first). */
    async writeBackToIncident(request: WriteBackRequest): Promise<{ posted: boolean }> {
      const { pagerDuty, pagerDutyFromEmail } = config;
      if (!pagerDuty || !pagerDutyFromEmail) return { posted: false };
      const client = new PagerDutyClient(pagerDuty, config.httpTimeoutMs, activitySignal());
      return inTemporalTerms(async () => {
        const notes = await client.notes(request.incidentId);
        if (notes.some((note) => note.content.includes(noteMarker(request.kind, request.reminder)))) return { posted: false };
        await client.addNote(request.incidentId, incidentNoteText(request), pagerDutyFromEmail);
        return { posted: true };
      }, currentAttempt());
    },

    async announceOnSlack(request: SlackAnnouncement): Promise<void> {
      const webhookUrl = config.slackWebhookUrl;
      if (!webhookUrl) return;
      await inTemporalTerms(() => postToSlack(webhookUrl, slackText(request), config.httpTimeoutMs, activitySignal()), currentAttempt());
    },
  };
}
