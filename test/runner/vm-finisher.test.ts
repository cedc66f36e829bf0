/**
 * Making the VMs (issue 15) against the sandbox's KubeVirt: each VM made once its disks are copied, its PVCs owned by
 * it, its DataVolumes deleted with Orphan; a run stopped between the copy and the VM, or after the VM was made but
 * before its PVCs moved, is finished by the next run with one VM each, no DataVolume left and no disk lost. The
 * cluster state after a kill -9 at those points is made here directly: a disks-only run (every disk copied, no VM),
 * then the VMs created as the runner creates them (made, PVCs still the DataVolumes').
 */
import type { Scenario } from '@kubectl-mtv/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlanDataVolumes } from '../../src/cluster/datavolume-builder.js';
import { detectMtvRelease } from '../../src/cluster/mtv-release.js';
import { resolvePlan } from '../../src/cluster/plan-resolver.js';
import type { ResolvedPlan } from '../../src/cluster/resolved-plan.js';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import { buildVirtualMachine } from '../../src/cluster/vm-builder.js';
import type { RunEvent, RunSummary } from '../../src/runner/run-events.js';
import { runTransfers } from '../../src/runner/run-transfers.js';
import { decideRunStrategy } from '../../src/runner/vm-finisher.js';
import { type ClusterFixture, startCluster } from '../cluster/cluster-fixture.js';

const NS = 'openshift-mtv';
const Gi = 2 ** 30;

/** Four VMs of two or three disks on two hosts; vm-04 runs at the source. */
const SCENARIO: Scenario = {
  name: 'vms',
  migration: 'cold',
  maxInFlight: 4,
  diskRate: 100 * 2 ** 20,
  hosts: [{ name: 'esx-01' }, { name: 'esx-02' }],
  vms: Array.from({ length: 4 }, (_, v) => ({
    name: `vm-0${v + 1}`,
    host: v % 2 === 0 ? 'esx-01' : 'esx-02',
    ...(v === 3 && { powerState: 'poweredOn' as const }),
    // vm-03's first disk is the plan's longest copy: the other VMs are made while it copies
    disks: Array.from({ length: 2 + (v % 2) }, (_, d) => ({
      size: (v === 2 && d === 0 ? 60 : 2 + d) * Gi,
      datastore: 'ds-1',
    })),
  })),
};

interface VmObject {
  metadata: { name: string; uid: string; labels?: Record<string, string> };
  spec: { runStrategy?: string; template: { spec: { volumes: { persistentVolumeClaim?: { claimName: string } }[] } } };
  status?: { printableStatus?: string };
}
interface ClaimObject {
  metadata: { name: string; ownerReferences?: { kind: string; name: string; uid: string }[] };
}

let cluster: ClusterFixture | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function setUp(
  options: { vmStartSeconds?: number; failVms?: string[]; failConversions?: { vm: string; message: string }[] } = {},
) {
  // vm-03's long disk copies for 6 s (600 simulated s): time enough to make the other VMs first on a loaded machine
  cluster = await startCluster(SCENARIO, { speed: 100, ...options });
  const c = cluster;
  const mtvRelease = await detectMtvRelease(c.kube);
  const resolve = (disksOnly: boolean) =>
    resolvePlan(c.kube, c.inventory, {
      plan: 'plan-a',
      namespace: NS,
      mtvRelease,
      allowPoweredOn: true,
      ...(disksOnly && { disksOnly: true }),
    });
  const run = async (resolved: ResolvedPlan, readyTimeoutMs = 30_000) => {
    const built = buildPlanDataVolumes(resolved);
    const events: RunEvent[] = [];
    const summary: RunSummary = await runTransfers(
      {
        client: c.kube,
        resolved,
        dataVolumes: built.dataVolumes,
        scheduler: { policy: 'disk', maxInFlight: 4, order: 'largest' },
        signal: new AbortController().signal,
        holder: 'alice@ws1/1',
        takeover: true,
        ...(resolved.vmSettings && { vms: { readyTimeoutMs, skipped: built.skipped } }),
      },
      (event) => events.push(event),
    );
    return { events, summary, built };
  };
  const list = <T>(plural: string, group = '') =>
    c.sandbox.store.list(group ? `${plural}.${group}` : plural, 'demo') as unknown as T[];
  return {
    c,
    resolve,
    run,
    vms: () => list<VmObject>('virtualmachines', 'kubevirt.io'),
    claims: () => list<ClaimObject>('persistentvolumeclaims'),
    dataVolumes: () => list<{ metadata: { name: string } }>('datavolumes', 'cdi.kubevirt.io'),
  };
}

