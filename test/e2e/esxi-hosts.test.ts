/**
 * ESXi Host CRs as a user meets them: the built plugin against `kubectl mtv sandbox --scenario` in another process,
 * with a Ready Host CR for esx-01 and one whose connection test failed for esx-02. esx-01's VMs are read from
 * https://<its address>/sdk with its thumbprint and a VDDK Secret made from its Host's Secret, esx-02's through vCenter;
 * the sandbox's importer copies a disk only through vCenter or the disk's own host, so every disk finishing is the
 * check. The Secrets go at the end; their content is never printed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { esxiThumbprint, SEED_NAMES } from '@kubectl-mtv/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import type { RunEvent, RunSummary } from '../../src/runner/run-events.js';
import { killAll, requireBuild, type SandboxProcess, start, startSandbox } from './plugin-fixture.js';

let dir: string;

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'e2e-esxi-'));
});

afterEach(() => killAll());

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const scenario = (address: string) => `
hosts:
  - {name: esx-01, ipAddress: "${address}", hostCr: ready}
  - {name: esx-02, ipAddress: 192.0.2.12, hostCr: not-ready}
vms:
  - {name: web, count: 2, host: esx-01, disks: [{size: 1Gi}, {size: 2Gi}]}
  - {name: db, host: esx-02, disks: [{size: 3Gi}]}
`;

async function sandbox(release: string, address = '192.0.2.11'): Promise<SandboxProcess> {
  const file = join(dir, `scenario-${release}-${address.replace(/:/g, '_')}.yaml`);
  writeFileSync(file, scenario(address));
  return startSandbox(dir, '--speed', '2000', '--scenario', file, '--mtv-version', release);
}

const migrate = (cluster: SandboxProcess, ...args: string[]) =>
  start(['migrate', 'plan-a', '-n', 'openshift-mtv', '--kubeconfig', cluster.kubeconfig, '--disks-only', ...args], dir)
    .done;

interface DataVolume {
  metadata: { labels: Record<string, string> };
  spec: { source: { vddk: { url: string; thumbprint: string; secretRef: string } } };
  status?: { phase?: string };
}
const dataVolumes = (cluster: SandboxProcess) =>
  cluster.client.list<DataVolume>(inNamespace(RESOURCES.dataVolumes, 'demo'));
/** The password of the sandbox's vCenter (random per sandbox), as the source Provider's Secret holds it. */
async function vcenterPassword(cluster: SandboxProcess): Promise<string> {
  const secret = await cluster.client.get<{ data?: Record<string, string> }>(
    inNamespace(RESOURCES.secrets, SEED_NAMES.forkliftNamespace),
    SEED_NAMES.sourceProviderSecret,
  );
  const password = Buffer.from(secret?.data?.password ?? '', 'base64').toString('utf8');
  if (password.length < 8) throw new Error(`the source Provider's Secret holds no vCenter password`);
  return password;
}
const secrets = async (cluster: SandboxProcess) =>
  (await cluster.client.list<{ metadata: { name: string } }>(inNamespace(RESOURCES.secrets, 'demo'))).map(
    (secret) => secret.metadata.name,
  );

