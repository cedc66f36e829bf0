import { describe, expect, it } from 'vitest';
import {
  AdaptiveAdmission,
  type AdaptiveChange,
  DEFAULT_ADAPTIVE_SETTINGS,
  type Learned,
} from '../src/adaptive/adaptive-admission.js';
import { blindView } from '../src/adaptive/blind-simulator.js';
import type { Workload } from '../src/model.js';
import { Gi, Mi } from './hand-built-plans.js';

/** The rate every made-up importer copies at, and the rate the runner assumes before it measures. */
const DISK_RATE = 100 * Mi;
const PLANNING_RATE = 80 * Mi;

/** `count` one-disk VMs per host, of 20-50 Gi (so that they finish at different times), hosts capped as given. */
function truthOf(bandwidths: Record<string, number>, count: number): Workload {
  const names = Object.keys(bandwidths);
  const workload: Workload = {
    migration: 'cold',
    hosts: names.map((name) => ({ name, bandwidth: bandwidths[name] })),
    vms: [],
    disks: [],
    networkBandwidth: Infinity,
  };
  for (let i = 0; i < count; i++) {
    names.forEach((_, host) => {
      const id = workload.disks.length;
      const bytes = (20 + ((i * 7 + host * 3) % 11) * 3) * Gi;
      workload.disks.push({ id, vm: workload.vms.length, index: 0, host, bytes, rate: DISK_RATE });
      workload.vms.push({ name: `vm-${id}`, host, disks: [id] });
    });
  }
  return workload;
}

interface Step {
  t: number;
  change: AdaptiveChange;
  learned: Learned;
  /** The host bandwidths re-planned with at this step (the driver re-plans whenever asked), if it re-planned. */
  planned?: number[];
}

/**
 * A hand-run copy of `truth` in steps of one second: each host shares its bandwidth evenly among its disks in flight
 * (max-min with one disk rate), each disk publishes whole percents every `publish` seconds, and each host starts its
 * disks in plan order up to the limit the admission gives it. Stops after `seconds`, or when `stop` says so. With
 * `replan`, takes the planning workload whenever a re-plan is asked for, as the runner does.
 */
function drive(
  truth: Workload,
  admission: AdaptiveAdmission,
  seconds: number,
  stop: (step: Step) => boolean = () => false,
  replan = false,
  publish = 2,
): Step[] {
  const queue = truth.hosts.map((_, h) => truth.disks.filter((d) => d.host === h).map((d) => d.id));
  const copied = new Map<number, number>();
  const steps: Step[] = [];
  const admit = () => {
    const caps = admission.hostCaps();
    truth.hosts.forEach((_, h) => {
      while (queue[h].length > 0 && [...copied.keys()].filter((d) => truth.disks[d].host === h).length < caps[h]) {
        const d = queue[h].shift() as number;
        copied.set(d, 0);
        admission.started(d);
      }
    });
  };
  admit();
  for (let t = 1; t <= seconds; t++) {
    const inFlight = truth.hosts.map((_, h) => [...copied.keys()].filter((d) => truth.disks[d].host === h).length);
    for (const [d, bytes] of [...copied]) {
      const { host } = truth.disks[d];
      const rate = Math.min(DISK_RATE, truth.hosts[host].bandwidth / inFlight[host]);
      const now = bytes + rate;
      const size = truth.disks[d].bytes;
      if (now >= size) {
        copied.delete(d);
        admission.left(d, t);
        continue;
      }
      copied.set(d, now);
      if (t % publish === 0) admission.progress(d, t, Math.floor((100 * now) / size) / 100);
    }
    const counts = truth.hosts.map((_, h) => [...copied.keys()].filter((d) => truth.disks[d].host === h).length);
    const change = admission.update(
      t,
      counts,
      queue.map((q) => q.length > 0),
    );
    const step: Step = { t, change, learned: admission.learned() };
    if (change.replan && replan) step.planned = admission.planningWorkload().hosts.map((h) => h.bandwidth);
    steps.push(step);
    if (stop(step)) break;
    admit();
  }
  return steps;
}

