// A local Slack incoming webhook: answers like Slack (`ok` as text; `no_service`, `invalid_payload`,
// 429 with Retry-After) and records the messages.
import { FakeServer, FaultQueue, type ReceivedRequest, type Reply } from './fake-server';

export class FakeSlackWebhook extends FakeServer {
  readonly messages: { text: string }[] = [];
  /** The secret part of a real webhook URL: /services/T…/B…/<token>. */
  readonly path = '/services/T00000000/B00000000/fakeSlackWebhookToken0000';
  private readonly failures = new FaultQueue<Reply & { times?: number }>();

  private constructor() {
    super({
      json: 'application/json',
      text: () => 'text/html',
      contentLength: false,
      cutOffBody: 'crash',
      crash: () => ({ status: 500, body: 'internal_error' }),
    });
  }

  static start(): Promise<FakeSlackWebhook> {
    return new FakeSlackWebhook().listen();
  }

  get url(): string {
    return `${this.baseUrl}${this.path}`;
  }

  /** The next message is answered `status` with this text. */
  fail(status: number, body: string, headers?: Record<string, string>): void {
    this.failures.add(() => true, { status, body, headers });
  }

  protected record(request: ReceivedRequest): ReceivedRequest {
    return request;
  }

  protected respond(request: ReceivedRequest): Reply {
    if (request.method !== 'POST' || request.url !== this.path) return { status: 404, body: 'no_service' };
    const failure = this.failures.take(request.path);
    if (failure) return failure;
    let text: unknown;
    try {
      text = (JSON.parse(request.text) as { text?: unknown }).text;
    } catch {
      return { status: 400, body: 'invalid_payload' };
    }
    if (typeof text !== 'string' || text.length === 0) return { status: 400, body: 'no_text' };
    this.messages.push({ text });
    return { status: 200, body: 'ok' };
  }
}
