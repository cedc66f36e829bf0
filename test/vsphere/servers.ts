/**
 * The vCenter servers the adapter's suite runs against, one entry each: the suite is the same for all, so a server
 * that answers like vCenter passes it and one that does not fails it. Where a server legitimately does more than
 * govmomi's simulator (its known gaps: /work/shared/reference/warm-migration.md §6, docs/COMPATIBILITY.md), its
 * capabilities say so and the suite asserts the stronger behaviour there; they must be true of the server, since
 * the suite also asserts the weaker behaviour where a capability is off.
 */
import type { Scenario } from '@kubectl-mtv/engine';
import { startSandboxVcenter } from '@kubectl-mtv/sandbox';
import { govmomiSimulator, type Requirement, startVcsim, type TestVCenter } from '@kubectl-mtv/test-support';

/** What a server does that govmomi's simulator does not. */
export interface VCenterCapabilities {
  /**
   * Tasks are queued and run after the call returns (vcsim finishes them inside it: task.go Run). Names a VM whose
   * snapshot task runs long enough to be seen running, that no other test touches.
   */
  tasksTakeTime: false | { vm: string };
  /**
   * Snapshot disks carry a CBT changeId that moves on with every snapshot, and name `-00000N.vmdk` deltas (vcsim sets
   * no changeId and keeps the base vmdk). Names a VM with change tracking on that no other test touches.
   */
  servesChangeIds: false | { vm: string };
  /** ShutdownGuest needs running VMware Tools (vcsim never checks). Names a powered-on VM without Tools. */
  checksTools: false | { vmWithoutTools: string };
  /** A snapshot task can end in error. Names a VM whose CreateSnapshot_Task does, and the fault it ends with. */
  failsSnapshots: false | { vm: string; fault: string };
}

export interface VCenterServerEntry {
  /** How the suite's titles name it. */
  name: string;
  /** What this machine needs to run it (the suite is skipped with the hint without it). */
  requirements: Requirement[];
  capabilities: VCenterCapabilities;
  /** Starts a fresh server with its own inventory. */
  start(): Promise<TestVCenter>;
}

const GiB = 2 ** 30;

/**
 * The sandbox vCenter's inventory for the suite: four powered-on VMs with Tools first (the suite's VMs #0-#3, as
 * vcsim's VPX model has four), then one per capability test. `warm` turns change tracking on for every disk.
 */
const SANDBOX_SUITE_SCENARIO: Scenario = {
  name: 'vsphere-adapter-suite',
  migration: 'warm',
  maxInFlight: 10,
  diskRate: 100 * 2 ** 20,
  hosts: [{ name: 'esx-01' }],
  vms: [
    ...['vm-01', 'vm-02', 'vm-03', 'vm-04'].map((name) => ({
      name,
      host: 'esx-01',
      powerState: 'poweredOn',
      disks: [{ size: 10 * GiB }],
    })),
    { name: 'vm-cbt', host: 'esx-01', powerState: 'poweredOn', disks: [{ size: 10 * GiB }, { size: 20 * GiB }] },
    { name: 'vm-fragile', host: 'esx-01', powerState: 'poweredOn', disks: [{ size: GiB }] },
    { name: 'vm-no-tools', host: 'esx-01', powerState: 'poweredOn', tools: false, disks: [{ size: GiB }] },
    // four disks: its snapshot runs 8 + 4 x 4 simulated seconds (2.4 s here), long enough to be seen running between two polls
    {
      name: 'vm-tasks',
      host: 'esx-01',
      powerState: 'poweredOn',
      disks: [{ size: GiB }, { size: GiB }, { size: GiB }, { size: GiB }],
    },
  ],
};

/**
 * Simulated seconds per real second: a snapshot (8 s + 4 s per disk) takes one to three seconds and a guest shutdown
 * (15 s) 1.5 s, so the suite's polls see tasks queued and running without waiting real vCenter times, with a window
 * of seconds, not milliseconds, for a poll on a loaded CI machine.
 */
const SANDBOX_SPEED = 10;

/** The sandbox's vCenter alone (no cluster: nothing external to start) as a TestVCenter. */
async function startSandboxTestVcenter(): Promise<TestVCenter> {
  const started = await startSandboxVcenter({
    scenario: SANDBOX_SUITE_SCENARIO,
    speed: SANDBOX_SPEED,
    failSnapshots: ['vm-fragile'],
  });
  let stopped: Promise<void> | undefined;
  return {
    url: started.url,
    ca: started.ca,
    thumbprint: started.thumbprint,
    user: started.user,
    password: started.password,
    vms: started.vms
      .map((vm) => ({
        name: vm.name,
        moref: vm.moref,
        uuid: vm.uuid,
        instanceUuid: vm.instanceUuid,
        powerState: vm.powerState as TestVCenter['vms'][number]['powerState'],
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    stop() {
      stopped ??= started.stop();
      return stopped;
    },
  };
}

export const VCENTER_SERVERS: VCenterServerEntry[] = [
  {
    name: 'govmomi simulator (vcsim 0.24.2)',
    requirements: [govmomiSimulator()],
    capabilities: { tasksTakeTime: false, servesChangeIds: false, checksTools: false, failsSnapshots: false },
    start: startVcsim,
  },
  {
    name: 'sandbox vCenter',
    requirements: [],
    capabilities: {
      tasksTakeTime: { vm: 'vm-tasks' },
      servesChangeIds: { vm: 'vm-cbt' },
      checksTools: { vmWithoutTools: 'vm-no-tools' },
      failsSnapshots: { vm: 'vm-fragile', fault: 'ApplicationQuiesceFault' },
    },
    start: startSandboxTestVcenter,
  },
];
