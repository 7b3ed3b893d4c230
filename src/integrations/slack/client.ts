// Slack incoming webhook: one line where responders look.
import { send } from '../http';

export async function postToSlack(webhookUrl: string, text: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  // Slack answers `ok` as plain text; errors are text too (`invalid_payload`, `no_service`).
  await send({
    system: 'Slack',
    method: 'POST',
    url: webhookUrl,
    headers: {},
    body: { text, unfurl_links: false },
    timeoutMs,
    signal,
    label: 'incoming webhook', // the URL path is the secret: never in an error message
  });
}
