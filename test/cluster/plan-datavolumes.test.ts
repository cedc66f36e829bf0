/**
 * A 409 on create is this disk's DataVolume only when its labels say so (plan uid, VM id, disk index, managed by
 * kubectl-mtv); any other DataVolume of that name is `foreign`, with its owner named. Against the sandbox API server.
 */
import type { Scenario } from '@kubectl-mtv/engine';
import { SEED_NAMES } from '@kubectl-mtv/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlanDataVolumes, type DataVolumeManifest, DV_LABEL } from '../../src/cluster/datavolume-builder.js';
import { PlanDataVolumes } from '../../src/cluster/plan-datavolumes.js';
import { resolvePlan } from '../../src/cluster/plan-resolver.js';
import { type ClusterFixture, startCluster } from './cluster-fixture.js';

const Gi = 2 ** 30;
const SCENARIO: Scenario = {
  migration: 'cold',
  maxInFlight: 4,
  diskRate: 100 * 2 ** 20,
  hosts: [{ name: 'esx-01' }],
  vms: [{ name: 'web-01', host: 'esx-01', disks: [{ size: Gi }, { size: Gi }] }],
};
const DATAVOLUMES = 'datavolumes.cdi.kubevirt.io';

describe('PlanDataVolumes.create on a name that is taken', () => {
  let cluster: ClusterFixture;
  let ops: PlanDataVolumes;
  let manifests: DataVolumeManifest[];

  beforeAll(async () => {
    cluster = await startCluster(SCENARIO);
    const resolved = await resolvePlan(cluster.kube, cluster.inventory, {
      plan: 'plan-a',
      namespace: SEED_NAMES.forkliftNamespace,
      mtvRelease: { release: '2.12', source: 'schema' },
    });
    manifests = buildPlanDataVolumes(resolved).dataVolumes.map((dv) => dv.manifest);
    ops = new PlanDataVolumes(cluster.kube, resolved.plan.targetNamespace, resolved.plan.uid);
  });

  afterAll(async () => {
    await cluster?.close();
  });

  /** Puts an object of `manifest`'s name in place with these labels, then creates `manifest`. */
  async function createOver(manifest: DataVolumeManifest, labels: Record<string, string>, ownerKind?: string) {
    const { namespace, name } = manifest.metadata;
    if (cluster.sandbox.store.get(DATAVOLUMES, namespace, name))
      cluster.sandbox.store.delete(DATAVOLUMES, namespace, name);
    cluster.sandbox.store.create(DATAVOLUMES, {
      ...manifest,
      metadata: {
        name,
        namespace,
        labels,
        ...(ownerKind && { ownerReferences: [{ apiVersion: 'v1', kind: ownerKind, name: 'x', uid: 'u' }] }),
      },
    });
    return ops.create(manifest);
  }

  it('is `exists` for the very DataVolume: same plan uid, VM id and disk index', async () => {
    expect(await createOver(manifests[0], manifests[0].metadata.labels)).toEqual({ outcome: 'exists' });
  });

  it("is `foreign` for the plan's DataVolume of another disk, naming it", async () => {
    const labels: Record<string, string> = { ...manifests[0].metadata.labels, [DV_LABEL.diskIndex]: '1' };
    expect(await createOver(manifests[0], labels)).toEqual({
      outcome: 'foreign',
      owner: `kubectl-mtv's copy of plan openshift-mtv/plan-a (uid ${labels[DV_LABEL.planUid]}), VM vm-1 disk 1`,
    });
  });

  it("is `foreign` for another plan's copy, for the MTV controller's DataVolume, and for an unlabelled one", async () => {
    const other = { ...manifests[0].metadata.labels, [DV_LABEL.planUid]: 'other-uid', [DV_LABEL.planName]: 'plan-b' };
    expect((await createOver(manifests[0], other)).owner).toBe(
      "kubectl-mtv's copy of plan openshift-mtv/plan-b (uid other-uid), VM vm-1 disk 0",
    );
    const forklift = { plan: 'p-uid', migration: 'm-uid', vmID: 'vm-1' };
    expect(await createOver(manifests[0], forklift)).toEqual({
      outcome: 'foreign',
      owner: "the MTV controller's (plan uid p-uid, VM vm-1)",
    });
    expect((await createOver(manifests[0], {}, 'VirtualMachine')).owner).toBe('owned by VirtualMachine x');
    expect((await createOver(manifests[0], {})).owner).toBe('no owner it names (no kubectl-mtv or Forklift labels)');
  });

  it('is `created` when the name is free', async () => {
    expect((await ops.create(manifests[1])).outcome).toBe('created');
  });
});
