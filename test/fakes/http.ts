// Plumbing shared by the SaaS fakes: the queue of injected faults and the writing of an answer.
import type { ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Faults queued for the next requests whose path matches (string = path prefix, or RegExp), `times` each (default 1). */
export class FaultQueue<F extends { times?: number }> {
  private readonly queued: { match: string | RegExp; fault: F; remaining: number }[] = [];

  add(match: string | RegExp, fault: F): void {
    this.queued.push({ match, fault, remaining: fault.times ?? 1 });
  }

  /** The first fault queued for this path, used up once. */
  take(path: string): F | undefined {
    const index = this.queued.findIndex((q) => (typeof q.match === 'string' ? path.startsWith(q.match) : q.match.test(path)));
    const entry = this.queued[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.queued.splice(index, 1);
    return entry.fault;
  }
}

/**
 * Writes a reply as the API would: JSON bodies with the API's own content type, string bodies as HTML
 * (a proxy's error page) or plain text, the reply's headers lower-cased, and a content-length.
 */
export function sendReply(res: ServerResponse, reply: Reply, jsonContentType: string): void {
  const headers: Record<string, string> = {};
  let payload = '';
  if (typeof reply.body === 'string') {
    payload = reply.body;
    headers['content-type'] = reply.body.trimStart().startsWith('<') ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8';
  } else if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body);
    headers['content-type'] = jsonContentType;
  }
  for (const [name, value] of Object.entries(reply.headers ?? {})) headers[name.toLowerCase()] = value;
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}
