import { describe, expect, it } from 'vitest';
import { DEFAULT_ADAPTIVE_SETTINGS } from '../src/adaptive/adaptive-admission.js';
import { type BlindOptions, type BlindResult, blindView, simulateBlind } from '../src/adaptive/blind-simulator.js';
import { maxMinRates } from '../src/bandwidth.js';
import type { Scenario, SchedulerOptions, Workload } from '../src/model.js';
import type { Timeline } from '../src/run-schedule.js';
import { simulateWorkload } from '../src/simulator.js';
import { toWorkload } from '../src/workload.js';
import { Gi, Mi } from './hand-built-plans.js';

/** The runner's view before it measures: importers assumed at 100 MiB/s, CDI publishing every 2 s. */
const BLIND: BlindOptions = { planningRate: 100 * Mi, publishSeconds: 2 };

/** One host of 300 MiB/s, importers of 100 MiB/s, cap 20: 25 VMs of 20-60 Gi, then a VM of 1.5 Ti last in plan order. */
const oneHost: Scenario = {
  name: 'one-host-late-huge',
  migration: 'cold',
  maxInFlight: 20,
  diskRate: 100 * Mi,
  hosts: [{ name: 'esx-01', bandwidth: 300 * Mi }],
  vms: [
    ...Array.from({ length: 25 }, (_, v) => ({
      name: `small-${v}`,
      host: 'esx-01',
      disks: [{ size: (20 + (v % 5) * 10) * Gi }],
    })),
    { name: 'huge', host: 'esx-01', disks: [{ size: 1536 * Gi }] },
  ],
};

/** Three saturating hosts (300, 250, 200 MiB/s), two-disk VMs of skewed sizes, a big disk last on each, empty disks. */
const threeHosts: Scenario = {
  name: 'three-hosts',
  migration: 'cold',
  maxInFlight: 20,
  diskRate: 100 * Mi,
  hosts: [300, 250, 200].map((bandwidth, h) => ({ name: `esx-0${h + 1}`, bandwidth: bandwidth * Mi })),
  vms: [0, 1, 2].flatMap((h) => [
    ...Array.from({ length: 12 }, (_, v) => ({
      name: `vm-${h}-${v}`,
      host: `esx-0${h + 1}`,
      disks: [{ size: (10 + ((v * 7 + h * 3) % 9) * 15) * Gi }, { size: (v === 5 ? 0 : 5) * Gi }],
    })),
    { name: `big-${h}`, host: `esx-0${h + 1}`, disks: [{ size: (300 + 100 * h) * Gi }] },
  ]),
};

const disk = (maxInFlight: number, maxInFlightPerHost?: number): SchedulerOptions => ({
  policy: 'disk',
  maxInFlight,
  maxInFlightPerHost,
  order: 'largest',
});

const relative = (actual: number, expected: number) => Math.abs(actual - expected) / expected;

/**
 * Replays a timeline against the bandwidth model: between two starts or ends every disk in flight moves at its
 * max-min rate. Returns the bytes each disk moved while the timeline had it in flight.
 */
function replayedBytes(truth: Workload, timeline: Timeline): number[] {
  const times = [...new Set([...timeline.start, ...timeline.end])].sort((a, b) => a - b);
  const moved = truth.disks.map(() => 0);
  for (let i = 0; i + 1 < times.length; i++) {
    const [from, to] = [times[i], times[i + 1]];
    const running = truth.disks.filter((d) => timeline.start[d.id] <= from && from < timeline.end[d.id]);
    const rates = maxMinRates(
      running.map((d) => ({ host: d.host, rate: d.rate })),
      truth.hosts.map((h) => h.bandwidth),
      truth.networkBandwidth,
    );
    running.forEach((d, j) => {
      moved[d.id] += rates[j] * (to - from);
    });
  }
  return moved;
}

/** Most disks in flight at one instant, over all and per host: a disk runs on [start, end). */
function peaks(truth: Workload, timeline: Timeline): { all: number; host: number[] } {
  const running = truth.disks.filter((d) => timeline.end[d.id] > timeline.start[d.id]);
  const host = truth.hosts.map(() => 0);
  let all = 0;
  for (const d of running) {
    const t = timeline.start[d.id];
    const now = running.filter((e) => timeline.start[e.id] <= t && t < timeline.end[e.id]);
    all = Math.max(all, now.length);
    host[d.host] = Math.max(host[d.host], now.filter((e) => e.host === d.host).length);
  }
  return { all, host };
}

