/**
 * A plan whose destination is another cluster, as a user meets it: `kubectl mtv sandbox` serves a second API server
 * (its own CA and token) as the destination of plan-remote, reachable as context mtv-sandbox-remote. The DataVolumes
 * and the VDDK Secret land there and nowhere else; the plan, the inventory and the run's Lease stay on the host.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs, systemTool } from '@kubectl-mtv/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectKube, type KubeClient } from '../../src/cluster/kube-client.js';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import { killAll, requireBuild, type SandboxProcess, start, startSandbox } from './plugin-fixture.js';

const kubectl = systemTool('kubectl');
let dir: string;

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'e2e-remote-'));
});

afterEach(() => killAll());

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const SCENARIO = `
hosts: [{name: esx-01}, {name: esx-02}]
vms:
  - {name: app-01, host: esx-01, disks: [{size: 2Gi}, {size: 1Gi}]}
  - {name: app-02, host: esx-02, disks: [{size: 3Gi}]}
`;

async function sandbox(...args: string[]): Promise<SandboxProcess & { remote: KubeClient }> {
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, SCENARIO);
  const started = await startSandbox(dir, '--speed', '2000', '--scenario', file, ...args);
  const remote = await connectKube({
    kubeconfig: started.kubeconfig,
    context: 'mtv-sandbox-remote',
    env: {},
    requestTimeoutMs: 10_000,
  });
  return { ...started, remote };
}

const migrate = (cluster: SandboxProcess, ...args: string[]) =>
  start(['migrate', 'plan-remote', '-n', 'openshift-mtv', '--kubeconfig', cluster.kubeconfig, ...args], dir).done;

interface Named {
  metadata: { name: string };
  status?: { phase?: string };
}
const dataVolumes = (client: KubeClient) => client.list<Named>(inNamespace(RESOURCES.dataVolumes, 'demo'));
const secrets = (client: KubeClient) => client.list<Named>(inNamespace(RESOURCES.secrets, 'demo'));

describe('kubectl mtv migrate: a remote destination cluster', () => {
  it('refuses plan-remote, exit 2, until told how to reach its cluster, and creates nothing anywhere', async () => {
    const cluster = await sandbox();
    const provider = await cluster.client.get<{ spec: { url: string } }>(
      inNamespace(RESOURCES.providers, 'openshift-mtv'),
      'remote',
    );
    const url = provider?.spec.url ?? '';
    expect(url).toBe(cluster.remote.transport.server);
    const bare = await migrate(cluster);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toBe(
      `error: plan "plan-remote" copies to a remote cluster, ${url} (destination provider "remote"): say how to ` +
        `reach it (try: --destination-context NAME (your kubeconfig's context for ${url}), or ` +
        "--use-provider-credentials (the provider's Secret))\n",
    );
    // the host's own context reaches another server: refused before anything is made
    const wrong = await migrate(cluster, '--destination-context', 'mtv-sandbox');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(
      `error: context "mtv-sandbox" reaches ${cluster.client.transport.server}, but plan "plan-remote"'s destination provider "remote" is the cluster at ${url}`,
    );
    for (const client of [cluster.client, cluster.remote]) {
      expect(await dataVolumes(client)).toEqual([]);
      expect(await secrets(client)).toEqual([]);
    }
  });

  it(
    'with --destination-context: every DataVolume and the VDDK Secret on the remote cluster, none on the host; kubectl lists them there',
    needs(kubectl),
    async () => {
      const cluster = await sandbox();
      const run = await migrate(cluster, '--destination-context', 'mtv-sandbox-remote', '--disks-only', '-o', 'ndjson');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(
        `migrate: plan's destination is the remote cluster ${cluster.remote.transport.server} (provider openshift-mtv/remote), reached with context "mtv-sandbox-remote"`,
      );
      const events = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; action?: string; namespace?: string });
      // the VDDK Secret was made on the remote cluster and removed once every disk was copied
      expect(events.filter((event) => event.type === 'secret').map((event) => event.action)).toEqual([
        'created',
        'deleted',
      ]);
      const remote = await dataVolumes(cluster.remote);
      expect(remote.map((dv) => dv.status?.phase)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
      expect(await dataVolumes(cluster.client)).toEqual([]);
      expect(await secrets(cluster.client)).toEqual([]);
      const listed = execFileSync(
        kubectl.path(),
        [
          '--kubeconfig',
          cluster.kubeconfig,
          '--context',
          'mtv-sandbox-remote',
          'get',
          'dv',
          '-n',
          'demo',
          '-o',
          'name',
        ],
        { encoding: 'utf8' },
      );
      expect(listed.trim().split('\n').sort()).toEqual(
        remote.map((dv) => `datavolume.cdi.kubevirt.io/${dv.metadata.name}`).sort(),
      );
      // the run's Lease was on the host cluster: released, it is gone there
      const leases = await cluster.client.list<Named>(inNamespace(RESOURCES.leases, 'openshift-mtv'));
      expect(leases.map((lease) => lease.metadata.name)).toEqual([]);
    },
  );

  it('makes the VMs on the remote cluster, gives them their PVCs there, and clean --vms finds them there', async () => {
    const cluster = await sandbox();
    const run = await migrate(cluster, '--destination-context', 'mtv-sandbox-remote', '-o', 'json');
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { vms: { state: string; name: string }[] };
    expect(summary.vms.map((vm) => vm.state)).toEqual(summary.vms.map(() => 'ready'));
    const vmsOf = (client: typeof cluster.client) =>
      client.list<Named & { metadata: { uid: string } }>(inNamespace(RESOURCES.virtualMachines, 'demo'));
    const remoteVms = await vmsOf(cluster.remote);
    expect(remoteVms.map((vm) => vm.metadata.name).sort()).toEqual(summary.vms.map((vm) => vm.name).sort());
    expect(await vmsOf(cluster.client)).toEqual([]);
    // the DataVolumes are gone; every PVC is left, owned by its VM
    expect(await dataVolumes(cluster.remote)).toEqual([]);
    const claims = await cluster.remote.list<{ metadata: { ownerReferences?: { kind: string; uid: string }[] } }>(
      inNamespace(RESOURCES.persistentVolumeClaims, 'demo'),
    );
    expect(claims).toHaveLength(3);
    const uids = new Set(remoteVms.map((vm) => vm.metadata.uid));
    for (const claim of claims) {
      expect(claim.metadata.ownerReferences?.map((owner) => owner.kind)).toEqual(['VirtualMachine']);
      expect(uids.has(claim.metadata.ownerReferences?.[0].uid ?? '')).toBe(true);
    }
    const clean = await start(
      [
        'clean',
        'plan-remote',
        '-n',
        'openshift-mtv',
        '--kubeconfig',
        cluster.kubeconfig,
        '--destination-context',
        'mtv-sandbox-remote',
        '--vms',
        '--yes',
      ],
      dir,
    ).done;
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain(`virtualmachine.kubevirt.io/${remoteVms[0].metadata.name} deleted`);
  });

  it("with --use-provider-credentials: reaches it with the provider Secret's token and CA, and clean finds the disks there", async () => {
    const cluster = await sandbox();
    const run = await migrate(cluster, '--use-provider-credentials', '--disks-only', '-o', 'json');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('reached with provider Secret openshift-mtv/remote-secret');
    expect((await dataVolumes(cluster.remote)).length).toBe(3);
    expect(await dataVolumes(cluster.client)).toEqual([]);
    const clean = await start(
      [
        'clean',
        'plan-remote',
        '-n',
        'openshift-mtv',
        '--kubeconfig',
        cluster.kubeconfig,
        '--use-provider-credentials',
        '--yes',
      ],
      dir,
    ).done;
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stderr).toContain('3 DataVolumes of plan "plan-remote" in namespace "demo" deleted');
    expect(await dataVolumes(cluster.remote)).toEqual([]);
  });

  it('MTV 2.8: a remote cold plan needs a guest conversion afterwards (refused), and --disks-only copies it there', async () => {
    const cluster = await sandbox('--mtv-version', '2.8');
    const refused = await migrate(cluster, '--destination-context', 'mtv-sandbox-remote');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: plan "plan-remote" .*conversion/);
    expect(await dataVolumes(cluster.remote)).toEqual([]);
    const copied = await migrate(cluster, '--destination-context', 'mtv-sandbox-remote', '--disks-only', '-o', 'json');
    expect(copied.code, copied.stderr).toBe(0);
    expect((await dataVolumes(cluster.remote)).map((dv) => dv.status?.phase)).toEqual([
      'Succeeded',
      'Succeeded',
      'Succeeded',
    ]);
    expect(await dataVolumes(cluster.client)).toEqual([]);
  });
});
