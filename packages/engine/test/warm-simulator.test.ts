import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Workload } from '../src/model.js';
import type { WarmMode } from '../src/warm/warm-scheduler.js';
import type { WarmSimulationOptions } from '../src/warm/warm-simulation-options.js';
import type { WarmSimulationResult } from '../src/warm/warm-simulation-result.js';
import { simulateWarm, simulateWarmScenario } from '../src/warm/warm-simulator.js';
import { type Case, cases, RUNS } from './arbitrary-plans.js';
import { Gi, Mi, planOf } from './hand-built-plans.js';

const HOUR = 3600;
/** The sandbox vCenter's snapshot of a 1-disk VM: queued 1 s, then 8 s + 4 s per disk. */
const CREATE_1 = 13;
/** ... and the removal of the previous one before it, consolidated: queued 1 s, then 3 s + 5 s per disk. */
const REMOVE_1 = 9;
/** A delta as the sandbox's CDI sizes it: `percent` of the disk per hour since the previous copy ended. */
const delta = (bytes: number, percent: number, seconds: number) =>
  Math.min(bytes, Math.max(16 * Mi, Math.round(bytes * (percent / 100) * (seconds / HOUR))));

function warmPlan(vms: [number, number[]][], hostBandwidth = Infinity): Workload {
  const plan = planOf(['esx-01', 'esx-02'], vms);
  return { ...plan, migration: 'warm', hosts: plan.hosts.map((h) => ({ ...h, bandwidth: hostBandwidth })) };
}

function options(mode: WarmMode, patch: Partial<WarmSimulationOptions> = {}): WarmSimulationOptions {
  return { mode, caps: { maxInFlight: 20 }, order: 'largest', ...patch };
}

const copiesOf = (r: WarmSimulationResult, vm: string) => r.copies.filter((c) => c.vm === vm);

describe('simulateWarm: one VM, by the second', () => {
  const bytes = 100 * Gi;
  const w = warmPlan([[0, [100]]]);

  it('copies the disk, a delta an interval later, and the final delta after the cutover', () => {
    for (const mode of ['disk', 'forklift'] as const) {
      const r = simulateWarm(w, options(mode, { cutoverAtSeconds: 2 * HOUR }));
      const round1End = CREATE_1 + 1024;
      const round2Start = round1End + HOUR;
      const round2Snapshot = round2Start + REMOVE_1 + CREATE_1;
      const delta2 = delta(bytes, 1, round2Snapshot - round1End);
      const round2End = round2Snapshot + delta2 / (100 * Mi);
      // the cutover (2 h) came while round 2 was paused: the final round starts at 2 h, the source off (it runs)
      const finalSnapshot = 2 * HOUR + 15 + REMOVE_1 + CREATE_1;
      const delta3 = delta(bytes, 1, finalSnapshot - round2End);
      const end = finalSnapshot + delta3 / (100 * Mi);
      expect(
        copiesOf(r, 'vm-0').map((c) => [c.round, c.final, c.bytes]),
        mode,
      ).toEqual([
        [1, false, bytes],
        [2, false, delta2],
        [3, true, delta3],
      ]);
      const [c1, c2, c3] = copiesOf(r, 'vm-0');
      expect([c1.startSeconds, c1.endSeconds], mode).toEqual([CREATE_1, round1End]);
      expect(c2.startSeconds, mode).toBe(round2Snapshot);
      expect(c2.endSeconds, mode).toBeCloseTo(round2End, 6);
      expect(c3.startSeconds, mode).toBe(finalSnapshot);
      expect(r.makespanSeconds, mode).toBeCloseTo(end, 6);
      const [vm] = r.vms;
      expect(vm, mode).toMatchObject({
        rounds: 3,
        precopies: 1,
        round1EndSeconds: round1End,
        cutoverSeconds: 2 * HOUR,
      });
      expect(vm.snapshotAgeSeconds, mode).toBe(1024);
      expect(vm.downtimeSeconds, mode).toBeCloseTo(end - 2 * HOUR, 6);
      expect(r.downtimeSeconds.total, mode).toBeCloseTo(end - 2 * HOUR, 6);
      expect(r.cutoverReadySeconds, mode).toBe(round1End);
      expect(r.cutoverGiven, mode).toBe(true);
      expect(r.bytes, mode).toBe(bytes + delta2 + delta3);
    }
  });

  it('shuts down only a running source, and counts the finish in the downtime', () => {
    const running = simulateWarm(w, options('disk', { cutoverAtSeconds: 0, finishSeconds: 40 }));
    const off = simulateWarm(
      w,
      options('disk', { cutoverAtSeconds: 0, finishSeconds: 40, vms: [{ poweredOn: false }] }),
    );
    for (const [r, shutdown] of [
      [running, 15],
      [off, 0],
    ] as const) {
      const final = r.vms[0].roundTimes[1];
      expect(final.snapshotSeconds - final.startSeconds).toBe(shutdown + REMOVE_1 + CREATE_1);
      expect(r.vms[0].downtimeSeconds).toBeCloseTo(final.endSeconds + 40 - final.startSeconds, 6);
    }
    expect(running.vms[0].downtimeSeconds - off.vms[0].downtimeSeconds).toBeCloseTo(15, 3);
  });

  it('takes a fixed snapshot time when told', () => {
    const r = simulateWarm(w, options('disk', { cutoverAtSeconds: 0, snapshotSeconds: 2, shutdownSeconds: 0 }));
    expect(r.vms[0].roundTimes.map((t) => t.snapshotSeconds - t.startSeconds)).toEqual([2, 2]);
  });

  it('sizes deltas by the VM change rate, never under 16 MiB', () => {
    const at = (changeRate: number, interval: number) =>
      simulateWarm(
        w,
        options('disk', { cutoverAtSeconds: 3 * HOUR, precopyIntervalSeconds: interval, vms: [{ changeRate }] }),
      ).copies[1].bytes;
    expect(at(10, HOUR) / at(1, HOUR)).toBeCloseTo(10, 2);
    expect(at(1, 1)).toBe(16 * Mi);
  });
});

