/**
 * An HTTP proxy in front of the sandbox, as kubeconfigs with `proxy-url` reach clusters through one: CONNECT tunnels
 * for https targets (RFC 9110 §9.3.6) and absolute-form requests for http targets (RFC 9112 §3.2.2). It forwards only
 * to the sandbox's own ports on 127.0.0.1 (never an open proxy), and counts what it carried, per target.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';

export interface SandboxProxy {
  /** `http://127.0.0.1:PORT`: what a kubeconfig's proxy-url names. */
  url: string;
  /** Tunnels opened and requests forwarded, by target `host:port`. */
  carried(): Record<string, number>;
  close(): Promise<void>;
}

/** Starts the proxy; `allowed` names the targets (`127.0.0.1:PORT`) it may reach, read at each connection. */
export async function startSandboxProxy(allowed: () => readonly string[]): Promise<SandboxProxy> {
  const counts: Record<string, number> = {};
  const sockets = new Set<Socket>();
  const count = (target: string) => {
    counts[target] = (counts[target] ?? 0) + 1;
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // absolute-form: GET http://127.0.0.1:PORT/path
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute-form request expected\n');
      return;
    }
    const where = `${target.hostname}:${target.port || 80}`;
    if (target.protocol !== 'http:' || !allowed().includes(where)) {
      res.writeHead(403).end(`the sandbox proxy does not reach ${where}\n`);
      return;
    }
    count(where);
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const where = req.url ?? '';
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (!allowed().includes(where)) {
      client.end(`HTTP/1.1 403 Forbidden\r\n\r\n`);
      return;
    }
    count(where);
    const [host, port] = [where.slice(0, where.lastIndexOf(':')), Number(where.slice(where.lastIndexOf(':') + 1))];
    const upstream = connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    carried: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
