import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPolicy } from '../src/create-policy.js';
import type { Scenario, SchedulerOptions, Workload } from '../src/model.js';
import type { SimulatedDisk, SimulationResult } from '../src/simulation-result.js';
import { simulateScenario } from '../src/simulator.js';
import { toWorkload } from '../src/workload.js';
import { cases, RUNS } from './arbitrary-plans.js';

const isControllerPolicy = (options: SchedulerOptions) => options.policy === 'legacy' || options.policy === 'forklift';

/** The caps a schedule must hold: run-wide (gang, disk) and per host (all; the controller's policies cap hosts only). */
function capsOf(options: SchedulerOptions): { run: number; host: number } {
  if (isControllerPolicy(options)) return { run: Infinity, host: options.maxInFlightPerHost ?? options.maxInFlight };
  return { run: options.maxInFlight, host: options.maxInFlightPerHost ?? Infinity };
}

/**
 * A set of disks in flight under a cap holds it, or is the documented exception: one VM wider than the cap that
 * started while nothing was in flight under it, alone. `vmOf` names a disk's VM; `width` counts a VM's disks.
 */
function expectWithinCap<D>(
  running: D[],
  cap: number,
  vmOf: (d: D) => string,
  width: (vm: string) => number,
  where: string,
) {
  if (running.length <= cap) return;
  const vms = new Set(running.map(vmOf));
  expect(vms.size, `${running.length} in flight ${where} over cap ${cap}, from VMs ${[...vms]}`).toBe(1);
  const [vm] = vms;
  expect(width(vm), `VM ${vm} runs ${running.length} ${where} over cap ${cap}`).toBeGreaterThan(cap);
}

/** Disks in flight at `t` in a recorded schedule: a disk runs on [start, end); an empty disk never runs. */
const inFlightAt = (disks: SimulatedDisk[], t: number) =>
  disks.filter((d) => d.bytes > 0 && d.startSeconds <= t && t < d.endSeconds);

function widths(scenario: Scenario): (vm: string) => number {
  const byName = new Map(scenario.vms.map((vm) => [vm.name, vm.disks.length]));
  return (vm) => byName.get(vm) ?? 0;
}

function widest(scenario: Scenario): number {
  return Math.max(0, ...scenario.vms.map((vm) => vm.disks.length));
}

