import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SandboxInputError } from '../src/input-error.js';
import {
  removeSandboxKubeconfig,
  sandboxKubeconfig,
  sandboxKubeconfigInstance,
  writeKubeconfigAtomically,
} from '../src/kubeconfig.js';
import { createSandboxTls, type SandboxTls } from '../src/tls.js';

const TOKEN = 'sandbox-token-123';

/** Answers /version like kube-apiserver when the bearer token matches, 401 otherwise. */
function versionHandler(req: IncomingMessage, res: ServerResponse) {
  if (req.headers.authorization !== `Bearer ${TOKEN}`) {
    res.writeHead(401).end();
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.0' }));
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'mtv-kubeconfig-'));
}

describe('sandboxKubeconfig', () => {
  let tls: SandboxTls;
  let https: Server;
  let http: Server;
  let httpsUrl: string;
  let httpUrl: string;

  beforeAll(async () => {
    tls = createSandboxTls();
    https = createHttpsServer({ cert: tls.serverCert, key: tls.serverKey }, versionHandler);
    http = createHttpServer(versionHandler);
    httpsUrl = `https://127.0.0.1:${await listen(https)}`;
    httpUrl = `http://127.0.0.1:${await listen(http)}`;
  });

  afterAll(async () => {
    await Promise.all([https, http].map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('carries the CA for https, and client-node verifies the server with it', async () => {
    const text = sandboxKubeconfig({ server: httpsUrl, token: TOKEN, caCert: tls.caCert });
    const kc = new KubeConfig();
    kc.loadFromString(text);
    expect(kc.getCurrentContext()).toBe('mtv-sandbox');
    expect(kc.getContextObject('mtv-sandbox')?.namespace).toBe('openshift-mtv');
    expect(kc.getCurrentCluster()).toMatchObject({ server: httpsUrl, skipTLSVerify: false });
    expect(Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64').toString()).toBe(tls.caCert);
    expect(kc.getCurrentUser()?.token).toBe(TOKEN);
    expect(text).not.toContain('insecure-skip-tls-verify');
    await expect(kc.makeApiClient(VersionApi).getCode()).resolves.toMatchObject({ gitVersion: 'v1.32.0' });
  });

  it('makes client-node refuse the server when it carries another CA', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(sandboxKubeconfig({ server: httpsUrl, token: TOKEN, caCert: createSandboxTls().caCert }));
    await expect(kc.makeApiClient(VersionApi).getCode()).rejects.toThrow(/certificate|signature/i);
  });

  it('writes insecure-skip-tls-verify for http, which client-node requires to talk to it', async () => {
    const text = sandboxKubeconfig({ server: httpUrl, token: TOKEN, insecure: true });
    const kc = new KubeConfig();
    kc.loadFromString(text);
    expect(kc.getCurrentCluster()).toMatchObject({ server: httpUrl, skipTLSVerify: true });
    expect(text).not.toContain('certificate-authority-data');
    await expect(kc.makeApiClient(VersionApi).getCode()).resolves.toMatchObject({ gitVersion: 'v1.32.0' });
  });

  it('treats an http server as insecure even when not told so, and never writes a CA with it', () => {
    const kc = new KubeConfig();
    kc.loadFromString(sandboxKubeconfig({ server: httpUrl, token: TOKEN, caCert: 'ignored' }));
    expect(kc.getCurrentCluster()).toMatchObject({ skipTLSVerify: true, caData: undefined });
  });

  it('takes another namespace and context name', () => {
    const kc = new KubeConfig();
    kc.loadFromString(
      sandboxKubeconfig({
        server: httpsUrl,
        token: TOKEN,
        caCert: tls.caCert,
        namespace: 'demo',
        contextName: 'other',
      }),
    );
    expect(kc.getCurrentContext()).toBe('other');
    expect(kc.getContextObject('other')).toMatchObject({ namespace: 'demo', cluster: 'other', user: 'other' });
  });

  it('refuses an https server without a CA or insecure', () => {
    expect(() => sandboxKubeconfig({ server: httpsUrl, token: TOKEN })).toThrow(/neither caCert nor insecure/);
  });
});

describe('writeKubeconfigAtomically', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('writes the file with mode 0600 and leaves no temporary file', async () => {
    const dir = tempDir();
    const path = join(dir, 'sandbox.kubeconfig');
    await writeKubeconfigAtomically(path, 'apiVersion: v1\n');
    expect(readFileSync(path, 'utf8')).toBe('apiVersion: v1\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['sandbox.kubeconfig']);
  });

  it("replaces a sandbox's earlier kubeconfig whole, and makes it 0600", async () => {
    const dir = tempDir();
    const path = join(dir, 'config');
    const earlier = sandboxKubeconfig({ server: 'http://127.0.0.1:1', token: 'old-token-that-is-longer' });
    writeFileSync(path, earlier, { mode: 0o644 });
    await writeKubeconfigAtomically(path, 'new\n');
    expect(readFileSync(path, 'utf8')).toBe('new\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['config']);
  });

  it('refuses any other existing file and leaves it as it was', async () => {
    const dir = tempDir();
    const path = join(dir, 'config');
    writeFileSync(path, 'apiVersion: v1\nkind: Config\n', { mode: 0o644 });
    await expect(writeKubeconfigAtomically(path, 'new\n')).rejects.toMatchObject({
      name: 'SandboxInputError',
      message: `kubeconfig "${path}" exists and was not written by kubectl mtv sandbox; the sandbox writes only a new file or one it wrote before`,
    });
    expect(readFileSync(path, 'utf8')).toBe('apiVersion: v1\nkind: Config\n');
    expect(readdirSync(dir)).toEqual(['config']);
  });

  it('marks its kubeconfig, and removes only a file whose mark names the same sandbox', async () => {
    const dir = tempDir();
    const path = join(dir, 'config');
    const mine = sandboxKubeconfig({ server: 'http://127.0.0.1:1', token: 't', instance: 'one' });
    expect(sandboxKubeconfigInstance(mine)).toBe('one');
    expect(sandboxKubeconfigInstance('apiVersion: v1\nkind: Config\n')).toBeUndefined();
    expect(sandboxKubeconfigInstance(': not yaml [')).toBeUndefined();
    writeFileSync(path, sandboxKubeconfig({ server: 'http://127.0.0.1:2', token: 't', instance: 'two' }));
    await removeSandboxKubeconfig(path, mine);
    expect(existsSync(path)).toBe(true);
    writeFileSync(path, mine.replace('namespace: openshift-mtv', 'namespace: demo'));
    await removeSandboxKubeconfig(path, mine);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses ~/.kube/config with an input error and what to do instead', async () => {
    const error = await writeKubeconfigAtomically(join(homedir(), '.kube', 'config'), 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxInputError);
    expect((error as SandboxInputError).message).toMatch(/is your default kubeconfig.*never writes over it$/);
    expect((error as SandboxInputError).hint).toMatch(/^--kubeconfig /);
  });

  it('refuses every path of KUBECONFIG, also when reached through a symlinked directory', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    vi.stubEnv('KUBECONFIG', `${join(dir, 'first')}${delimiter}${join(dir, 'real', 'second')}`);
    await expect(writeKubeconfigAtomically(join(dir, 'first'), 'x')).rejects.toBeInstanceOf(SandboxInputError);
    await expect(writeKubeconfigAtomically(join(dir, 'link', 'second'), 'x')).rejects.toBeInstanceOf(SandboxInputError);
    expect(readdirSync(join(dir, 'real'))).toEqual([]);
    await writeKubeconfigAtomically(join(dir, 'third'), 'x');
    expect(readFileSync(join(dir, 'third'), 'utf8')).toBe('x');
  });

  it('reports a missing directory as an input error naming the path', async () => {
    const path = join(tempDir(), 'missing', 'config');
    await expect(writeKubeconfigAtomically(path, 'x')).rejects.toMatchObject({
      name: 'SandboxInputError',
      message: `kubeconfig "${path}" cannot be written (ENOENT)`,
    });
  });
});