/** Every disk ran once, from its start to its end, and copied exactly its bytes under the bandwidth model. */
function expectEveryDiskCopiedOnce(truth: Workload, result: BlindResult) {
  const moved = replayedBytes(truth, result);
  for (const d of truth.disks) {
    expect(Number.isFinite(result.start[d.id]), `disk ${d.id} started`).toBe(true);
    expect(Number.isFinite(result.end[d.id]), `disk ${d.id} ended`).toBe(true);
    if (d.bytes === 0) expect(result.end[d.id]).toBe(result.start[d.id]);
    else expect(result.end[d.id]).toBeGreaterThan(result.start[d.id]);
    // a finish is applied within a millisecond of the exact instant: at most 100 MiB/s x 1 ms short
    expect(Math.abs(moved[d.id] - d.bytes), `bytes of disk ${d.id}`).toBeLessThanOrEqual(d.rate * 0.001 + 1);
  }
  expect(result.makespan).toBe(Math.max(...result.end));
}

describe('simulateBlind on one saturating host with a huge disk', () => {
  const truth = toWorkload(oneHost);
  const options = disk(20);
  const blind = simulateBlind(truth, options, BLIND);
  const clairvoyant = simulateWorkload(truth, options);
  const capped = simulateBlind(truth, options, { ...BLIND, adaptive: false });
  const huge = truth.disks.length - 1;

  it('copies every disk exactly once, under the bandwidth model', () => {
    expectEveryDiskCopiedOnce(truth, blind);
    expectEveryDiskCopiedOnce(truth, capped);
  });

  it('learns the host’s bandwidth within 10% and holds it at 3-4 transfers', () => {
    const [host] = blind.learned.hosts;
    expect(host.name).toBe('esx-01');
    expect(relative(host.bandwidth as number, 300 * Mi)).toBeLessThan(0.1);
    expect(host.limit).toBeGreaterThanOrEqual(3);
    expect(host.limit).toBeLessThanOrEqual(4);
    expect(relative(blind.learned.diskRate as number, 100 * Mi)).toBeLessThan(0.1);
    // in the first minutes, and planned with
    expect(blind.learnedAt['esx-01']).toBeGreaterThan(0);
    expect(blind.learnedAt['esx-01']).toBeLessThan(300);
    expect(blind.replans).toBeGreaterThanOrEqual(1);
  });

  it('never runs more disks than the cap, nor more on the host than its limit and one probe', () => {
    const seen = peaks(truth, blind);
    expect(blind.peakInFlight).toBe(seen.all);
    expect(seen.all).toBeLessThanOrEqual(20);
    expect(seen.host[0]).toBeLessThanOrEqual(blind.learned.hosts[0].limit + 1);
    // where it never probes, the limit it settled at is the most it ever ran
    const settled = simulateBlind(truth, options, {
      ...BLIND,
      settings: { ...DEFAULT_ADAPTIVE_SETTINGS, reprobeSeconds: Infinity },
    });
    expect(peaks(truth, settled).host[0]).toBeLessThanOrEqual(settled.learned.hosts[0].limit);
    expect(peaks(truth, settled).host[0]).toBeGreaterThanOrEqual(3);
  });

  it('ends within 5% of the clairvoyant disk schedule, knowing no bandwidth', () => {
    expect(blind.makespan).toBeGreaterThanOrEqual(clairvoyant.lowerBoundSeconds * (1 - 1e-9));
    expect(blind.makespan / clairvoyant.makespanSeconds).toBeLessThan(1.05);
    // the huge disk copies at nearly its own rate all along
    expect(blind.end[huge] - blind.start[huge]).toBeLessThan((1.05 * truth.disks[huge].bytes) / (100 * Mi));
  });

  it('is clearly worse admitting up to the cap: the huge disk shares the host with 19 others', () => {
    expect(capped.peakInFlight).toBe(20);
    expect(capped.learned).toEqual({ hosts: [], diskRate: null });
    expect(capped.replans).toBe(0);
    expect(capped.learnedAt).toEqual({});
    expect(capped.makespan / clairvoyant.makespanSeconds).toBeGreaterThan(1.15);
    expect(capped.makespan / blind.makespan).toBeGreaterThan(1.1);
    // its first minutes at a twentieth of the host: 15 MiB/s
    const early = Math.min(...truth.disks.slice(0, -1).map((d) => capped.end[d.id]));
    expect(capped.start[huge]).toBe(0);
    expect(replayedBytes(truth, { ...capped, end: capped.end.map((e) => Math.min(e, early)) })[huge]).toBeCloseTo(
      15 * Mi * early,
      -3,
    );
  });

  it('is deterministic: the same input gives the same run', () => {
    expect(simulateBlind(truth, options, BLIND)).toEqual(blind);
    expect(simulateBlind(truth, options, { ...BLIND, adaptive: false })).toEqual(capped);
  });
});