/** Relative distance of `value` from `target`. */
const off = (value: number | null, target: number) => Math.abs((value ?? Number.NaN) - target) / target;

describe('AdaptiveAdmission on a made-up host of 300 MiB/s with importers of 100 MiB/s', () => {
  const truth = truthOf({ 'esx-01': 300 * Mi }, 40);
  const view = blindView(truth, PLANNING_RATE);

  it('climbs to 3-4 transfers and learns the host’s bandwidth within a few percent', () => {
    const admission = new AdaptiveAdmission(view);
    const steps = drive(truth, admission, 1200);
    const host = admission.learned().hosts[0];
    expect(host.phase).toBe('holding');
    expect(host.limit).toBeGreaterThanOrEqual(3);
    expect(host.limit).toBeLessThanOrEqual(4);
    expect(admission.hostCaps()).toEqual([host.limit]);
    expect(off(host.bandwidth, 300 * Mi)).toBeLessThan(0.05);
    // it started at `initial` and went up one transfer at a time
    const limits = [2, ...steps.map((s) => s.learned.hosts[0].limit)].filter(
      (l, i, all) => i === 0 || l !== all[i - 1],
    );
    expect(limits.slice(0, 2)).toEqual([2, 3]);
    for (let i = 1; i < limits.length; i++) expect(Math.abs(limits[i] - limits[i - 1])).toBe(1);
    // and learned it within the first few minutes
    const known = steps.find((s) => s.learned.hosts[0].bandwidth !== null);
    expect(known?.t).toBeLessThan(300);
  });

  it('asks for a re-plan once the bandwidth is known, not before (the importers’ rate alone changes no order)', () => {
    const admission = new AdaptiveAdmission(view);
    const steps = drive(truth, admission, 1200, (s) => s.change.replan);
    const last = steps.at(-1) as Step;
    expect(last.change.replan).toBe(true);
    expect(last.learned.hosts[0].bandwidth).not.toBeNull();
    const before = steps.slice(0, -1);
    expect(before.every((s) => !s.change.replan && s.learned.hosts[0].bandwidth === null)).toBe(true);
    // the importers' rate was known well before, and asked for nothing
    expect(before.some((s) => s.learned.diskRate !== null)).toBe(true);
    // and the limit moved meanwhile, which is told apart from a re-plan
    expect(before.some((s) => s.change.limits)).toBe(true);
  });

  it('plans the rest with the learned bandwidth and rate, and asks again only when they move', () => {
    const admission = new AdaptiveAdmission(view);
    const untouched = admission.planningWorkload();
    expect(untouched.hosts[0].bandwidth).toBe(Infinity);
    expect(untouched.disks.every((d) => d.rate === PLANNING_RATE)).toBe(true);

    drive(truth, admission, 1200, (s) => s.change.replan);
    const planned = admission.planningWorkload();
    const learned = admission.learned();
    expect(planned.hosts[0]).toEqual({ name: 'esx-01', bandwidth: learned.hosts[0].bandwidth });
    // the first figure, from the first periods at the plateau, is rough; it is the one planned with
    expect(off(planned.hosts[0].bandwidth, 300 * Mi)).toBeLessThan(0.1);
    expect(off(learned.diskRate, DISK_RATE)).toBeLessThan(0.05);
    expect(planned.disks.every((d) => d.rate === learned.diskRate)).toBe(true);
    // what the plan is made of is the run's own view otherwise
    expect(planned.vms).toEqual(view.vms);
    expect(planned.disks.map((d) => d.bytes)).toEqual(view.disks.map((d) => d.bytes));
    expect(planned.networkBandwidth).toBe(view.networkBandwidth);

    // planned with: the steady copy after it moves neither figure by a tenth (no probe within 900 s)
    const after = drive(truth, admission, 600);
    expect(after.some((s) => s.change.replan)).toBe(false);
  });
});

