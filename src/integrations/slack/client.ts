// Slack incoming webhook: one line where responders look, when the postmortem is up for review.
import { requestJson } from '../http';

export async function postToSlack(webhookUrl: string, text: string, timeoutMs: number, signal?: AbortSignal, attempt?: number): Promise<void> {
  // Slack answers `ok` as plain text; errors are text too (`invalid_payload`, `no_service`).
  await requestJson<string>({
    system: 'Slack',
    method: 'POST',
    url: webhookUrl,
    headers: {},
    body: { text, unfurl_links: false },
    timeoutMs,
    signal,
    attempt,
    text: true,
    label: 'incoming webhook', // the URL path is the secret: never in an error message
  });
}
