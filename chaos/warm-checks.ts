/**
 * The warm part's checks from the cluster's and vCenter's side: one snapshot per VM and round (in the runs' events,
 * in every version of the record, in vCenter), never two of the plan's snapshots on one VM at once, every
 * DataVolume's checkpoints a chain of the recorded rounds (none repeated, none lost, the last final), every
 * DataVolume Succeeded with its PVC left to its VM, every VM made and ready.
 */
import { DATAVOLUMES, type KubeObject, SEED_NAMES, VIRTUALMACHINES } from '@kubectl-mtv/sandbox';
import { DV_LABEL, labelValue } from '../src/cluster/datavolume-builder.js';
import type { RunEvent } from '../src/runner/run-events.js';
import { connectVCenter } from '../src/vsphere/index.js';
import { type Check, check } from './checks.js';
import type { ChaosCluster } from './cluster.js';
import type { WarmWatch } from './warm-watch.js';

interface WarmDataVolume {
  metadata: KubeObject['metadata'];
  spec?: {
    checkpoints?: { previous?: string; current?: string }[];
    finalCheckpoint?: boolean;
    source?: { vddk?: { backingFile?: string } };
  };
  status?: { phase?: string };
}

/** A round of a VM named with more than one snapshot, by each source: the runs' events, the record, vCenter. */
export function snapshotPerRound(events: readonly RunEvent[], watch: WarmWatch): Check {
  const byEvents = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.type !== 'warm' || e.phase !== 'snapshot') continue;
    const key = `${e.vm} round ${e.round}`;
    byEvents.set(key, (byEvents.get(key) ?? new Set()).add(e.snapshot ?? ''));
  }
  const twice = (map: ReadonlyMap<string, ReadonlySet<string>>) =>
    [...map].filter(([, names]) => names.size > 1).map(([key, names]) => `${key}: ${[...names].join(', ')}`);
  const names = new Map(watch.vms.map((vm) => [vm.id, vm.name]));
  const byRecord = new Map<string, Set<string>>();
  for (const [id, rounds] of watch.rounds) {
    for (const [round, { snapshots }] of rounds) byRecord.set(`${names.get(id)} round ${round}`, snapshots);
  }
  const wrong = {
    events: twice(byEvents),
    record: twice(byRecord),
    vcenter: twice(watch.moRefsByName),
  };
  const all = [...wrong.events, ...wrong.record, ...wrong.vcenter];
  return check(
    'no VM had two snapshots for one round',
    all.length === 0,
    `${byEvents.size} VM rounds in the events, ${byRecord.size} in the record, ${watch.moRefsByName.size} snapshot names in vCenter; two snapshots: ${wrong.events.length} (events), ${wrong.record.length} (record), ${wrong.vcenter.length} (vCenter)${all.length ? `: ${all.slice(0, 4).join('; ')}` : ''}`,
  );
}

export function oneSnapshotAtATime(watch: WarmWatch): Check {
  const peaks = [...watch.peakSnapshots];
  const over = peaks.filter(([, peak]) => peak > 1);
  const most = Math.max(0, ...peaks.map(([, peak]) => peak));
  return check(
    "vCenter never held two of the plan's snapshots on one VM",
    over.length === 0,
    `most at once on one VM: ${most}, over ${watch.polls} reads of vCenter (every 10 ms and at each kill)${over.length ? `; ${over.map(([vm, peak]) => `${vm} ${peak}`).join(', ')}` : ''}`,
  );
}

/**
 * Each DataVolume (as last seen: the runner deletes them once their VM is made): one checkpoint per recorded round, in
 * order, `current` the round's snapshot and `previous` the previous round's changeId for its disk ("" first), none
 * repeated, and finalCheckpoint set.
 */
