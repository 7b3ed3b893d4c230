// Free TCP ports on the loopback, chosen at runtime so that parallel runs (and other worktrees) never collide.
import net, { type AddressInfo } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `count` distinct free ports (held open together while chosen, so none is handed out twice). With `below`,
 * picked at random under it instead of from the kernel's ephemeral range (32768+ on Linux): Temporal's SQL
 * schema stores a service's membership port in a SMALLINT (cluster_membership.rpc_port), so 32767 is the
 * highest port a Temporal service on PostgreSQL can have.
 */
export async function freePorts(count: number, below?: number): Promise<number[]> {
  const servers: net.Server[] = [];
  const listen = (server: net.Server, port: number) =>
    new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
  try {
    const ports: number[] = [];
    for (let tries = 0; ports.length < count; tries++) {
      if (tries > count * 50) throw new Error(`no ${count} free ports${below ? ` below ${below}` : ''}`);
      const server = net.createServer();
      const wanted = below ? 10_000 + Math.floor(Math.random() * (below - 10_000)) : 0;
      if (!(await listen(server, wanted))) continue;
      servers.push(server);
      ports.push((server.address() as AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** Resolves once something accepts connections on host:port, or rejects after timeoutMs. */
export async function waitForPort(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, host, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
