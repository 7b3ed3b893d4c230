// A local Slack incoming webhook: answers like Slack (`ok` as text; `no_service`, `invalid_payload`,
// 429 with Retry-After) and records the messages.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export class FakeSlackWebhook {
  readonly messages: { text: string }[] = [];
  /** The secret part of a real webhook URL: /services/T…/B…/<token>. */
  readonly path = '/services/T00000000/B00000000/fakeSlackWebhookToken0000';
  private failures: { status: number; body: string; headers?: Record<string, string> }[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeSlackWebhook> {
    const server = createServer();
    const fake = new FakeSlackWebhook(server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.path}`;
  }

  fail(status: number, body: string, headers?: Record<string, string>): void {
    this.failures.push({ status, body, headers });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/html', ...headers });
      res.end(body);
    };
    if (req.method !== 'POST' || req.url !== this.path) return text(404, 'no_service');
    const failure = this.failures.shift();
    if (failure) return text(failure.status, failure.body, failure.headers);
    try {
      const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: unknown };
      if (typeof payload.text !== 'string' || payload.text.length === 0) return text(400, 'no_text');
      this.messages.push({ text: payload.text });
      return text(200, 'ok');
    } catch {
      return text(400, 'invalid_payload');
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
