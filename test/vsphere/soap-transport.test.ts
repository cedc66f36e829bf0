/**
 * The vSphere transport's connections against a real HTTPS server that resets them at chosen moments: a kept-alive
 * connection the server closes as a call goes out on it (Node's documented race, http.ClientRequest reusedSocket) is
 * retried on a new one; a reset on a new connection is a failure, never sent twice.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createSandboxTls } from '@kubectl-mtv/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { childText } from '../../src/vsphere/soap-envelope.js';
import { soapTransport } from '../../src/vsphere/soap-transport.js';
import { VCenterUnreachable } from '../../src/vsphere/types.js';

const tls = createSandboxTls();
const ANSWER =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><CurrentTimeResponse xmlns="urn:vim25"><returnval>2026-01-01T00:00:00Z</returnval></CurrentTimeResponse></soapenv:Body></soapenv:Envelope>';
const SERVICE = { type: 'ServiceInstance', value: 'ServiceInstance' };

/** A server that answers CurrentTime, or resets the connection when `reset` says so; it counts what it saw. */
async function resettingServer(reset: (reused: boolean) => boolean) {
  const served = new WeakSet<Socket>();
  const seen = { connections: 0, calls: 0, resets: 0 };
  const server: Server = createServer({ cert: tls.serverCert, key: tls.serverKey }, (request, response) => {
    const socket = request.socket;
    seen.calls++;
    request.resume();
    request.on('end', () => {
      if (reset(served.has(socket))) {
        seen.resets++;
        socket.destroy();
        return;
      }
      served.add(socket);
      response.writeHead(200, { 'Content-Type': 'text/xml' }).end(ANSWER);
    });
  });
  server.on('secureConnection', () => seen.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/sdk`;
  return { server, seen, url };
}

let servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  servers = [];
});

describe('the vSphere transport on kept-alive connections', () => {
  it('sends a call again on a new connection when the server resets the kept-alive one it went out on', async () => {
    let resetReused = false;
    const { server, seen, url } = await resettingServer((reused) => resetReused && reused);
    servers.push(server);
    const transport = soapTransport({ url, user: 'u', password: 'p', ca: tls.caCert }, 5_000);
    try {
      await transport.call('CurrentTime', SERVICE);
      resetReused = true;
      const answer = await transport.call('CurrentTime', SERVICE);
      expect(childText(answer, 'returnval')).toBe('2026-01-01T00:00:00Z');
      // the second call: once on the kept-alive connection (reset), once on a new one (answered)
      expect(seen).toEqual({ connections: 2, calls: 3, resets: 1 });
    } finally {
      transport.close();
    }
  });

  it('fails a call whose new connection is reset, without sending it again', async () => {
    const { server, seen, url } = await resettingServer(() => true);
    servers.push(server);
    const transport = soapTransport({ url, user: 'u', password: 'p', ca: tls.caCert }, 5_000);
    try {
      const failure = await transport.call('CurrentTime', SERVICE).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(VCenterUnreachable);
      expect(seen).toEqual({ connections: 1, calls: 1, resets: 1 });
    } finally {
      transport.close();
    }
  });
});
