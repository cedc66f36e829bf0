/**
 * PVCs that already carry a DataVolume's name: CDI's webhook (modelled by the sandbox) refuses the DataVolume with a
 * 422 unless a DataVolume controls the PVC; refuseLeftoverClaims finds them all, with one list, before any create.
 */
import type { Scenario } from '@kubectl-mtv/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError } from '../../src/cluster/kube-errors.js';
import { findLeftoverClaims, refuseLeftoverClaims } from '../../src/cluster/leftover-claims.js';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import { ExitCode } from '../../src/errors.js';
import { type ClusterFixture, startCluster, userError } from './cluster-fixture.js';

const SCENARIO: Scenario = {
  migration: 'cold',
  maxInFlight: 4,
  diskRate: 100 * 2 ** 20,
  hosts: [{ name: 'esx-01' }],
  vms: [{ name: 'web-01', host: 'esx-01', disks: [{ size: 2 ** 30 }] }],
};
const NS = 'demo';

function claim(name: string, owner?: { kind: string; name: string }) {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name,
      namespace: NS,
      ...(owner && { ownerReferences: [{ apiVersion: 'v1', ...owner, uid: `uid-${name}`, controller: true }] }),
    },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  };
}

describe('leftover PVCs', () => {
  let cluster: ClusterFixture;

  beforeAll(async () => {
    cluster = await startCluster(SCENARIO);
    const { store } = cluster.sandbox;
    store.create('persistentvolumeclaims', claim('plan-a-vm-1-aaaaa', { kind: 'VirtualMachine', name: 'web-01' }));
    store.create('persistentvolumeclaims', claim('plan-a-vm-1-bbbbb'));
    store.create(
      'persistentvolumeclaims',
      claim('plan-a-vm-1-ccccc', { kind: 'DataVolume', name: 'plan-a-vm-1-ccccc' }),
    );
    store.create('persistentvolumeclaims', claim('unrelated'));
  });

  afterAll(async () => {
    await cluster?.close();
  });

  const names = ['plan-a-vm-1-aaaaa', 'plan-a-vm-1-bbbbb', 'plan-a-vm-1-ccccc', 'plan-a-vm-1-ddddd'];

  it("has CDI's webhook refuse a DataVolume whose name a PVC no DataVolume controls has (422)", async () => {
    const dv = (name: string) => ({
      apiVersion: 'cdi.kubevirt.io/v1beta1',
      kind: 'DataVolume',
      metadata: { name, namespace: NS },
      spec: { source: { blank: {} }, storage: { resources: { requests: { storage: '1Gi' } } } },
    });
    const refused = await cluster.kube
      .create(inNamespace(RESOURCES.dataVolumes, NS), dv(names[0]), { dryRun: true })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(KubeApiError);
    expect((refused as KubeApiError).status).toBe(422);
    expect((refused as KubeApiError).message).toContain(`Destination PVC ${NS}/${names[0]} already exists`);
    // a PVC a DataVolume controls is that DataVolume's (CDI lets the create through)
    await cluster.kube.create(inNamespace(RESOURCES.dataVolumes, NS), dv(names[2]), { dryRun: true });
  });

  it('finds the PVCs CDI would refuse, with their controller, and no others', async () => {
    expect(await findLeftoverClaims(cluster.kube, NS, names)).toEqual([
      { name: 'plan-a-vm-1-aaaaa', owner: 'VirtualMachine web-01' },
      { name: 'plan-a-vm-1-bbbbb' },
    ]);
    expect(await findLeftoverClaims(cluster.kube, NS, ['plan-a-vm-1-ddddd'])).toEqual([]);
  });

  it("passes this plan's own copy that an earlier run gave to its VM (its labels), and only this plan's", async () => {
    const given = {
      ...claim('plan-a-vm-2-eeeee', { kind: 'VirtualMachine', name: 'web-02' }),
      metadata: {
        ...claim('plan-a-vm-2-eeeee', { kind: 'VirtualMachine', name: 'web-02' }).metadata,
        labels: { 'kubectl-mtv.konveyor.io/plan-uid': 'uid-a' },
      },
    };
    cluster.sandbox.store.create('persistentvolumeclaims', given);
    expect(await findLeftoverClaims(cluster.kube, NS, ['plan-a-vm-2-eeeee'], 'uid-a')).toEqual([]);
    // another plan's, or a run that does not say its plan: in the way
    expect(await findLeftoverClaims(cluster.kube, NS, ['plan-a-vm-2-eeeee'], 'uid-b')).toEqual([
      { name: 'plan-a-vm-2-eeeee', owner: 'VirtualMachine web-02' },
    ]);
    expect(await findLeftoverClaims(cluster.kube, NS, ['plan-a-vm-2-eeeee'])).toHaveLength(1);
  });

  it('refuses the plan, exit 2, listing every leftover PVC and writing nothing', async () => {
    const before = await cluster.revision();
    const error = await userError(refuseLeftoverClaims(cluster.kube, { name: 'plan-a', targetNamespace: NS }, names));
    expect(await cluster.revision()).toBe(before);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.line).toBe(
      'plan "plan-a": 2 PVCs in namespace "demo" already have the names of its DataVolumes, which CDI refuses: ' +
        'plan-a-vm-1-aaaaa (owned by VirtualMachine web-01), plan-a-vm-1-bbbbb (no owner) (try: delete what is ' +
        'left over (kubectl delete pvc plan-a-vm-1-aaaaa -n demo), or name the disks otherwise with spec.pvcNameTemplate)',
    );
  });
});
