/**
 * What Forklift's plan controller deletes when a plan is archived, modelled per release so that a test can show that
 * nothing kubectl-mtv made is selected (kubev2v/forklift, release-2.8 .. release-2.12):
 * - migration.go Archive(): `spec.archived: true` cleans up every VM of `status.migration.vms` (2.8 378-415,
 *   2.12 287-330);
 * - migration.go cleanup(vm): for a VM without the Succeeded condition, DeleteVM and DeleteDataVolumes (2.8 always;
 *   2.9/2.10 only with deleteVmOnFailMigration, on the plan or the VM; 2.11/2.12 the same flag, which the CRD
 *   defaults to true; 2.12 also DeletePopulatedPVCs), then always DeleteSecret and DeleteConfigMap;
 * - kubevirt.go selectors: DataVolumes, Secrets, ConfigMaps, VMs by vmAllButMigrationLabels = `plan=<plan uid>`,
 *   `vmID=<vm id>`, plus `resource=vm-config` from 2.10 and `plan-name`, `plan-namespace` in 2.12 (getDVs,
 *   DeleteSecret, DeleteConfigMap, DeleteVM); PVCs (2.12 DeletePopulatedPVCs, getPVCs) by `vmID` and
 *   `migration=<migration uid>`. A DataVolume's deletion takes its PVC (owner reference).
 * Everything is deleted in the plan's target namespace. Not modelled: the cleanup a Migration runs when each VM starts
 * (the same selectors), Cancel(), and 2.12's deletion by plan-name/plan-namespace when a Plan is deleted.
 */
import type { MtvRelease } from '../api/crd-loader.js';
import type { ClusterStore, KubeObject, StoreEvent } from '../cluster-store.js';

const PLANS = 'plans.forklift.konveyor.io';
const DATAVOLUMES = 'datavolumes.cdi.kubevirt.io';
const ORDER: readonly MtvRelease[] = ['2.8', '2.9', '2.10', '2.11', '2.12'];
const atLeast = (release: MtvRelease, than: MtvRelease) => ORDER.indexOf(release) >= ORDER.indexOf(than);

interface PlanVmStatus {
  id?: string;
  conditions?: { type?: string; status?: string }[];
}

interface PlanObject extends KubeObject {
  spec?: {
    archived?: boolean;
    targetNamespace?: string;
    deleteVmOnFailMigration?: boolean;
    vms?: { id?: string; deleteVmOnFailMigration?: boolean }[];
  };
  status?: { migration?: { vms?: PlanVmStatus[]; history?: { migration?: { uid?: string } }[] } };
}

/** What one cleanup deleted, by resource: for tests and stats. */
export interface CleanupRecord {
  plan: string;
  deleted: { resource: string; name: string }[];
}

/** Runs Forklift's archive cleanup on the store whenever a Plan turns archived. */
export class ForkliftCleanup {
  readonly records: CleanupRecord[] = [];
  private readonly archived = new Set<string>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: ClusterStore,
    private readonly release: MtvRelease,
  ) {
    this.unsubscribe = store.subscribe((event) => this.seen(event));
  }

  stop(): void {
    this.unsubscribe();
  }

  private seen(event: StoreEvent): void {
    if (event.resource !== PLANS || event.type === 'DELETED') return;
    const plan = event.object as PlanObject;
    const key = `${plan.metadata.namespace}/${plan.metadata.name}`;
    // once per turn to archived (Forklift reconciles an archived plan again and again, to the same effect)
    if (plan.spec?.archived !== true) {
      this.archived.delete(key);
      return;
    }
    if (this.archived.has(key)) return;
    this.archived.add(key);
    this.archive(plan);
  }

  /** Archive(): every VM the plan's migration status lists is cleaned up. */
  private archive(plan: PlanObject): void {
    const record: CleanupRecord = { plan: `${plan.metadata.namespace}/${plan.metadata.name}`, deleted: [] };
    for (const vm of plan.status?.migration?.vms ?? []) {
      const id = vm.id;
      if (id !== undefined) this.cleanupVm(plan, { ...vm, id }, record);
    }
    this.records.push(record);
  }

  private cleanupVm(plan: PlanObject, vm: PlanVmStatus & { id: string }, record: CleanupRecord): void {
    const namespace = plan.spec?.targetNamespace || plan.metadata.namespace;
    const succeeded = (vm.conditions ?? []).some((c) => c.type === 'Succeeded' && c.status === 'True');
    // the CRD defaults deleteVmOnFailMigration to true from 2.11; 2.9/2.10 have no default
    const perVm = plan.spec?.vms?.find((entry) => entry.id === vm.id)?.deleteVmOnFailMigration;
    const flag = perVm ?? plan.spec?.deleteVmOnFailMigration ?? atLeast(this.release, '2.11');
    const deletesVm = !succeeded && (this.release === '2.8' || flag);
    const selector: Record<string, string> = { plan: plan.metadata.uid ?? '', vmID: vm.id };
    if (atLeast(this.release, '2.10')) selector.resource = 'vm-config';
    if (this.release === '2.12') {
      selector['plan-name'] = plan.metadata.name ?? '';
      selector['plan-namespace'] = plan.metadata.namespace ?? '';
    }
    if (deletesVm) {
      this.deleteMatching(DATAVOLUMES, namespace, selector, record);
      if (this.release === '2.12') {
        const migration = plan.status?.migration?.history?.at(-1)?.migration?.uid ?? '';
        this.deleteMatching('persistentvolumeclaims', namespace, { vmID: vm.id, migration }, record);
      }
    }
    this.deleteMatching('secrets', namespace, selector, record);
    this.deleteMatching('configmaps', namespace, selector, record);
  }

  /** Deletes the objects of `resource` in `namespace` whose labels include every pair of `selector`. */
  private deleteMatching(
    resource: string,
    namespace: string | undefined,
    selector: Record<string, string>,
    record: CleanupRecord,
  ): void {
    for (const object of this.store.list(resource, namespace)) {
      const labels = object.metadata.labels ?? {};
      if (!Object.entries(selector).every(([key, value]) => labels[key] === value)) continue;
      this.store.delete(resource, namespace, object.metadata.name as string);
      record.deleted.push({ resource, name: object.metadata.name as string });
    }
  }
}
