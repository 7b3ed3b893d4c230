// The plumbing every SaaS fake shares: listening on 127.0.0.1 on a free port (nothing leaves the
// host), closing, reading and recording requests, the answer to a crash, queued faults and the
// writing of an answer. A fake extends FakeServer with only what is its API's own: routes, state,
// status codes, error bodies, pagination, rate-limit headers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Thrown anywhere in a fake's `respond`: answered as is. */
export class ReplyError extends Error implements Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

/** A request as the base reads it; each fake records it in its own shape (`record`). */
export interface ReceivedRequest {
  method: string;
  /** The request target as sent (path and query, not normalized). */
  url: string;
  path: string;
  query: URLSearchParams;
  /** A copy of the request's headers. */
  headers: Record<string, string | string[] | undefined>;
  /** The body as sent, '' when empty. */
  text: string;
  /** Parsed JSON, the raw text when it is not JSON, undefined when empty. */
  body: unknown;
  /** False when a non-empty body is not JSON. */
  bodyIsJson: boolean;
  /** When the request had arrived in full (ms since epoch), to check retry delays. */
  receivedAt: number;
}

/** A path prefix, or a RegExp tested against the path. */
export type PathMatch = string | RegExp;

export function matchesPath(match: PathMatch, path: string): boolean {
  return typeof match === 'string' ? path.startsWith(match) : match.test(path);
}

/** What a fault is queued for: a predicate on the key, or (string keys) a path prefix or RegExp. */
export type FaultMatch<K> = ((key: K) => boolean) | (K extends string ? PathMatch : never);

/** Faults queued for the next requests whose key (by default the path) matches, `times` each (default 1). */
export class FaultQueue<F extends { times?: number }, K = string> {
  private readonly queued: { matches: (key: K) => boolean; fault: F; remaining: number }[] = [];

  add(match: FaultMatch<K>, fault: F): void {
    const matches = typeof match === 'function' ? match : (key: K) => matchesPath(match, String(key));
    this.queued.push({ matches, fault, remaining: fault.times ?? 1 });
  }

  /** The first fault queued for this key, used up once. */
  take(key: K): F | undefined {
    const index = this.queued.findIndex((q) => q.matches(key));
    const entry = this.queued[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.queued.splice(index, 1);
    return entry.fault;
  }
}

/** How a fake's API writes its answers, and what it answers when the fake itself fails. */
export interface FakeServerOptions {
  /** Content type of JSON bodies, the API's own (`application/json`, `application/json; charset=utf-8`). */
  json: string;
  /** Content type of string bodies, undefined for none. Default: HTML when it looks like a page (a proxy's error page), else plain text. */
  text?: (body: string) => string | undefined;
  /** Send a content-length (default); false sends the body chunked. */
  contentLength?: boolean;
  /** Appended to `http://127.0.0.1:<port>` to make `baseUrl` (Devin: `/v3`). */
  basePath?: string;
  /** A request whose body was cut off: `handle` it with what arrived (default), or `crash` (unrecorded; the crash answer if it still can). */
  cutOffBody?: 'handle' | 'crash';
  /** The answer when the fake itself throws (anything but a ReplyError). */
  crash: (error: unknown) => Reply;
}

/**
 * Writes a reply as the API would: JSON bodies with the API's own content type, string bodies as
 * `options.text` says, the reply's headers lower-cased (a content type among them wins), and a
 * content-length unless the options say otherwise.
 */
export function sendReply(res: ServerResponse, reply: Reply, options: Pick<FakeServerOptions, 'json' | 'text' | 'contentLength'>): void {
  const headers: Record<string, string> = {};
  let payload = '';
  if (typeof reply.body === 'string') {
    payload = reply.body;
    const type = (options.text ?? pageOrText)(reply.body);
    if (type !== undefined) headers['content-type'] = type;
  } else if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body);
    headers['content-type'] = options.json;
  }
  for (const [name, value] of Object.entries(reply.headers ?? {})) headers[name.toLowerCase()] = value;
  if (options.contentLength !== false) headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

const pageOrText = (body: string) => (body.trimStart().startsWith('<') ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8');

function readBody(req: IncomingMessage): Promise<{ text: string; error?: unknown }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', (error) => resolve({ text: Buffer.concat(chunks).toString('utf8'), error }));
  });
}

/**
 * A fake API's HTTP server. A fake gives its options to the constructor, starts with
 * `new Fake(...).listen()`, and implements `record` (its request record) and `respond` (its API).
 */
export abstract class FakeServer<R = ReceivedRequest> {
  /** Every request, in arrival order, as this fake records it. */
  readonly requests: R[] = [];
  /** The most requests this fake has had in flight at once (1 = strictly serial client). */
  peakConcurrency = 0;

  private server?: Server;
  private origin = '';
  private closing?: Promise<void>;
  private readonly sockets = new Set<Socket>();
  private inFlight = 0;

  protected constructor(private readonly options: FakeServerOptions) {}

  /** `http://127.0.0.1:<port>` and the API's base path. */
  get baseUrl(): string {
    return `${this.origin}${this.options.basePath ?? ''}`;
  }

  /** Listens on 127.0.0.1 on a free port. */
  protected async listen(): Promise<this> {
    const server = createServer((req, res) => this.accept(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** Stops listening and drops every connection, answered or not; safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      const server = this.server;
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
    });
    return this.closing;
  }

  /** The request as this fake records it in `requests` (each fake keeps its own fields). */
  protected abstract record(request: ReceivedRequest): R;

  /**
   * The fake's answer: a reply, or null to destroy the connection without answering (a response lost
   * on the way back). A thrown ReplyError is answered as is; anything else thrown gets the crash answer.
   */
  protected abstract respond(request: ReceivedRequest, recorded: R): Reply | null | Promise<Reply | null>;

  private accept(req: IncomingMessage, res: ServerResponse): void {
    this.inFlight += 1;
    this.peakConcurrency = Math.max(this.peakConcurrency, this.inFlight);
    let done = false;
    const finished = () => {
      if (!done) this.inFlight -= 1;
      done = true;
    };
    res.once('finish', finished);
    res.once('close', finished);
    this.serve(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) sendReply(res, this.options.crash(error), this.options);
      else res.destroy();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { text, error } = await readBody(req);
    if (error !== undefined && this.options.cutOffBody === 'crash') throw error;
    let body: unknown = undefined;
    let bodyIsJson = true;
    if (text.length > 0) {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = text;
        bodyIsJson = false;
      }
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const request: ReceivedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      path: url.pathname,
      query: url.searchParams,
      headers: { ...req.headers },
      text,
      body,
      bodyIsJson,
      receivedAt: Date.now(),
    };
    const recorded = this.record(request);
    this.requests.push(recorded);
    let reply: Reply | null;
    try {
      reply = await this.respond(request, recorded);
    } catch (thrown) {
      if (!(thrown instanceof ReplyError)) throw thrown;
      reply = thrown;
    }
    if (reply === null) res.socket?.destroy();
    else sendReply(res, reply, this.options);
  }
}