describe('AdaptiveAdmission: when a level counts as measured', () => {
  /**
   * Two 20 GiB disks on one host at 100 MiB/s each (a percent every 2 s), read every 2 s for `seconds`, each reading
   * stamped `late(t)` s late; what the host's level measured at the end.
   */
  function twoDisks(
    settings = DEFAULT_ADAPTIVE_SETTINGS,
    late: (t: number, disk: number) => number = () => 0,
    seconds = 24,
  ) {
    const truth = truthOf({ 'esx-01': 1000 * Mi }, 2);
    for (const d of truth.disks) d.bytes = 20 * Gi;
    const admission = new AdaptiveAdmission(blindView(truth, PLANNING_RATE), settings);
    admission.started(0);
    admission.started(1);
    admission.update(0, [2], [false]);
    for (let t = 2; t <= seconds; t += 2) {
      for (const d of [0, 1]) {
        const at = t + late(t, d);
        admission.progress(d, at, Math.floor((100 * DISK_RATE * t) / (20 * Gi)) / 100);
      }
      admission.update(t + 0.9, [2], [false]);
    }
    return admission.learned().hosts[0].throughput;
  }

  it('measures a level read promptly at the rate of its disks', () => {
    expect(off(twoDisks(), 2 * DISK_RATE)).toBeLessThan(0.05);
  });

  it('waits for more readings while the line through them is uncertain (its error above maxError)', () => {
    // every other reading of each disk stamped 0.6 s late
    const jitter = (t: number, d: number) => ((t / 2 + d) % 2 === 0 ? 0.6 : 0);
    // 12 s of prompt readings measure the level; the same 12 s read late by turns do not, unless any error is allowed
    expect(
      off(
        twoDisks(DEFAULT_ADAPTIVE_SETTINGS, () => 0, 12),
        2 * DISK_RATE,
      ),
    ).toBeLessThan(0.05);
    expect(twoDisks(DEFAULT_ADAPTIVE_SETTINGS, jitter, 12)).toBeNull();
    expect(twoDisks({ ...DEFAULT_ADAPTIVE_SETTINGS, maxError: 1 }, jitter, 12)).not.toBeNull();
    // more readings narrow the line: by 16 s the late ones are measured too, close to the truth
    expect(off(twoDisks(DEFAULT_ADAPTIVE_SETTINGS, jitter, 16), 2 * DISK_RATE)).toBeLessThan(0.05);
  });

  it('does not measure a level over less than minSpanSeconds of the clock', () => {
    expect(twoDisks({ ...DEFAULT_ADAPTIVE_SETTINGS, minSpanSeconds: 30 })).toBeNull();
    expect(twoDisks({ ...DEFAULT_ADAPTIVE_SETTINGS, minSpanSeconds: 30 }, () => 0, 40)).not.toBeNull();
  });
});

