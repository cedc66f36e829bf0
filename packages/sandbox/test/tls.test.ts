import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs, systemTool } from '@kubectl-mtv/test-support';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxTls, type SandboxTls } from '../src/tls.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** GET `url` trusting only `ca` (or Node's default store when undefined); resolves the body or rejects. */
function get(url: string, ca?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

const curlTool = systemTool('curl');

/** Runs a command without blocking the event loop; resolves its exit code and stdout. */
function run(command: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8' }, (error, stdout) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout });
    });
  });
}

describe('createSandboxTls', () => {
  let tls: SandboxTls;
  let server: Server;
  let port: number;
  let dir: string;

  beforeAll(async () => {
    tls = createSandboxTls();
    dir = mkdtempSync(join(tmpdir(), 'mtv-tls-'));
    writeFileSync(join(dir, 'ca.crt'), tls.caCert);
    server = createServer({ cert: tls.serverCert, key: tls.serverKey }, (_req, res) => res.end('sandbox ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('makes a CA certificate that may sign certificates', () => {
    const ca = new X509Certificate(tls.caCert);
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    // node:crypto does not expose keyUsage; read it back with forge (the handshakes below check it with OpenSSL)
    const parsed = forge.pki.certificateFromPem(tls.caCert);
    expect(parsed.getExtension('basicConstraints')).toMatchObject({ cA: true, critical: true });
    expect(parsed.getExtension('keyUsage')).toMatchObject({ keyCertSign: true });
  });

  it('makes a server certificate signed by the CA for 127.0.0.1 and localhost, valid for a year', () => {
    const ca = new X509Certificate(tls.caCert);
    const cert = new X509Certificate(tls.serverCert);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    const days = (Date.parse(cert.validTo) - Date.now()) / DAY_MS;
    expect(days).toBeGreaterThan(364);
    expect(days).toBeLessThan(366);
    expect(Date.parse(cert.validFrom)).toBeLessThanOrEqual(Date.now());
  });

  it('gives every certificate a random positive serial', () => {
    const other = createSandboxTls();
    const serials = [tls.caCert, tls.serverCert, other.caCert, other.serverCert].map(
      (pem) => new X509Certificate(pem).serialNumber,
    );
    expect(new Set(serials).size).toBe(4);
    for (const serial of serials) expect(Number.parseInt(serial.slice(0, 2), 16)).toBeLessThan(0x80);
  });

  it('puts the DNS names and IPs it is given into subjectAltName', () => {
    const custom = createSandboxTls(['10.0.0.7', 'sandbox.example', '::1']);
    const cert = new X509Certificate(custom.serverCert);
    expect(cert.subjectAltName).toContain('IP Address:10.0.0.7');
    expect(cert.subjectAltName).toContain('DNS:sandbox.example');
    expect(cert.subjectAltName).toContain('IP Address:0:0:0:0:0:0:0:1');
    expect(cert.subjectAltName).not.toContain('localhost');
  });

  it('is accepted by a Node https client that trusts only the CA, by IP and by name', async () => {
    await expect(get(`https://127.0.0.1:${port}/`, tls.caCert)).resolves.toBe('sandbox ok');
    await expect(get(`https://localhost:${port}/`, tls.caCert)).resolves.toBe('sandbox ok');
  });

  it('is rejected by a client that does not trust the CA', async () => {
    const error = await get(`https://127.0.0.1:${port}/`).then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    expect(error?.code).toMatch(
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/,
    );
  });

  it('is rejected by a client that trusts another sandbox CA', async () => {
    const stranger = createSandboxTls();
    await expect(get(`https://127.0.0.1:${port}/`, stranger.caCert)).rejects.toMatchObject({
      code: expect.stringMatching(
        /UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_SIGNATURE_FAILURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/,
      ),
    });
  });

  // curl runs asynchronously: the server answers from this process's event loop
  it('is accepted by curl --cacert and refused by curl without it', needs(curlTool), async () => {
    const curl = (...args: string[]) => run(curlTool.path(), ['-sS', '--max-time', '10', ...args]);
    await expect(curl('--cacert', join(dir, 'ca.crt'), `https://127.0.0.1:${port}/`)).resolves.toMatchObject({
      code: 0,
      stdout: 'sandbox ok',
    });
    await expect(curl('--cacert', join(dir, 'ca.crt'), `https://localhost:${port}/`)).resolves.toMatchObject({
      code: 0,
      stdout: 'sandbox ok',
    });
    // 60: peer certificate cannot be authenticated with known CA certificates
    await expect(curl(`https://127.0.0.1:${port}/`)).resolves.toMatchObject({ code: 60 });
  });
});
