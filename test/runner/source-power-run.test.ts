/**
 * A cold run with --power-off-source against the sandbox's cluster, with a vCenter kept in memory (the sandbox's own
 * vCenter is driven end to end in test/e2e): each powered-on VM is shut down before its first DataVolume exists, its
 * power state recorded in the cluster first; its KubeVirt VM runs because the source ran; a guest that ignores the
 * shutdown has no disk copied and fails the run; a powered-off VM is copied as it is. The refusals before anything is
 * created (no Tools, a VM vCenter does not know) come from prepareSourcePower.
 */
import type { Scenario } from '@kubectl-mtv/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlanDataVolumes } from '../../src/cluster/datavolume-builder.js';
import { detectMtvRelease } from '../../src/cluster/mtv-release.js';
import { resolvePlan } from '../../src/cluster/plan-resolver.js';
import type { ResolvedPlan } from '../../src/cluster/resolved-plan.js';
import { SourcePowerRecord } from '../../src/cluster/source-power-record.js';
import { ExitCode, UserError } from '../../src/errors.js';
import type { RunEvent } from '../../src/runner/run-events.js';
import type { RunOptions } from '../../src/runner/run-options.js';
import { runTransfers } from '../../src/runner/run-transfers.js';
import { prepareSourcePower } from '../../src/services/migrate-source-power.js';
import { type ClusterFixture, startCluster } from '../cluster/cluster-fixture.js';
import { MemoryVcenter } from './memory-vcenter.js';

const NS = 'openshift-mtv';
const Gi = 2 ** 30;

/** web-1 runs, web-2 runs and will ignore a shutdown, db-1 is off. */
const SCENARIO: Scenario = {
  name: 'cold',
  migration: 'cold',
  maxInFlight: 4,
  diskRate: 200 * 2 ** 20,
  hosts: [{ name: 'esx-01' }],
  vms: ['web-1', 'web-2', 'db-1'].map((name) => ({
    name,
    host: 'esx-01',
    powerState: name.startsWith('web') ? ('poweredOn' as const) : ('poweredOff' as const),
    disks: [
      { size: 2 * Gi, datastore: 'ds-1' },
      { size: 1 * Gi, datastore: 'ds-1' },
    ],
  })),
};

let cluster: ClusterFixture | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function setUp(vcenterOptions: ConstructorParameters<typeof MemoryVcenter>[1] = {}) {
  cluster = await startCluster(SCENARIO, { speed: 100 });
  const c = cluster;
  const mtvRelease = await detectMtvRelease(c.kube);
  const resolved = await resolvePlan(c.kube, c.inventory, {
    plan: 'plan-a',
    namespace: NS,
    mtvRelease,
    powerOffSource: true,
  });
  // the in-memory vCenter knows the inventory's VMs by their uuids, under their inventory ids
  const byName = (name: string) => resolved.vms.find((vm) => vm.name === name);
  const uuids = Object.fromEntries(resolved.vms.map((vm) => [vm.instanceUuid ?? vm.uuid, vm.id]));
  const state = (name: string) => (name.startsWith('web') ? 'poweredOn' : 'poweredOff');
  const vcenter = new MemoryVcenter(Object.fromEntries(resolved.vms.map((vm) => [vm.id, state(vm.name)])), {
    uuids,
    ...vcenterOptions,
    ignores: (vcenterOptions.ignores ?? []).map((name) => byName(name)?.id ?? name),
    noTools: (vcenterOptions.noTools ?? []).map((name) => byName(name)?.id ?? name),
  });
  const prepare = (force = false) =>
    prepareSourcePower(c.kube, resolved, { force, shutdownTimeoutMs: 3_000 }, async () => vcenter);
  return { c, resolved, vcenter, prepare, byName };
}