describe('engine properties over random plans', () => {
  it('starts every disk once, at a finite time, and ends it at or after its start (empty disks at once)', () => {
    fc.assert(
      fc.property(cases, ({ scenario, options }) => {
        const result = simulateScenario(scenario, options);
        const expected = scenario.vms.flatMap((vm) => vm.disks.map((d, i) => [vm.name, i, d.size]));
        expect(result.disks.map((d) => [d.vm, d.disk, d.bytes])).toEqual(expected);
        for (const d of result.disks) {
          expect(Number.isFinite(d.startSeconds)).toBe(true);
          expect(Number.isFinite(d.endSeconds)).toBe(true);
          expect(d.startSeconds).toBeGreaterThanOrEqual(0);
          if (d.bytes === 0) expect(d.endSeconds).toBe(d.startSeconds);
          else expect(d.endSeconds).toBeGreaterThan(d.startSeconds);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('admits every disk exactly once and drains the queue, whatever order disks finish in', () => {
    fc.assert(
      fc.property(cases, fc.array(fc.nat(), { minLength: 1, maxLength: 20 }), ({ scenario, options }, picks) => {
        const workload: Workload = toWorkload(scenario);
        const policy = createPolicy(workload, options);
        const caps = capsOf(options);
        const vmOf = (d: number) => workload.vms[workload.disks[d].vm].name;
        const width = widths(scenario);
        const admitted = new Array<number>(workload.disks.length).fill(0);
        const running: number[] = [];
        for (let step = 0; ; step++) {
          for (const d of policy.admit()) {
            admitted[d]++;
            running.push(d);
          }
          // The policy's own view: every admitted disk is in flight until it is finished, empty or not.
          expectWithinCap(running, caps.run, vmOf, width, 'in all');
          workload.hosts.forEach((h, i) => {
            const onHost = running.filter((d) => workload.disks[d].host === i);
            expectWithinCap(onHost, caps.host, vmOf, width, `on ${h.name}`);
          });
          if (running.length === 0) break;
          const [done] = running.splice(picks[step % picks.length] % running.length, 1);
          policy.finish(done);
        }
        expect(policy.queuedCount).toBe(0);
        expect(admitted).toEqual(workload.disks.map(() => 1));
      }),
      { numRuns: RUNS },
    );
  });

  it('never runs more disks than the caps allow, but for a VM wider than a cap that starts alone', () => {
    fc.assert(
      fc.property(cases, ({ scenario, options }) => {
        const result: SimulationResult = simulateScenario(scenario, options);
        const caps = capsOf(options);
        const width = widths(scenario);
        const vmOf = (d: SimulatedDisk) => d.vm;
        let peak = 0;
        for (const t of new Set(result.disks.map((d) => d.startSeconds))) {
          const running = inFlightAt(result.disks, t);
          peak = Math.max(peak, running.length);
          expectWithinCap(running, caps.run, vmOf, width, `in all at ${t} s`);
          for (const host of scenario.hosts) {
            const onHost = running.filter((d) => d.host === host.name);
            expectWithinCap(onHost, caps.host, vmOf, width, `on ${host.name} at ${t} s`);
          }
        }
        expect(result.peakInFlight).toBe(peak);
      }),
      { numRuns: RUNS },
    );
  });

  it('never runs more disks than the caps allow under gang and disk in a cold plan, however wide a VM', () => {
    // Nothing forces a cold VM's disks to start together: disk is disk-granular, and gang splits a VM wider than a
    // cap (it takes the whole cap once free, its other disks follow), so neither needs a wide-VM exception.
    const cold = cases.chain(({ scenario, options }) =>
      fc.constantFrom('gang' as const, 'disk' as const).map((policy) => ({
        scenario: { ...scenario, migration: 'cold' as const },
        options: { ...options, policy },
      })),
    );
    fc.assert(
      fc.property(cold, ({ scenario, options }) => {
        const result = simulateScenario(scenario, options);
        const perHost = options.maxInFlightPerHost ?? Infinity;
        for (const t of new Set(result.disks.map((d) => d.startSeconds))) {
          const running = inFlightAt(result.disks, t);
          expect(running.length, `in flight at ${t} s`).toBeLessThanOrEqual(options.maxInFlight);
          for (const host of scenario.hosts) {
            const onHost = running.filter((d) => d.host === host.name).length;
            expect(onHost, `on ${host.name} at ${t} s`).toBeLessThanOrEqual(perHost);
          }
        }
        expect(result.peakInFlight).toBeLessThanOrEqual(options.maxInFlight);
      }),
      { numRuns: RUNS },
    );
  });

  it('starves nothing: every disk ends, and the last end is the makespan', () => {
    fc.assert(
      fc.property(cases, ({ scenario, options }) => {
        const result = simulateScenario(scenario, options);
        const ends = result.disks.map((d) => d.endSeconds);
        for (const end of ends) expect(Number.isFinite(end)).toBe(true);
        expect(result.makespanSeconds).toBe(Math.max(0, ...ends));
        for (const vm of result.vms) {
          expect(Number.isFinite(vm.startSeconds) && Number.isFinite(vm.endSeconds)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('gives the same schedule for the same input', () => {
    fc.assert(
      fc.property(cases, ({ scenario, options }) => {
        const first = simulateScenario(scenario, options);
        const second = simulateScenario(structuredClone(scenario), { ...options });
        expect(second).toEqual(first);
      }),
      { numRuns: RUNS },
    );
  });

  it('never ends before the lower bound when no VM is wider than the caps', () => {
    fc.assert(
      fc.property(cases, ({ scenario, options }) => {
        const caps = capsOf(options);
        fc.pre(widest(scenario) <= Math.min(caps.run, caps.host));
        const result = simulateScenario(scenario, options);
        expect(result.makespanSeconds).toBeGreaterThanOrEqual(result.lowerBoundSeconds * (1 - 1e-9));
      }),
      { numRuns: RUNS },
    );
  });

  it('never ends before the packing bound, however wide a VM, cold or warm', () => {
    fc.assert(
      fc.property(cases, fc.boolean(), ({ scenario, options }, warm) => {
        const run = { ...scenario, migration: warm ? ('warm' as const) : ('cold' as const) };
        const result = simulateScenario(run, options);
        expect(result.makespanSeconds).toBeGreaterThanOrEqual(result.packingBoundSeconds * (1 - 1e-9));
      }),
      { numRuns: RUNS },
    );
  });

  it('starts all disks of a VM at the same instant in a warm plan, under every policy', () => {
    const warm = cases.map(({ scenario, options }) => ({
      scenario: { ...scenario, migration: 'warm' as const },
      options,
    }));
    fc.assert(
      fc.property(warm, ({ scenario, options }) => {
        const result = simulateScenario(scenario, options);
        for (const vm of scenario.vms) {
          const starts = new Set(result.disks.filter((d) => d.vm === vm.name).map((d) => d.startSeconds));
          expect(starts.size, `${vm.name} under ${options.policy}`).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
