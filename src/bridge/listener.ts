// One HTTP listener of the bridge (webhook, codec, metrics): Node's limits on slow and idle clients, a
// cap on open connections, and a close that drains.
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { ListenerLimits } from '../config/bridge';

const DRAIN_GRACE_MS = 10_000;

export interface DrainingListener {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export interface ListenOptions {
  port: number;
  host?: string;
  limits: ListenerLimits;
  /** Called for each connection closed at once because `maxConnections` are open. */
  onDrop?: () => void;
}

/**
 * Node checks requestTimeout and headersTimeout on a timer (every 30 s by default), so a limit of 5 s
 * could hold a connection for 35: the check runs often enough for the shortest limit to be kept.
 */
export const checkingIntervalFor = (limits: ListenerLimits) => Math.max(50, Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 5)));

/**
 * Listens with `limits` and tracks in-flight requests. A request (headers and body) not received within
 * requestTimeout, or its headers within headersTimeout, is answered 408 and its connection closed; an
 * idle keep-alive connection is closed after keepAliveTimeout; beyond maxConnections a new connection is
 * closed at once. On close, answers still in flight tell their clients to hang up, so keep-alive
 * connections do not hold a SIGTERM open; a stuck client is cut off after the grace time.
 */
export async function listenDraining(app: RequestListener, { port, host, limits, onDrop }: ListenOptions): Promise<DrainingListener> {
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: checkingIntervalFor(limits),
    },
    app,
  );
  server.maxConnections = limits.maxConnections;
  if (onDrop) server.on('drop', onDrop);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const listening = () => {
      server.off('error', reject);
      resolve();
    };
    if (host === undefined) server.listen(port, listening);
    else server.listen(port, host, listening);
  });
  let draining = false;
  const inFlight = new Set<ServerResponse>();
  server.on('request', (_req, res: ServerResponse) => {
    if (draining) res.setHeader('connection', 'close');
    inFlight.add(res);
    res.on('close', () => inFlight.delete(res));
  });
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : port,
    close: async () => {
      draining = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      const cutOff = setTimeout(() => server.closeAllConnections(), DRAIN_GRACE_MS);
      cutOff.unref();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearTimeout(cutOff);
    },
  };
}
