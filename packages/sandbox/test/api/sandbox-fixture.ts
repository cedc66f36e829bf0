/**
 * A running API server for a test file: HTTPS with a throwaway self-signed CA (the kubectl on these machines sends
 * a bearer token only over TLS), a kubeconfig for kubectl and client-node, and a helper that runs the real kubectl.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemTool } from '@kubectl-mtv/test-support';
import { type ApiServer, type ApiServerOptions, startApiServer } from '../../src/api/api-server.js';
import { sandboxKubeconfig } from '../../src/kubeconfig.js';
import { createSandboxTls } from '../../src/tls.js';

export const TOKEN = 'sandbox-test-token';

/** The real kubectl: the suites that run it mark themselves with needs(kubectl). */
export const kubectl = systemTool('kubectl');

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the server sent
  json: any;
}

export interface RawRequestOptions {
  body?: string;
  contentType?: string;
  accept?: string;
  /** null sends no Authorization header. */
  token?: string | null;
}

export interface Sandbox {
  /** One HTTPS request to the sandbox with the test token (or `token`). */
  request(method: string, path: string, options?: RawRequestOptions): Promise<RawResponse>;
  server: ApiServer;
  dir: string;
  kubeconfig: string;
  kubeconfigText: string;
  /** Runs the real kubectl against the sandbox; `input` goes to its stdin. */
  kubectl(args: string[], input?: string, env?: Record<string, string>): Promise<KubectlResult>;
  /** Writes `text` to a file in the sandbox's folder and returns its path. */
  file(name: string, text: string): string;
  stop(): Promise<void>;
}

export async function startSandbox(options: Partial<ApiServerOptions> = {}): Promise<Sandbox> {
  const { caCert, serverCert, serverKey } = createSandboxTls();
  const server = await startApiServer({ token: TOKEN, tls: { cert: serverCert, key: serverKey }, ...options });
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-api-'));
  const text = sandboxKubeconfig({ server: server.url, token: TOKEN, caCert, namespace: 'default' });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, text);
  const runKubectl = (args: string[], input?: string, env: Record<string, string> = {}) =>
    new Promise<KubectlResult>((resolve) => {
      const child = execFile(
        kubectl.path(),
        args,
        {
          env: {
            PATH: process.env.PATH ?? '',
            HOME: dir,
            KUBECONFIG: kubeconfig,
            KUBECACHEDIR: join(dir, 'cache'),
            ...env,
          },
          timeout: 30_000,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
        },
      );
      if (input !== undefined) child.stdin?.end(input);
    });
  const request = (method: string, path: string, options: RawRequestOptions = {}) =>
    new Promise<RawResponse>((resolve, reject) => {
      const headers: Record<string, string> = { Accept: options.accept ?? 'application/json' };
      const token = options.token === undefined ? TOKEN : options.token;
      if (token !== null) headers.Authorization = `Bearer ${token}`;
      if (options.body !== undefined) {
        headers['Content-Type'] = options.contentType ?? 'application/json';
        // node sends a DELETE body without a length otherwise, which the server cannot frame
        headers['Content-Length'] = String(Buffer.byteLength(options.body));
      }
      const req = httpsRequest(`${server.url}${path}`, { method, headers, ca: caCert }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      });
      req.on('error', reject);
      req.end(options.body);
    });
  return {
    request,
    server,
    dir,
    kubeconfig,
    kubeconfigText: text,
    kubectl: runKubectl,
    file: (name, content) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    stop: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A DataVolume manifest (JSON) with a vddk source, as kubectl users write one; `vddk` overrides its fields. */
export function dataVolume(name: string, vddk: Record<string, string> = {}): string {
  return JSON.stringify({
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'DataVolume',
    metadata: { name, namespace: 'demo', labels: { app: 'demo', tier: name.endsWith('gold') ? 'gold' : 'silver' } },
    spec: {
      source: {
        vddk: {
          url: 'https://vcenter.example.com/sdk',
          uuid: '4204-aaaa',
          backingFile: '[ds1] vm/vm.vmdk',
          thumbprint: 'AA:BB:CC',
          secretRef: 'vsphere-a-vddk',
          ...vddk,
        },
      },
      storage: { resources: { requests: { storage: '10Gi' } } },
    },
  });
}