describe('simulateWarm: bandwidth, cutover and modes', () => {
  it('shares a host bandwidth among the copies in flight', () => {
    const w = warmPlan([[0, [10, 10]]], 100 * Mi);
    const r = simulateWarm(w, options('forklift', { cutoverAtSeconds: 0 }));
    const [a, b] = copiesOf(r, 'vm-0');
    expect([a.startSeconds, b.startSeconds]).toEqual([17, 17]);
    expect([a.endSeconds, b.endSeconds]).toEqual([17 + 204.8, 17 + 204.8]);
  });

  it('cuts over, unless told when, once every VM has copied round 1 and one precopy', () => {
    const w = warmPlan([
      [0, [50]],
      [1, [400, 10]],
      [0, []],
    ]);
    for (const mode of ['disk', 'forklift'] as const) {
      const r = simulateWarm(w, options(mode, { precopyIntervalSeconds: 600 }));
      expect(r.cutoverGiven, mode).toBe(false);
      const round2Ends = r.vms.filter((vm) => vm.rounds > 0).map((vm) => vm.roundTimes[1].endSeconds);
      expect(r.cutoverSeconds, mode).toBe(Math.max(...round2Ends));
      for (const vm of r.vms) {
        expect(vm.cutoverSeconds, `${mode} ${vm.name}`).toBeGreaterThanOrEqual(r.cutoverSeconds);
        if (vm.rounds > 0) expect(vm.precopies, `${mode} ${vm.name}`).toBeGreaterThanOrEqual(1);
      }
      // the VM without disks copies nothing: it is shut down, snapshotted and made at the cutover
      expect(r.vms[2], mode).toMatchObject({ rounds: 0, precopies: 0, bytes: 0, cutoverSeconds: r.cutoverSeconds });
      expect(r.cutoverReadySeconds, mode).toBe(Math.max(r.vms[0].round1EndSeconds, r.vms[1].round1EndSeconds));
    }
  });

  it('lets later rounds pass the host cap in forklift mode, never in disk mode', () => {
    // one host, cap 2: vm-1 waits for vm-0 to pause; vm-0's precopy comes due while vm-1 copies
    const w = warmPlan([
      [0, [1, 1]],
      [0, [200, 200]],
    ]);
    const run = (mode: WarmMode) =>
      simulateWarm(w, options(mode, { caps: { maxInFlight: 2 }, precopyIntervalSeconds: 60, cutoverAtSeconds: HOUR }));
    expect(run('forklift').peakInFlight).toBe(4);
    expect(run('disk').peakInFlight).toBe(2);
  });

  it('reads change rates and power states from a scenario', () => {
    const scenario = {
      migration: 'warm' as const,
      maxInFlight: 4,
      diskRate: 100 * Mi,
      hosts: [{ name: 'esx-01' }],
      vms: [
        { name: 'on', host: 'esx-01', powerState: 'poweredOn', changeRate: 5, disks: [{ size: 10 * Gi }] },
        { name: 'off', host: 'esx-01', disks: [{ size: 10 * Gi }] },
      ],
    };
    const r = simulateWarmScenario(scenario, options('disk', { cutoverAtSeconds: 2 * HOUR }));
    const [on, off] = r.vms.map((vm) => vm.roundTimes.at(-1) as { startSeconds: number; snapshotSeconds: number });
    expect(on.snapshotSeconds - on.startSeconds).toBe(15 + REMOVE_1 + CREATE_1);
    expect(off.snapshotSeconds - off.startSeconds).toBe(REMOVE_1 + CREATE_1);
    const delta2 = (name: string) => r.copies.find((c) => c.vm === name && c.round === 2)?.bytes ?? 0;
    expect(delta2('on') / delta2('off')).toBeCloseTo(5, 1);
  });
});

