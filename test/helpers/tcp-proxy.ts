/**
 * A TCP proxy on loopback that can partition its client from the upstream: `partition()` stops forwarding in both
 * directions without closing anything (a black hole, as a dropped network path looks: no RST, no FIN), and `heal()`
 * closes the connections that lived through it, so clients reconnect cleanly, and forwards again.
 * @module
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  partition(): void;
  heal(): void;
  /** Client connections that sent bytes during the partition and are still open (requests waiting on it). */
  held(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(upstreamPort: number): Promise<TcpProxy> {
  let partitioned = false;
  const live = new Set<Socket>();
  /** Connections that saw a partition: their byte streams have holes, so they end at `heal()`. */
  const broken = new Set<Socket>();
  const holding = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: upstreamPort });
    const pair = [client, upstream];
    for (const socket of pair) {
      live.add(socket);
      if (partitioned) broken.add(socket);
      socket.on('error', () => {
        for (const s of pair) s.destroy();
      });
      socket.on('close', () => {
        live.delete(socket);
        broken.delete(socket);
        holding.delete(socket);
        for (const s of pair) s.destroy();
      });
    }
    client.on('data', (chunk) => {
      if (!partitioned) upstream.write(chunk);
      else holding.add(client);
    });
    upstream.on('data', (chunk) => {
      if (!partitioned) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    partition() {
      partitioned = true;
      for (const socket of live) broken.add(socket);
    },
    heal() {
      partitioned = false;
      for (const socket of broken) socket.destroy();
      broken.clear();
      holding.clear();
    },
    held: () => holding.size,
    async close() {
      for (const socket of live) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
