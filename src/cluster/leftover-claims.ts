/**
 * PVCs in the way of the plan's DataVolumes: CDI's DataVolume webhook (pkg/apiserver/webhooks/datavolume-validate.go
 * Admit) refuses, with a 422, a DataVolume whose name a PVC already has unless a DataVolume controls that PVC. Such a
 * PVC is left over from an earlier migration (Forklift's EnsureVM hands a PVC to the VirtualMachine it made, then
 * deletes the DataVolume) or made by hand. Found with one list before anything is created, so a run never stops half
 * way on them.
 */
import { UserError } from '../errors.js';
import { DV_LABEL } from './datavolume-builder.js';
import type { KubeClient } from './kube-client.js';
import { inNamespace, RESOURCES } from './resource-types.js';

interface Claim {
  metadata: {
    name?: string;
    labels?: Record<string, string>;
    ownerReferences?: { kind?: string; name?: string; controller?: boolean }[];
  };
}

/** A PVC named like one of our DataVolumes that CDI would not let it use, and who controls it. */
export interface LeftoverClaim {
  name: string;
  owner?: string;
}

/** The PVCs of `namespace` that would make CDI refuse a DataVolume named in `names`. */
export async function findLeftoverClaims(
  client: KubeClient,
  namespace: string,
  names: readonly string[],
  planUid?: string,
): Promise<LeftoverClaim[]> {
  const wanted = new Set(names);
  const claims = await client.list<Claim>(inNamespace(RESOURCES.persistentVolumeClaims, namespace));
  return claims.flatMap((claim) => {
    const name = claim.metadata.name ?? '';
    if (!wanted.has(name)) return [];
    const controller = claim.metadata.ownerReferences?.find((owner) => owner.controller === true);
    if (controller?.kind === 'DataVolume') return [];
    // this plan's own copy, already given to the VM an earlier run made (vm-finisher.ts): a finished disk, not in the way
    const ours = planUid !== undefined && claim.metadata.labels?.[DV_LABEL.planUid] === planUid;
    if (ours && claim.metadata.ownerReferences?.some((owner) => owner.kind === 'VirtualMachine')) return [];
    return [{ name, ...(controller && { owner: `${controller.kind} ${controller.name ?? ''}`.trimEnd() }) }];
  });
}

/** Refuses (exit 2) a plan whose DataVolume names leftover PVCs hold, listing them all. */
export async function refuseLeftoverClaims(
  client: KubeClient,
  plan: { name: string; targetNamespace: string; uid?: string },
  names: readonly string[],
): Promise<void> {
  const leftover = await findLeftoverClaims(client, plan.targetNamespace, names, plan.uid);
  if (leftover.length === 0) return;
  const listed = leftover.map((claim) => `${claim.name} (${claim.owner ? `owned by ${claim.owner}` : 'no owner'})`);
  const [first] = leftover;
  throw new UserError(
    `plan "${plan.name}": ${leftover.length === 1 ? 'a PVC' : `${leftover.length} PVCs`} in namespace "${plan.targetNamespace}" already ${leftover.length === 1 ? 'has the name' : 'have the names'} of its DataVolumes, which CDI refuses: ${listed.join(', ')}`,
    {
      hint: `delete what is left over (kubectl delete pvc ${first.name} -n ${plan.targetNamespace}), or name the disks otherwise with spec.pvcNameTemplate`,
    },
  );
}
