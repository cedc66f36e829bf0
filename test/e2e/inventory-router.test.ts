/**
 * The inventory behind a real router, as a user meets it: the built plugin against `kubectl mtv sandbox`, whose
 * inventory Route is served with a certificate of a separate ingress CA, published (as OpenShift does) in ConfigMap
 * openshift-config-managed/default-ingress-cert, and whose inventory can still be syncing (206 Partial Content).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAll, requireBuild, type SandboxProcess, start, startSandbox } from './plugin-fixture.js';

let dir: string;

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'e2e-router-'));
});

afterEach(() => {
  killAll();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const INGRESS_CA_PATH = '/api/v1/namespaces/openshift-config-managed/configmaps/default-ingress-cert';

const dryRun = (cluster: SandboxProcess, ...args: string[]) =>
  start(
    [
      'migrate',
      'plan-a',
      '-n',
      'openshift-mtv',
      '--kubeconfig',
      cluster.kubeconfig,
      '--allow-powered-on',
      '--dry-run=client',
      ...args,
    ],
    dir,
  ).done;

const tokenOf = (cluster: SandboxProcess) => /token: (\S+)/.exec(readFileSync(cluster.kubeconfig, 'utf8'))?.[1] ?? '';

describe('migrate reaching the inventory through its Route', () => {
  it('waits out a syncing inventory (206) with a progress line per retry, trusting the ingress CA', async () => {
    const cluster = await startSandbox(dir, '--speed', '2000', '--inventory-syncing', '2');
    const run = await dryRun(cluster, '--debug');
    expect(run.stderr).toContain(
      'debug: trusting the ingress CA of ConfigMap openshift-config-managed/default-ingress-cert\n',
    );
    const progress = run.stderr.split('\n').filter((line) => line.includes('206 Partial Content'));
    expect(progress).toEqual([
      'migrate: the Forklift inventory is still syncing the provider with vCenter (206 Partial Content): asking again in 1s',
      'migrate: the Forklift inventory is still syncing the provider with vCenter (206 Partial Content): asking again in 2s',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('kind: DataVolume');
    expect(run.stderr + run.stdout).not.toContain(tokenOf(cluster));
  });

  it('fails TLS verification without the ConfigMap (exit 3), says why only under --debug, and --inventory-ca helps', async () => {
    const cluster = await startSandbox(dir, '--speed', '2000');
    const map = await cluster.client.transport.request<{ data: Record<string, string> }>('GET', INGRESS_CA_PATH);
    const caFile = join(dir, 'ingress-ca.pem');
    writeFileSync(caFile, map.data['ca-bundle.crt']);
    await cluster.client.transport.request('DELETE', INGRESS_CA_PATH);

    const quiet = await dryRun(cluster);
    expect(quiet.code).toBe(3);
    expect(quiet.stderr).toMatch(
      /^error: the Forklift inventory https:\/\/127\.0\.0\.1:\d+ is unreachable: its TLS certificate is not signed by a trusted CA \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\) \(try: --inventory-ca FILE trusts its CA/m,
    );
    expect(quiet.stderr).not.toContain('default-ingress-cert');

    const debug = await dryRun(cluster, '--debug');
    expect(debug.stderr).toContain(
      'debug: ingress CA not trusted: no ConfigMap openshift-config-managed/default-ingress-cert (not OpenShift?)\n',
    );

    const given = await dryRun(cluster, '--inventory-ca', caFile);
    expect(given.code).toBe(0);
    expect(given.stdout).toContain('kind: DataVolume');
  });
});
