/**
 * Forklift's own cleanup never deletes what kubectl-mtv copied: the sandbox runs Forklift's archive cleanup for the
 * release it serves (packages/sandbox/src/forklift/cleanup.ts), and a run's DataVolumes and PVCs carry none of the
 * labels it selects by. A DataVolume labelled as Forklift labels its own shows that the cleanup does run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NS, type RunnerFixture, scenario, startRunner } from './runner-fixture.js';

const PLANS = 'plans.forklift.konveyor.io';
const DATAVOLUMES = 'datavolumes.cdi.kubevirt.io';
const TARGET = 'demo';

async function until(ready: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("Forklift's archive cleanup and kubectl-mtv's disks", () => {
  let runner: RunnerFixture | undefined;

  afterEach(async () => {
    await runner?.close();
    runner = undefined;
  });

  it.each(['2.8', '2.12'] as const)(
    'MTV %s: archiving the plan mid-run and after it deletes none of them',
    async (release) => {
      runner = await startRunner(scenario(3, 2, 2), { speed: 200, mtvRelease: release });
      const { store } = runner.cluster.sandbox;
      const plan = store.get(PLANS, NS, 'plan-a');
      const uid = plan?.metadata.uid as string;
      const vmIds = runner.resolved.vms.map((vm) => vm.id);
      // a DataVolume as Forklift labels its own (kubevirt.go vmAllButMigrationLabels): the cleanup must select it
      const forklifts = {
        plan: uid,
        vmID: vmIds[0],
        ...(release === '2.12' && { resource: 'vm-config', 'plan-name': 'plan-a', 'plan-namespace': NS }),
      };
      store.create(DATAVOLUMES, {
        apiVersion: 'cdi.kubevirt.io/v1beta1',
        kind: 'DataVolume',
        metadata: { name: 'forklift-own', namespace: TARGET, labels: forklifts },
        spec: { source: { blank: {} }, storage: { resources: { requests: { storage: '1Gi' } } } },
      });
      const { done } = runner.run();
      const r = runner;
      await until(() => r.stored().filter((dv) => dv.name !== 'forklift-own').length >= 3);

      // every VM failed, with deleteVmOnFailMigration: the cleanup deletes the VMs' DataVolumes it finds
      const now = new Date().toISOString();
      const failed = { type: 'Failed', status: 'True', category: 'Advisory', lastTransitionTime: now };
      store.updateStatus(PLANS, NS, 'plan-a', {
        ...(plan?.status as object),
        migration: { vms: vmIds.map((id) => ({ id, phase: 'Completed', pipeline: [], conditions: [failed] })) },
      });
      const archived = (archived: boolean) =>
        r.cluster.patch(`/apis/forklift.konveyor.io/v1beta1/namespaces/${NS}/plans/plan-a`, {
          spec: { archived, deleteVmOnFailMigration: true },
        });
      await archived(true);
      await archived(false);
      const summary = await done;
      expect(summary).toMatchObject({ transferred: 6 });
      // and once more after the run
      await archived(true);
      const cleanups = r.cluster.sandbox.forkliftCleanups();
      expect(cleanups).toHaveLength(2);
      // the cleanup ran: it deleted Forklift's own DataVolume, and nothing of ours, mid-run or after
      expect(cleanups[0].deleted).toEqual([{ resource: DATAVOLUMES, name: 'forklift-own' }]);
      expect(cleanups[1].deleted).toEqual([]);
      const ours = r.stored().map((dv) => dv.name);
      expect(ours.sort()).toEqual(r.dataVolumes.map((dv) => dv.manifest.metadata.name).sort());
      expect(store.list('persistentvolumeclaims', TARGET)).toHaveLength(6);
    },
  );
});