describe('simulateBlind on three saturating hosts', () => {
  const truth = toWorkload(threeHosts);
  const blind = simulateBlind(truth, disk(20), BLIND);

  it('copies every disk exactly once, the empty one included', () => {
    expect(truth.disks.some((d) => d.bytes === 0)).toBe(true);
    expectEveryDiskCopiedOnce(truth, blind);
  });

  it('learns each host’s bandwidth within 10%', () => {
    expect(blind.learned.hosts.map((h) => h.name)).toEqual(['esx-01', 'esx-02', 'esx-03']);
    blind.learned.hosts.forEach((h, i) => {
      expect(h.bandwidth, h.name).not.toBeNull();
      expect(relative(h.bandwidth as number, truth.hosts[i].bandwidth), h.name).toBeLessThan(0.1);
      expect(blind.learnedAt[h.name], h.name).toBeGreaterThan(0);
    });
  });

  it('holds the run cap, and each host its limit and one probe', () => {
    const seen = peaks(truth, blind);
    expect(blind.peakInFlight).toBe(seen.all);
    expect(seen.all).toBeLessThanOrEqual(20);
    seen.host.forEach((n, h) => {
      expect(n, truth.hosts[h].name).toBeLessThanOrEqual(blind.learned.hosts[h].limit + 1);
    });
  });

  // caps under which the hosts' limits (4, 3 and 2 or 3) all fit
  it.each([12, 16, 20, 24, 30])('ends within 1.05 x the clairvoyant disk schedule under a cap of %i', (cap) => {
    const result = cap === 20 ? blind : simulateBlind(truth, disk(cap), BLIND);
    const clairvoyant = simulateWorkload(truth, disk(cap));
    expect(result.makespan / clairvoyant.makespanSeconds).toBeLessThan(1.05);
    // every host saturated, and was learned, within the first minutes
    for (const h of truth.hosts) expect(result.learnedAt[h.name], h.name).toBeLessThan(300);
  });

  it('holds a per-host cap below what a host could learn', () => {
    const result = simulateBlind(truth, disk(20, 2), BLIND);
    expectEveryDiskCopiedOnce(truth, result);
    for (const n of peaks(truth, result).host) expect(n).toBeLessThanOrEqual(2);
  });

  it('is deterministic', () => {
    expect(simulateBlind(truth, disk(20), BLIND)).toEqual(blind);
  });
});

describe('blindView', () => {
  it('uncaps the hosts and the network and gives every disk the assumed rate, keeping the rest', () => {
    const truth = toWorkload({ ...threeHosts, networkBandwidth: 500 * Mi });
    const view = blindView(truth, 80 * Mi);
    expect(view.hosts.map((h) => [h.name, h.bandwidth])).toEqual(truth.hosts.map((h) => [h.name, Infinity]));
    expect(view.networkBandwidth).toBe(Infinity);
    expect(view.disks).toEqual(truth.disks.map((d) => ({ ...d, rate: 80 * Mi })));
    expect(view.vms).toEqual(truth.vms);
    // the truth is left as it was
    expect(truth.hosts[0].bandwidth).toBe(300 * Mi);
  });
});