export function checkpointChains(watch: WarmWatch): { check: Check; checkpoints: number } {
  const problems: string[] = [];
  let checkpoints = 0;
  for (const [name, object] of watch.dataVolumes) {
    const dv = object as unknown as WarmDataVolume;
    const label = dv.metadata.labels?.[DV_LABEL.vmId];
    const vmId = watch.vms.find((vm) => labelValue(vm.id) === label)?.id ?? '';
    const file = dv.spec?.source?.vddk?.backingFile ?? '';
    const chain = dv.spec?.checkpoints ?? [];
    checkpoints += chain.length;
    const rounds = watch.rounds.get(vmId) ?? new Map();
    const currents = chain.map((c) => c.current ?? '');
    if (new Set(currents).size !== currents.length) problems.push(`${name}: a checkpoint repeated (${currents})`);
    if (chain.length !== rounds.size) problems.push(`${name}: ${chain.length} checkpoints for ${rounds.size} rounds`);
    if (dv.spec?.finalCheckpoint !== true) problems.push(`${name}: finalCheckpoint not set`);
    chain.forEach((c, k) => {
      const round = rounds.get(k + 1);
      const expected = round && round.snapshots.size === 1 ? [...round.snapshots][0] : undefined;
      if (c.current !== expected) problems.push(`${name}: checkpoint ${k + 1} current ${c.current}, round ${expected}`);
      const previous = k === 0 ? '' : (rounds.get(k)?.deltas?.[file] ?? '(none recorded)');
      if (k > 0 && !c.previous) problems.push(`${name}: checkpoint ${k + 1} has no previous`);
      else if (c.previous !== previous)
        problems.push(`${name}: checkpoint ${k + 1} previous ${c.previous}, not ${previous}`);
    });
  }
  return {
    checkpoints,
    check: check(
      'no checkpoint repeated or lost in any DataVolume',
      problems.length === 0 && watch.dataVolumes.size > 0,
      `${watch.dataVolumes.size} DataVolumes, ${checkpoints} checkpoints, each the chain of its VM's recorded rounds; ${problems.length} problems${problems.length ? `: ${problems.slice(0, 4).join('; ')}` : ''}`,
    ),
  };
}

/** Every DataVolume Succeeded before it went; a deleted one's PVC stays, owned by its VM (deleted with Orphan). */
export function dataVolumesDone(watch: WarmWatch, disks: number): Check {
  const owners = watch.claimOwners();
  const live = new Set(watch.cluster.sandbox.store.list(DATAVOLUMES, SEED_NAMES.targetNamespace));
  const problems: string[] = [];
  for (const [name, object] of watch.dataVolumes) {
    const phase = (object.status as { phase?: string } | undefined)?.phase;
    if (phase !== 'Succeeded') problems.push(`${name} ${phase ?? 'no phase'}`);
    const gone = ![...live].some((dv) => dv.metadata.name === name);
    if (gone && !(owners.get(name) ?? []).includes('VirtualMachine')) problems.push(`${name}: PVC not its VM's`);
  }
  return check(
    "every DataVolume Succeeded, its PVC its VM's",
    problems.length === 0 && watch.dataVolumes.size === disks,
    `${watch.dataVolumes.size - problems.length}/${disks} (${live.size} left, the others deleted with Orphan once their VM was made)${problems.length ? `: ${problems.slice(0, 4).join('; ')}` : ''}`,
  );
}

/** One VirtualMachine per plan VM, ready (Running), in the target namespace. */
export function vmsReady(cluster: ChaosCluster, watch: WarmWatch): Check {
  const made = cluster.sandbox.store.list(VIRTUALMACHINES, SEED_NAMES.targetNamespace);
  const problems: string[] = [];
  for (const vm of watch.vms) {
    const own = made.filter((object) => object.metadata.labels?.[DV_LABEL.vmId] === labelValue(vm.id));
    const status = own[0]?.status as { ready?: boolean; printableStatus?: string } | undefined;
    if (own.length !== 1) problems.push(`${vm.name}: ${own.length} VMs`);
    else if (!status?.ready) problems.push(`${vm.name} ${status?.printableStatus ?? 'no status'}`);
  }
  return check(
    'every VM made and ready',
    problems.length === 0,
    `${watch.vms.length - problems.length}/${watch.vms.length} ready${problems.length ? `: ${problems.join('; ')}` : ''}`,
  );
}

/** The plan's snapshots on its VMs, read through the sandbox's vCenter over SOAP as any vSphere client would. */
export async function vcenterSnapshots(cluster: ChaosCluster, watch: WarmWatch): Promise<string[]> {
  const { vcenter } = cluster.sandbox;
  const session = await connectVCenter({
    url: vcenter.url,
    user: vcenter.user,
    password: vcenter.password,
    ca: vcenter.caCert,
  });
  try {
    const names: string[] = [];
    for (const vm of watch.vms) {
      const ref = await session.findVm(vm.uuid);
      if (!ref) throw new Error(`vCenter finds no VM with uuid ${vm.uuid} (${vm.name})`);
      for (const snapshot of await session.snapshots(ref)) {
        if (snapshot.name.startsWith(watch.snapshotPrefix)) names.push(`${vm.name}/${snapshot.name}`);
      }
    }
    return names;
  } finally {
    await session.logout();
  }
}