describe('AdaptiveAdmission with several hosts', () => {
  // the second host is listed first alphabetically: limits go by host index, not by name
  const truth = truthOf({ 'esx-b': 300 * Mi, 'esx-a': 200 * Mi }, 30);
  const view = blindView(truth, PLANNING_RATE);

  it('learns each host on its own and gives the limits by host index', () => {
    const admission = new AdaptiveAdmission(view);
    drive(truth, admission, 1200);
    const learned = admission.learned();
    expect(learned.hosts.map((h) => h.name)).toEqual(['esx-b', 'esx-a']);
    expect(admission.hostCaps()).toEqual(learned.hosts.map((h) => h.limit));
    expect(learned.hosts[0].limit).toBeGreaterThan(learned.hosts[1].limit);
    expect(learned.hosts[1].limit).toBeGreaterThanOrEqual(2);
    expect(learned.hosts[1].limit).toBeLessThanOrEqual(3);
    expect(off(learned.hosts[0].bandwidth, 300 * Mi)).toBeLessThan(0.05);
    expect(off(learned.hosts[1].bandwidth, 200 * Mi)).toBeLessThan(0.05);
    const planned = admission.planningWorkload();
    expect(planned.hosts.map((h) => h.bandwidth)).toEqual(learned.hosts.map((h) => h.bandwidth));
  });

  it('reports what it learned: per host its limit, phase, bandwidth, last throughput and transfers in flight', () => {
    const admission = new AdaptiveAdmission(view);
    expect(admission.learned()).toEqual({
      hosts: [
        { name: 'esx-b', limit: 2, phase: 'climbing', bandwidth: null, throughput: null, inFlight: 0 },
        { name: 'esx-a', limit: 2, phase: 'climbing', bandwidth: null, throughput: null, inFlight: 0 },
      ],
      diskRate: null,
    });
    // up to the first move of a limit: a host measured at two transfers, two importers at full speed
    const steps = drive(truth, admission, 600, (s) => s.change.limits);
    const now = steps.at(-1) as Step;
    const moved = now.learned.hosts.find((h) => h.limit === 3);
    expect(moved).toMatchObject({ phase: 'climbing', bandwidth: null, inFlight: 2 });
    expect(off(moved?.throughput ?? null, 2 * DISK_RATE)).toBeLessThan(0.05);
    expect(now.learned.hosts.filter((h) => h.limit === 2)).toHaveLength(1);
    expect(off(now.learned.diskRate, DISK_RATE)).toBeLessThan(0.05);
    // and the reports follow the host: in flight is what the last update was told
    expect(admission.update(now.t + 1, [1, 0], [true, true]).limits).toBe(false);
    expect(admission.learned().hosts.map((h) => h.inFlight)).toEqual([1, 0]);
  });

  it('starts from what an earlier run learned: its limits, bandwidths and rate, planned with from the start', () => {
    const known = { hosts: { 'esx-a': { limit: 3, bandwidth: 210 * Mi } }, diskRate: 95 * Mi };
    const admission = new AdaptiveAdmission(view, DEFAULT_ADAPTIVE_SETTINGS, known);
    expect(admission.hostCaps()).toEqual([2, 3]);
    expect(admission.learned()).toEqual({
      hosts: [
        { name: 'esx-b', limit: 2, phase: 'climbing', bandwidth: null, throughput: null, inFlight: 0 },
        { name: 'esx-a', limit: 3, phase: 'holding', bandwidth: 210 * Mi, throughput: null, inFlight: 0 },
      ],
      diskRate: 95 * Mi,
    });
    // the first plan is made with it, so nothing is due before anything is measured
    const planned = admission.planningWorkload();
    expect(planned.hosts.map((h) => h.bandwidth)).toEqual([Infinity, 210 * Mi]);
    expect(planned.disks.every((d) => d.rate === 95 * Mi)).toBe(true);
    expect(admission.update(1, [0, 0], [true, true])).toEqual({ limits: false, replan: false });
    // unplanned, a remembered bandwidth is a reason to plan
    const fresh = new AdaptiveAdmission(view, DEFAULT_ADAPTIVE_SETTINGS, known);
    expect(fresh.update(1, [0, 0], [true, true]).replan).toBe(true);
  });

  it('plans a probed host uncapped until it settles again, never with the plateau it has climbed past', () => {
    // an earlier run saw esx-b at 2 transfers and 200 MiB/s; it now does 300, and probes after a minute
    const known = { hosts: { 'esx-b': { limit: 2, bandwidth: 200 * Mi } } };
    const settings = { ...DEFAULT_ADAPTIVE_SETTINGS, reprobeSeconds: 60 };
    const admission = new AdaptiveAdmission(view, settings, known);
    expect(admission.planningWorkload().hosts[0].bandwidth).toBe(200 * Mi);
    const steps = drive(truth, admission, 600, () => false, true);
    const planned = steps.flatMap((s) => (s.planned ? [s.planned[0]] : []));
    const probe = planned.indexOf(Infinity);
    expect(probe).toBeGreaterThanOrEqual(0);
    expect(planned.slice(0, probe).every((b) => off(b, 200 * Mi) < 0.1)).toBe(true);
    // after the probe: uncapped while it climbs, then what it settles at; 200 MiB/s never again
    const after = planned.slice(probe).filter((b) => b !== Infinity);
    expect(after.length).toBeGreaterThan(0);
    for (const b of after) expect(off(b, 300 * Mi)).toBeLessThan(0.1);
    const host = admission.learned().hosts[0];
    expect(host.limit).toBeGreaterThanOrEqual(3);
    expect(off(host.bandwidth, 300 * Mi)).toBeLessThan(0.1);
  });
});