describe('kubectl mtv migrate with ESXi Host CRs', () => {
  it("2.12: reads esx-01's VMs from the host with its Secret, esx-02's through vCenter, and every disk finishes", async () => {
    const cluster = await sandbox('2.12');
    const run = await migrate(cluster, '-o', 'ndjson');
    expect(run.code, run.stderr).toBe(0);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RunEvent);
    const summary = (events.at(-1) as { summary: RunSummary }).summary;
    expect(summary).toMatchObject({ outcome: 'completed', disks: 5, transferred: 5, stuck: 0 });

    const made = events.flatMap((e) => (e.type === 'secret' && e.action === 'created' ? [e] : []));
    expect(made.map((e) => [e.from, e.host])).toEqual([
      ['openshift-mtv/vsphere-a-secret', undefined],
      ['openshift-mtv/vsphere-a-host-1-secret', 'esx-01'],
    ]);
    const [vcenter, host] = made.map((e) => e.name);
    expect(host).toBe(`${vcenter}-host-1`);
    expect(run.stderr).toContain(
      `created Secret demo/${host} for CDI's importers reading from ESXi host esx-01, from its Host's Secret openshift-mtv/vsphere-a-host-1-secret (the CA from the Provider's)`,
    );

    const byVm = new Map<string, DataVolume['spec']['source']['vddk'][]>();
    for (const dv of await dataVolumes(cluster)) {
      expect(dv.status?.phase).toBe('Succeeded');
      const vm = dv.metadata.labels['kubectl-mtv.konveyor.io/vm-id'];
      byVm.set(vm, [...(byVm.get(vm) ?? []), dv.spec.source.vddk]);
    }
    // web-01, web-02 (vm-1, vm-2) on esx-01; db (vm-3) on esx-02
    const fromHost = { url: 'https://192.0.2.11/sdk', thumbprint: esxiThumbprint('esx-01'), secretRef: host };
    const fromVcenter = {
      // the sandbox's own vCenter, on its port, with its certificate's SHA-1
      url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+\/sdk$/),
      thumbprint: expect.stringMatching(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/),
      secretRef: vcenter,
    };
    expect(byVm.get('vm-1')).toEqual([expect.objectContaining(fromHost), expect.objectContaining(fromHost)]);
    expect(byVm.get('vm-2')).toEqual([expect.objectContaining(fromHost), expect.objectContaining(fromHost)]);
    expect(byVm.get('vm-3')).toEqual([expect.objectContaining(fromVcenter)]);

    // both Secrets went once every disk was copied; no credential reached the output
    expect(events.filter((e) => e.type === 'secret' && e.action === 'deleted')).toHaveLength(2);
    expect(await secrets(cluster)).toEqual([]);
    const output = run.stdout + run.stderr;
    for (const text of ['fake-esxi-password-host-1', await vcenterPassword(cluster), 'fake-esxi-root']) {
      expect(output).not.toContain(text);
      expect(output).not.toContain(Buffer.from(text).toString('base64'));
    }
  });

  it('2.11: puts an IPv6 Host address in brackets, which the importer reaches', async () => {
    const cluster = await sandbox('2.11', '2001:db8::11');
    const run = await migrate(cluster, '-o', 'json');
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as RunSummary).transferred).toBe(5);
    const urls = new Set((await dataVolumes(cluster)).map((dv) => dv.spec.source.vddk.url));
    expect(urls.size).toBe(2);
    expect(urls).toContain('https://[2001:db8::11]/sdk');
    expect([...urls].some((url) => /^https:\/\/127\.0\.0\.1:\d+\/sdk$/.test(url))).toBe(true);
  });

  it('2.10: refuses an IPv6 Host address, which it would write bare, exit 2, creating nothing', async () => {
    const cluster = await sandbox('2.10', '2001:db8::11');
    const run = await migrate(cluster);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^error: plan "plan-a" has VMs on ESXi hosts whose Host gives an IPv6 address that MTV 2\.10 writes without brackets \(https:\/\/2001:db8::11\/sdk\)/,
    );
    expect(await dataVolumes(cluster)).toEqual([]);
    expect(await secrets(cluster)).toEqual([]);
  });

  it('refuses --vddk-secret when a VM is read from its ESXi host, exit 2', async () => {
    const cluster = await sandbox('2.12');
    await cluster.client.create(inNamespace(RESOURCES.secrets, 'demo'), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'my-vddk', namespace: 'demo' },
      data: { accessKeyId: 'dQ==', secretKey: 'cA==' },
    });
    const run = await migrate(cluster, '--vddk-secret', 'my-vddk');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('which --vddk-secret "my-vddk" cannot stand for: web-01 and web-02 (ESXi host esx-01');
    expect(await dataVolumes(cluster)).toEqual([]);
  });
});