describe('migrate --power-off-source', () => {
  it('shuts each running source down before its first DataVolume, and makes its VM Running', async () => {
    const t = await setUp({ ignores: ['web-2'], shutdownPolls: 2 });
    const prepared = await t.prepare();
    const built = buildPlanDataVolumes(prepared.resolved);
    const events: RunEvent[] = [];
    const summary = await runTransfers(
      {
        client: t.c.kube,
        resolved: prepared.resolved,
        dataVolumes: built.dataVolumes,
        scheduler: { policy: 'disk', maxInFlight: 4, order: 'largest' },
        signal: new AbortController().signal,
        holder: 'alice@ws1/1',
        takeover: true,
        sourcePower: { ...prepared.run, pollMs: 20 } as typeof prepared.run,
        vms: { readyTimeoutMs: 30_000, skipped: built.skipped },
      },
      (event) => events.push(event),
    );
    await prepared.close();
    expect(t.vcenter.loggedOut).toBe(true);

    // web-1: shut down (once), then its disks copied; its VM runs because its source ran
    const web1 = t.byName('web-1')?.id ?? '';
    expect(t.vcenter.calls.filter((call) => call === `shutdown ${web1}`)).toHaveLength(1);
    const off = events.findIndex((e) => e.type === 'source-power' && e.vm === 'web-1' && e.phase === 'off');
    const firstStart = events.findIndex((e) => e.type === 'started' && e.disk.vm === 'web-1');
    expect(off).toBeGreaterThan(-1);
    expect(firstStart).toBeGreaterThan(off);
    const vm = (name: string) => summary.vms?.find((outcome) => outcome.vm === name);
    expect([vm('web-1')?.state, vm('web-1')?.runStrategy, vm('web-1')?.haltedSourceOn]).toEqual([
      'ready',
      'Always',
      undefined,
    ]);
    // web-2 ignored the shutdown: no DataVolume, its disks failed with the reason, no VM
    expect(events.some((e) => e.type === 'started' && e.disk.vm === 'web-2')).toBe(false);
    const failed = events.filter((e) => e.type === 'stuck' && e.disk.vm === 'web-2');
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({
      failed: true,
      reason: expect.stringContaining('source VM web-2 not powered off: still poweredOn 3 s after ShutdownGuest'),
    });
    expect(vm('web-2')?.state).toBe('not-created');
    // db-1 was off: left alone, Halted as its source
    const db1 = t.byName('db-1')?.id ?? '';
    expect(t.vcenter.calls).not.toContain(`shutdown ${db1}`);
    expect([vm('db-1')?.state, vm('db-1')?.runStrategy]).toEqual(['ready', 'Halted']);
    expect(summary.failed).toBe(2);
    expect(summary.transferred).toBe(4);

    // the states as they were before the shutdowns, in the cluster
    const record = await new SourcePowerRecord(t.c.kube, prepared.resolved.plan).read();
    expect(Object.fromEntries(record)).toEqual({
      [web1]: 'poweredOn',
      [t.byName('web-2')?.id ?? '']: 'poweredOn',
      [db1]: 'poweredOff',
    });
    // a re-run reads them back: web-1 is restored as poweredOn though its source is now off
    const again = await t.prepare();
    expect(again.resolved.vms.find((v) => v.name === 'web-1')?.restorePowerState).toBe('poweredOn');
    await again.close();
  });

  it('shuts a source down before making its VM even when an earlier run copied its disks as they were', async () => {
    const t = await setUp({ shutdownPolls: 2 });
    const run = async (resolved: ResolvedPlan, extra: Partial<RunOptions>) => {
      const built = buildPlanDataVolumes(resolved);
      const events: RunEvent[] = [];
      const summary = await runTransfers(
        {
          client: t.c.kube,
          resolved,
          dataVolumes: built.dataVolumes,
          scheduler: { policy: 'disk', maxInFlight: 6, order: 'largest' },
          signal: new AbortController().signal,
          holder: 'alice@ws1/1',
          takeover: true,
          ...extra,
          ...(resolved.vmSettings && { vms: { readyTimeoutMs: 30_000, skipped: built.skipped } }),
        },
        (event) => events.push(event),
      );
      return { events, summary };
    };
    // an earlier run copied every disk with --allow-powered-on --disks-only: the sources still run
    const mtvRelease = await detectMtvRelease(t.c.kube);
    const copied = await resolvePlan(t.c.kube, t.c.inventory, {
      plan: 'plan-a',
      namespace: NS,
      mtvRelease,
      allowPoweredOn: true,
      disksOnly: true,
    });
    expect((await run(copied, {})).summary.transferred).toBe(6);
    expect(t.vcenter.calls.some((call) => call.startsWith('shutdown'))).toBe(false);

    const prepared = await t.prepare();
    const { events, summary } = await run(prepared.resolved, {
      sourcePower: { ...prepared.run, pollMs: 20 } as typeof prepared.run,
    });
    await prepared.close();
    // no disk was copied again, yet each running source was shut down before its VM was made, which then runs
    expect(events.some((e) => e.type === 'started')).toBe(false);
    for (const name of ['web-1', 'web-2']) {
      const off = events.findIndex((e) => e.type === 'source-power' && e.vm === name && e.phase === 'off');
      const made = events.findIndex((e) => e.type === 'vm-created' && e.vm === name);
      expect(off, name).toBeGreaterThan(-1);
      expect(made, name).toBeGreaterThan(off);
      expect(summary.vms?.find((vm) => vm.vm === name)).toMatchObject({ state: 'ready', runStrategy: 'Always' });
    }
    expect(t.vcenter.state(t.byName('web-1')?.id ?? '')).toBe('poweredOff');
  });

  it('refuses, before anything is created, a running VM without VMware Tools unless --force-power-off', async () => {
    const t = await setUp({ noTools: ['web-2'] });
    const error = await t.prepare().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(ExitCode.usage);
    expect((error as UserError).line).toBe(
      'plan "plan-a": web-2 is powered on without VMware Tools running, so ShutdownGuest cannot shut it down (try: start VMware Tools in the guest, shut the VM down yourself, or pass --force-power-off (a hard power-off))',
    );
    expect(t.vcenter.loggedOut).toBe(true);
    expect(t.vcenter.calls.some((call) => call.startsWith('shutdown'))).toBe(false);
    expect(await new SourcePowerRecord(t.c.kube, t.resolved.plan).read()).toEqual(new Map());
    const forced = await t.prepare(true);
    expect(forced.run.force).toBe(true);
    await forced.close();
  });

  it('refuses a plan VM vCenter does not know, naming its uuid', async () => {
    const t = await setUp({ uuids: {} });
    await expect(t.prepare()).rejects.toThrow(
      /has no VM with the uuid the inventory gives for web-1 \((instance )?uuid /,
    );
  });
});
