/**
 * The built plugin with the kubeconfig shapes users have, against `kubectl mtv sandbox` in another process: a client
 * certificate written beside the kubeconfig, a proxy-url that every request crosses (the real kubectl's too), and no
 * kubeconfig at all in a pod, where the service account is used.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs, systemTool } from '@kubectl-mtv/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectKube } from '../../src/cluster/kube-client.js';
import { bin, killAll, pluginEnv, requireBuild, start, startSandbox } from './plugin-fixture.js';

const kubectl = systemTool('kubectl');
let dir: string;

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'kubectl-mtv-credentials-'));
});

afterEach(() => killAll());

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The plugin to its end, with `env` added to (or, for `undefined` values, removed from) the plugin's environment. */
async function plugin(args: string[], env: NodeJS.ProcessEnv = {}) {
  const merged = { ...pluginEnv(), ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete merged[key];
  const run = start([], dir, { command: process.execPath, args: [bin, ...args] }, merged);
  return run.done;
}

const dryRun = (kubeconfig: string) => [
  'migrate',
  'plan-a',
  '-n',
  'openshift-mtv',
  '--kubeconfig',
  kubeconfig,
  '--allow-powered-on',
  '--dry-run=server',
];

describe('credentials through bin/', () => {
  it(
    'a client certificate written beside the kubeconfig: kubectl and the plugin read the cluster; the inventory wants a token',
    needs(kubectl),
    async () => {
      const sandbox = await startSandbox(dir, '--client-certificate');
      const text = readFileSync(sandbox.kubeconfig, 'utf8');
      expect(text).toContain(`client-certificate: ${sandbox.kubeconfig}-client.crt`);
      expect(text).not.toMatch(/\btoken:/);
      expect(existsSync(`${sandbox.kubeconfig}-client.key`)).toBe(true);
      const plans = execFileSync(
        kubectl.path(),
        ['--kubeconfig', sandbox.kubeconfig, 'get', 'plans', '-A', '-o', 'name'],
        {
          encoding: 'utf8',
        },
      );
      expect(plans).toBe('plan.forklift.konveyor.io/plan-a\nplan.forklift.konveyor.io/plan-remote\n');
      const end = await plugin(dryRun(sandbox.kubeconfig));
      expect(end.code).toBe(3);
      expect(end.stderr).toContain('has no bearer token, which the Forklift inventory requires');
      sandbox.child.kill('SIGTERM');
      await new Promise((resolve) => sandbox.child.on('close', resolve));
      expect(existsSync(`${sandbox.kubeconfig}-client.key`)).toBe(false);
    },
  );

  it(
    'a proxy-url: the plugin reaches the API server and the inventory through it, and so does kubectl',
    needs(kubectl),
    async () => {
      const sandbox = await startSandbox(dir, '--proxy');
      const text = readFileSync(sandbox.kubeconfig, 'utf8');
      const proxy = /proxy-url: (\S+)/.exec(text)?.[1];
      expect(proxy).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // the test reads the sandbox's stats past the proxy: what the proxy carried is the plugin's and kubectl's
      const direct = join(dir, `direct-${Date.now()}.kubeconfig`);
      writeFileSync(direct, text.replace(/^\s*proxy-url: .*\n/m, ''));
      const observer = await connectKube({ kubeconfig: direct, env: {} });
      const carried = async () =>
        (await observer.transport.request<{ proxy: Record<string, number> }>('GET', '/sandbox/v1/stats')).proxy;
      const api = new URL(/server: (\S+)/.exec(text)?.[1] as string).host;
      const before = await carried();
      const end = await plugin(dryRun(sandbox.kubeconfig));
      expect(end.code, end.stderr).toBe(0);
      expect(end.stdout).toMatch(/created \(server dry run\)/);
      const after = await carried();
      const inventory = Object.keys(after).find((target) => target !== api) as string;
      expect((after[api] ?? 0) - (before[api] ?? 0)).toBeGreaterThan(0);
      expect((after[inventory] ?? 0) - (before[inventory] ?? 0)).toBeGreaterThan(0);
      execFileSync(kubectl.path(), ['--kubeconfig', sandbox.kubeconfig, 'get', 'plans', '-A'], { encoding: 'utf8' });
      expect((await carried())[api]).toBeGreaterThan(after[api] ?? 0);
    },
  );

  it("no kubeconfig in a pod: the service account's token, CA and namespace", async () => {
    const sandbox = await startSandbox(dir);
    const text = readFileSync(sandbox.kubeconfig, 'utf8');
    const token = /token: (\S+)/.exec(text)?.[1] as string;
    const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(text)?.[1] as string, 'base64').toString();
    const account = mkdtempSync(join(dir, 'serviceaccount-'));
    writeFileSync(join(account, 'token'), `${token}\n`);
    writeFileSync(join(account, 'ca.crt'), ca);
    writeFileSync(join(account, 'namespace'), 'openshift-mtv\n');
    const home = join(account, 'home');
    mkdirSync(home);
    const server = new URL(/server: (\S+)/.exec(text)?.[1] as string);
    const args = dryRun('')
      .filter((arg) => arg !== '--kubeconfig' && arg !== '')
      .filter((a) => a !== '-n' && a !== 'openshift-mtv');
    const end = await plugin(args, {
      HOME: home,
      KUBECONFIG: undefined,
      KUBERNETES_SERVICE_HOST: server.hostname,
      KUBERNETES_SERVICE_PORT: server.port,
      KUBECTL_MTV_SERVICEACCOUNT_DIR: account,
    });
    expect(end.code, end.stderr).toBe(0);
    expect(end.stdout).toMatch(/created \(server dry run\)/);
  });
});