describe('simulateWarm under a cap too small for the precopies', () => {
  it('still copies every first round: due precopies never take the one slot a waiting first round needs', () => {
    // 14 VMs of 6 disks under one slot, a precopy every 601 s: once ten VMs precopy, their snapshots and deltas
    // (about 75 s each) fill every interval, and without the rule the other first rounds would wait for ever
    const w = warmPlan(Array.from({ length: 14 }, (): [number, number[]] => [0, [20, 20, 20, 20, 20, 20]]));
    const r = simulateWarm(w, options('disk', { caps: { maxInFlight: 1 }, precopyIntervalSeconds: 601 }));
    expect(r.vms.every((vm) => vm.rounds >= 2)).toBe(true);
    expect(Number.isFinite(r.cutoverSeconds)).toBe(true);
    expect(r.copies.filter((c) => c.round === 1)).toHaveLength(14 * 6);
    expect(r.peakInFlight).toBe(1);
  });
});

interface RunCase {
  plan: Case;
  mode: WarmMode;
  cutover: number | undefined;
  interval: number;
}

describe('simulateWarm over random plans', () => {
  const runs: fc.Arbitrary<RunCase> = fc.record({
    plan: cases,
    mode: fc.constantFrom<WarmMode>('disk', 'forklift'),
    cutover: fc.option(fc.integer({ min: 0, max: 4 * HOUR }), { nil: undefined }),
    interval: fc.integer({ min: 600, max: 2 * HOUR }),
  });
  const simulate = ({ plan, mode, cutover, interval }: RunCase) =>
    simulateWarmScenario(
      { ...plan.scenario, migration: 'warm' },
      options(mode, {
        caps: { maxInFlight: plan.options.maxInFlight, perHost: plan.options.maxInFlightPerHost },
        cutoverAtSeconds: cutover,
        precopyIntervalSeconds: interval,
      }),
    );

  it('never holds more slots than the caps in disk mode: copies, and a disk held while its snapshot is taken', () => {
    fc.assert(
      fc.property(runs, (run) => {
        const r = simulate({ ...run, mode: 'disk' });
        const hostOf = new Map(r.vms.map((vm) => [vm.name, vm.host]));
        const held = [
          ...r.copies.map((c) => ({ host: c.host, start: c.startSeconds, end: c.endSeconds })),
          ...r.vms.flatMap((vm) =>
            vm.rounds === 0
              ? []
              : vm.roundTimes.map((t) => ({
                  host: hostOf.get(vm.name),
                  start: t.startSeconds,
                  end: t.snapshotSeconds,
                })),
          ),
        ];
        const cap = run.plan.options.maxInFlight;
        const perHost = run.plan.options.maxInFlightPerHost ?? Infinity;
        for (const t of new Set(held.map((h) => h.start))) {
          const now = held.filter((h) => h.start <= t && t < h.end);
          expect(now.length, `at ${t} s`).toBeLessThanOrEqual(cap);
          for (const host of run.plan.scenario.hosts) {
            expect(now.filter((h) => h.host === host.name).length, `${host.name} at ${t} s`).toBeLessThanOrEqual(
              perHost,
            );
          }
        }
        expect(r.peakInFlight).toBeLessThanOrEqual(cap);
      }),
      { numRuns: RUNS },
    );
  });

  it('copies every disk whole in round 1, a delta no bigger than the disk after, and cuts every VM over', () => {
    fc.assert(
      fc.property(runs, (run) => {
        const r = simulate(run);
        const sizes = new Map(run.plan.scenario.vms.map((vm) => [vm.name, vm.disks.map((d) => d.size)]));
        for (const c of r.copies) {
          const size = sizes.get(c.vm)?.[c.disk] as number;
          if (c.round === 1 || size === 0) expect(c.bytes).toBe(size);
          else {
            expect(c.bytes).toBeGreaterThanOrEqual(Math.min(size, 16 * Mi));
            expect(c.bytes).toBeLessThanOrEqual(size);
          }
          expect(c.endSeconds).toBeGreaterThanOrEqual(c.startSeconds);
        }
        for (const vm of r.vms) {
          const disks = sizes.get(vm.name)?.length ?? 0;
          expect(vm.rounds).toBe(disks === 0 ? 0 : vm.roundTimes.length);
          if (disks > 0) expect(vm.rounds).toBeGreaterThanOrEqual(2);
          expect(vm.cutoverSeconds).toBeGreaterThanOrEqual(r.cutoverSeconds);
          expect(vm.downtimeSeconds).toBeGreaterThan(0);
          expect(vm.finishedSeconds).toBeLessThanOrEqual(r.makespanSeconds);
          expect(r.copies.filter((c) => c.vm === vm.name).length).toBe(disks * vm.rounds);
        }
        if (run.cutover !== undefined) expect(r.cutoverSeconds).toBe(run.cutover);
        expect(r.cutoverReadySeconds).toBeLessThanOrEqual(r.makespanSeconds);
      }),
      { numRuns: RUNS },
    );
  });

  it('gives the same result for the same input', () => {
    fc.assert(
      fc.property(runs, (run) => {
        expect(simulate(structuredClone(run))).toEqual(simulate(run));
      }),
      { numRuns: 50 },
    );
  });
});