/** Every plan VM made once, each PVC owned by its VM alone, no DataVolume left, every disk's PVC still there. */
function expectFinished(t: Awaited<ReturnType<typeof setUp>>, resolved: ResolvedPlan, disks: number): void {
  const vms = t.vms();
  expect(vms.map((vm) => vm.metadata.name).sort()).toEqual(resolved.vms.map((vm) => vm.config?.targetName).sort());
  expect(t.dataVolumes()).toEqual([]);
  const claims = t.claims();
  expect(claims).toHaveLength(disks);
  for (const vm of vms) {
    for (const volume of vm.spec.template.spec.volumes) {
      const claim = claims.find((c) => c.metadata.name === volume.persistentVolumeClaim?.claimName);
      expect(claim?.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'VirtualMachine', name: vm.metadata.name, uid: vm.metadata.uid }),
      ]);
    }
  }
}

describe('making the VMs after their disks', () => {
  it('makes each VM once its disks are copied, runs it as the plan asks, and leaves only VMs and their PVCs', async () => {
    const t = await setUp();
    const resolved = await t.resolve(false);
    expect(resolved.vmSettings).toBeDefined();
    const { events, summary, built } = await t.run(resolved);
    expect(summary.outcome).toBe('completed');
    expect(summary.vms?.map((vm) => [vm.vm, vm.state, vm.runStrategy])).toEqual([
      ['vm-01', 'ready', 'Halted'],
      ['vm-02', 'ready', 'Halted'],
      ['vm-03', 'ready', 'Halted'],
      ['vm-04', 'ready', 'Halted'],
    ]);
    // vm-04's source runs: Halted, said so
    expect(summary.vms?.find((vm) => vm.vm === 'vm-04')?.haltedSourceOn).toBe(true);
    expectFinished(t, resolved, built.dataVolumes.length);
    // a VM is made as soon as its own disks are done, not at the end of the plan: before vm-03's long disk ends
    const firstVm = events.findIndex((e) => e.type === 'vm-created');
    const longDisk = events.findIndex((e) => e.type === 'finished' && e.disk.vm === 'vm-03' && e.disk.index === 0);
    expect(firstVm).toBeGreaterThan(-1);
    expect(firstVm).toBeLessThan(longDisk);
    // every vm event comes after the plan event that opens the run
    expect(events.findIndex((e) => e.type === 'plan')).toBeLessThan(firstVm);
  });

  it('starts a VM whose source was on and is off now (auto: its stored power state), and waits until it runs', async () => {
    const t = await setUp();
    const resolved = await t.resolve(false);
    // the stored state says on (as the DataVolume's annotation keeps it); the source is off at VM time
    const vm = { ...resolved.vms[0], powerState: 'poweredOff' };
    expect(decideRunStrategy(resolved, vm, 'poweredOn').runStrategy).toBe('Always');
    const on = { ...resolved, vms: resolved.vms.map((v, i) => (i === 0 ? { ...v, powerState: 'poweredOn' } : v)) };
    const built = buildPlanDataVolumes(on);
    expect(built.dataVolumes[0].manifest.metadata.annotations['kubectl-mtv.konveyor.io/source-power-state']).toBe(
      'poweredOn',
    );
    // the run that resolves it powered off (a later run, after the user stopped the source) reads the stored state
    const first = await t.run(await t.resolve(true));
    expect(first.summary.vms).toBeUndefined();
    for (const dv of t.dataVolumes()) {
      if (dv.metadata.name.includes(resolved.vms[0].id))
        await t.c.patch(`/apis/cdi.kubevirt.io/v1beta1/namespaces/demo/datavolumes/${dv.metadata.name}`, {
          metadata: { annotations: { 'kubectl-mtv.konveyor.io/source-power-state': 'poweredOn' } },
        });
    }
    const { summary, events } = await t.run(resolved);
    const made = summary.vms?.find((v) => v.vm === resolved.vms[0].name);
    expect(made).toMatchObject({ state: 'ready', runStrategy: 'Always', status: 'Running' });
    expect(events).toContainEqual(expect.objectContaining({ type: 'vm-ready', status: 'Running' }));
  });

  it('finishes after a stop between the copy and the VM: the disks are not copied again', async () => {
    const t = await setUp();
    const disksOnly = await t.run(await t.resolve(true));
    expect(disksOnly.summary.transferred).toBe(disksOnly.built.dataVolumes.length);
    expect(t.vms()).toEqual([]);
    const resolved = await t.resolve(false);
    const { events, summary } = await t.run(resolved);
    expect(events.filter((e) => e.type === 'started')).toEqual([]);
    expect(summary.vms?.every((vm) => vm.state === 'ready')).toBe(true);
    expectFinished(t, resolved, disksOnly.built.dataVolumes.length);
  });

  it('finishes after a stop once the VMs were made: found by their labels, never made twice', async () => {
    const t = await setUp();
    const copied = await t.run(await t.resolve(true));
    const resolved = await t.resolve(false);
    // the VMs exist, their PVCs are still the DataVolumes', the DataVolumes are there: a kill right after the create
    const ref = inNamespace(RESOURCES.virtualMachines, 'demo');
    for (const vm of resolved.vms) {
      const claims = copied.built.dataVolumes
        .filter((dv) => dv.vmId === vm.id)
        .map((dv) => ({
          diskIndex: dv.diskIndex,
          file: vm.disks.find((d) => d.index === dv.diskIndex)?.file ?? '',
          claimName: dv.manifest.metadata.name,
        }));
      const { runStrategy } = decideRunStrategy(resolved, vm, vm.powerState);
      await t.c.kube.create(ref, buildVirtualMachine(resolved, vm, { claims, runStrategy }));
    }
    const uids = t.vms().map((vm) => vm.metadata.uid);
    const { events, summary } = await t.run(resolved);
    expect(events.filter((e) => e.type === 'vm-created').every((e) => e.type === 'vm-created' && e.adopted)).toBe(true);
    expect(summary.vms?.every((vm) => vm.state === 'ready')).toBe(true);
    // the same objects, not new ones
    expect(t.vms().map((vm) => vm.metadata.uid)).toEqual(uids);
    expectFinished(t, resolved, copied.built.dataVolumes.length);
  });

  it('fails the run (exit 1 by its summary) when KubeVirt reports a VM in error, naming it', async () => {
    const t = await setUp({ failVms: ['vm-02'] });
    const resolved = await t.resolve(false);
    // vm-02 must start for its fault to show: its target power state on
    const on = {
      ...resolved,
      vms: resolved.vms.map((vm) =>
        vm.name === 'vm-02' && vm.config ? { ...vm, config: { ...vm.config, targetPowerState: 'on' as const } } : vm,
      ),
    };
    const { summary, events } = await t.run(on);
    const failed = summary.vms?.find((vm) => vm.vm === 'vm-02');
    expect(failed?.state).toBe('failed');
    expect(failed?.reason).toMatch(/CrashLoopBackOff/);
    expect(events).toContainEqual(expect.objectContaining({ type: 'vm-failed', vm: 'vm-02' }));
    expect(summary.vms?.filter((vm) => vm.state === 'ready')).toHaveLength(3);
  });

  it('on MTV 2.12 converts each guest through its Conversion CR before its VM, and deletes the Conversion once the VM exists', async () => {
    const t = await setUp({ failConversions: [{ vm: 'vm-02', message: 'virt-v2v: inspection failed' }] });
    // the plan needs a guest conversion: no Raw Copy
    await t.c.patch('/apis/forklift.konveyor.io/v1beta1/namespaces/openshift-mtv/plans/plan-a', {
      spec: { skipGuestConversion: false },
    });
    const resolved = await t.resolve(false);
    expect(resolved.conversion).toBeDefined();
    const { summary, events } = await t.run(resolved);
    const converting = events.filter((e) => e.type === 'vm-converting').map((e) => e.type === 'vm-converting' && e.vm);
    expect(converting.sort()).toEqual(['vm-01', 'vm-02', 'vm-03', 'vm-04']);
    // each VM is made after its conversion ended, never before
    for (const vm of ['vm-01', 'vm-03', 'vm-04']) {
      const at = (type: string) => events.findIndex((e) => e.type === type && 'vm' in e && e.vm === vm);
      expect(at('vm-converting')).toBeLessThan(at('vm-created'));
    }
    // vm-02's conversion failed: no VM, the reason said, the run fails (exit 1)
    const failed = summary.vms?.find((vm) => vm.vm === 'vm-02');
    expect(failed).toMatchObject({ state: 'failed' });
    // as Forklift's controller reports it: the virt-v2v error is in the pod's log, which the reason points at
    expect(failed?.reason).toMatch(
      /conversion failed \(Conversion openshift-mtv\/\S+\): The conversion has failed: conversion pod failed; kubectl logs \S+ -n openshift-mtv$/,
    );
    expect(
      t
        .vms()
        .map((vm) => vm.metadata.name)
        .sort(),
    ).toEqual(['vm-01', 'vm-03', 'vm-04']);
    expect(summary.vms?.filter((vm) => vm.state === 'ready')).toHaveLength(3);
    // the made VMs' Conversions are gone; the failed one stays for kubectl describe
    const conversions = t.c.sandbox.store.list('conversions.forklift.konveyor.io', 'openshift-mtv');
    expect(conversions.map((c) => (c.spec as { vm: { name: string } }).vm.name)).toEqual(['vm-02']);
  });
});
