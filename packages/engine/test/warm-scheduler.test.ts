import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderName, Workload } from '../src/model.js';
import type { Caps } from '../src/policy.js';
import {
  type WarmAction,
  type WarmMode,
  WarmScheduler,
  type WarmSettings,
  type WarmVmState,
} from '../src/warm/warm-scheduler.js';
import { toWorkload } from '../src/workload.js';
import { cases, RUNS } from './arbitrary-plans.js';
import { planOf } from './hand-built-plans.js';
import { RandomRun } from './warm-driver.js';

const HOUR = 3600;

function settings(mode: WarmMode, caps: Caps, patch: Partial<WarmSettings> = {}): WarmSettings {
  return { mode, caps, order: 'largest', precopyIntervalSeconds: HOUR, ...patch };
}

/** A warm plan from hand-built VMs ([host, sizes in Gi]), every disk at 100 Mi/s. */
function warmPlan(hosts: string[], vms: [number, number[]][]): Workload {
  return { ...planOf(hosts, vms), migration: 'warm' };
}

/** The actions as short strings: `snap vm-0 r1`, `snap vm-0 r2 final`, `copy vm-0/d3 r1`, `finish vm-0`. */
function said(workload: Workload, actions: WarmAction[]): string[] {
  return actions.map((a) => {
    const vm = workload.vms[a.vm].name;
    if (a.kind === 'finish') return `finish ${vm}`;
    const final = a.final ? ' final' : '';
    if (a.kind === 'snapshot') return `snap ${vm} r${a.round}${final}`;
    return `copy ${vm}/d${a.disk} r${a.round}${final}`;
  });
}

/** Copies every disk of `vm`'s round (its snapshot taken) and ends them at `now`. */
function copyRound(s: WarmScheduler, workload: Workload, vm: number, now: number): void {
  for (const d of workload.vms[vm].disks) s.copyDone(vm, d, now, 1);
}

describe('WarmScheduler over random plans', () => {
  const runs = fc.record({
    plan: cases,
    seed: fc.nat(),
    mode: fc.constantFrom<WarmMode>('disk', 'forklift'),
    cutoverAt: fc.integer({ min: 0, max: 6 * HOUR }),
    interval: fc.integer({ min: 1, max: 2 * HOUR }),
  });

  it('never passes either cap in disk mode, every slot counted from the decisions', () => {
    fc.assert(
      fc.property(runs, ({ plan, seed, cutoverAt, interval }) => {
        const workload = toWorkload({ ...plan.scenario, migration: 'warm' });
        const caps = { maxInFlight: plan.options.maxInFlight, perHost: plan.options.maxInFlightPerHost };
        const run = new RandomRun(
          workload,
          settings('disk', caps, { cutoverAt, precopyIntervalSeconds: interval }),
          seed,
        );
        run.run((_, r) => {
          expect(r.heldInAll).toBeLessThanOrEqual(caps.maxInFlight);
          if (caps.perHost === undefined) return;
          workload.hosts.forEach((_, h) => {
            expect(r.heldOnHost(h), `host ${h}`).toBeLessThanOrEqual(caps.perHost as number);
          });
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('takes every VM through its rounds to the end: round 1, precopies, one final round after the cutover', () => {
    fc.assert(
      fc.property(runs, ({ plan, seed, mode, cutoverAt, interval }) => {
        const workload = toWorkload({ ...plan.scenario, migration: 'warm' });
        const caps = { maxInFlight: plan.options.maxInFlight, perHost: plan.options.maxInFlightPerHost };
        const run = new RandomRun(
          workload,
          settings(mode, caps, { cutoverAt, precopyIntervalSeconds: interval }),
          seed,
        );
        run.run(() => {});
        expect(run.scheduler.inFlightCount).toBe(0);
        workload.vms.forEach((vm, v) => {
          const mine = run.log.filter((a) => a.vm === v);
          const snaps = mine.filter((a) => a.kind === 'snapshot');
          const rounds = snaps.map((a) => a.round);
          const finals = snaps.filter((a) => a.final);
          expect(finals.length, vm.name).toBe(1);
          expect(finals[0].at, vm.name).toBeGreaterThanOrEqual(cutoverAt);
          expect(snaps.at(-1)?.final, vm.name).toBe(true);
          // a VM without disks has nothing to copy: its one snapshot is the final one
          if (vm.disks.length > 0) expect(rounds, vm.name).toEqual(rounds.map((_, i) => i + 1));
          for (const round of rounds) {
            const copied = mine.flatMap((a) => (a.kind === 'copy' && a.round === round ? [a.disk] : []));
            expect(
              copied.sort((a, b) => a - b),
              `${vm.name} round ${round}`,
            ).toEqual(vm.disks);
          }
          expect(mine.filter((a) => a.kind === 'finish').length, vm.name).toBe(1);
          expect(mine.at(-1)?.kind, vm.name).toBe('finish');
          expect(run.scheduler.status(v).phase).toBe('done');
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('starts a VM in forklift mode only when its disks fit under the host cap, or on an idle host', () => {
    fc.assert(
      fc.property(runs, ({ plan, seed, cutoverAt, interval }) => {
        const workload = toWorkload({ ...plan.scenario, migration: 'warm' });
        const caps = { maxInFlight: plan.options.maxInFlight, perHost: plan.options.maxInFlightPerHost };
        const cap = caps.perHost ?? caps.maxInFlight;
        const run = new RandomRun(
          workload,
          settings('forklift', caps, { cutoverAt, precopyIntervalSeconds: interval }),
          seed,
        );
        run.run((action, r) => {
          if (action.kind !== 'snapshot' || action.round !== 1) return;
          const { host, disks } = workload.vms[action.vm];
          const before = r.heldOnHost(host) - disks.length;
          expect(before === 0 || before + disks.length <= cap, `${workload.vms[action.vm].name} at ${before}`).toBe(
            true,
          );
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('decides the same for the same run', () => {
    fc.assert(
      fc.property(runs, ({ plan, seed, mode, cutoverAt }) => {
        const workload = toWorkload({ ...plan.scenario, migration: 'warm' });
        const caps = { maxInFlight: plan.options.maxInFlight, perHost: plan.options.maxInFlightPerHost };
        const logOf = () => {
          const run = new RandomRun(structuredClone(workload), settings(mode, caps, { cutoverAt }), seed);
          run.run(() => {});
          return run.log;
        };
        expect(logOf()).toEqual(logOf());
      }),
      { numRuns: 40 },
    );
  });
});

describe('WarmScheduler in disk mode', () => {
  it('holds one slot for the first disk while the snapshot is taken; the other disks wait for it', () => {
    const w = warmPlan(['esx-01'], [[0, [10, 50, 20]]]);
    const s = new WarmScheduler(w, settings('disk', { maxInFlight: 5 }));
    expect(said(w, s.decide(0))).toEqual(['snap vm-0 r1']);
    expect(s.inFlightCount).toBe(1);
    expect(s.status(0)).toMatchObject({ phase: 'snapshot', copying: 1, waiting: 2 });
    // room under the cap, but no snapshot yet: nothing more
    expect(s.decide(5)).toEqual([]);
    s.snapshotTaken(0);
    // the held disk is the largest; the others follow at once, largest first
    expect(said(w, s.decide(20))).toEqual(['copy vm-0/d1 r1', 'copy vm-0/d2 r1', 'copy vm-0/d0 r1']);
    expect(s.inFlightCount).toBe(3);
  });

  it('lets the disks of another VM take the free slots while a snapshot is taken', () => {
    const w = warmPlan(
      ['esx-01'],
      [
        [0, [10, 50]],
        [0, [30]],
      ],
    );
    const s = new WarmScheduler(w, settings('disk', { maxInFlight: 2 }));
    expect(said(w, s.decide(0))).toEqual(['snap vm-0 r1', 'snap vm-1 r1']);
    s.snapshotTaken(0);
    expect(said(w, s.decide(10))).toEqual(['copy vm-0/d1 r1']);
    expect(s.status(0)).toMatchObject({ phase: 'copying', copying: 1, waiting: 1 });
  });

  it('takes the final round, then the rest of a round, then a due precopy, then a new VM', () => {
    // vm-0 (1 disk) is at its cutover (its precopy was due and found no slot); vm-1 has a disk left of a round whose
    // snapshot exists; vm-2's precopy is due; vm-3 has not started. One slot frees at a time.
    const w = warmPlan(
      ['esx-01'],
      [
        [0, [40]],
        [0, [30, 30]],
        [0, [20]],
        [0, [50]],
      ],
    );
    const s = new WarmScheduler(w, settings('disk', { maxInFlight: 3 }, { order: 'plan' }));
    expect(said(w, s.decide(0))).toEqual(['snap vm-0 r1', 'snap vm-1 r1', 'snap vm-2 r1']);
    for (const vm of [0, 1, 2]) s.snapshotTaken(vm);
    expect(said(w, s.decide(10))).toEqual(['copy vm-0/d0 r1', 'copy vm-1/d1 r1', 'copy vm-2/d3 r1']);
    s.setCaps({ maxInFlight: 1 });
    s.copyDone(0, 0, 50, 40);
    s.copyDone(2, 3, 100, 90);
    expect(s.decide(100)).toEqual([]);
    // both precopies are due, no slot is free; vm-0's cutover comes before a slot does
    expect(said(w, s.decide(100 + HOUR))).toEqual([]);
    expect(s.status(0)).toMatchObject({ round: 2, final: false, waiting: 1 });
    expect(s.status(2)).toMatchObject({ round: 2, final: false, waiting: 1 });

    const order: string[] = [];
    let now = 110 + HOUR;
    s.copyDone(1, 1, now, now - 10);
    for (let step = 0; step < 60 && !s.settled; step++) {
      const actions = s.decide(now);
      order.push(...said(w, actions));
      now += 10;
      // the cutover comes once vm-0's precopy and vm-1's round have been decided
      if (order.some((line) => line.startsWith('copy vm-1/d2 r1'))) s.setCutover(now);
      for (const a of actions) {
        if (a.kind === 'snapshot') s.snapshotTaken(a.vm);
        else if (a.kind === 'copy') s.copyDone(a.vm, a.disk, now, 10);
        else s.vmFinished(a.vm);
      }
    }
    const first = (prefix: string) => order.findIndex((line) => line.startsWith(prefix));
    // the rest of vm-1's round before any due precopy; the larger due precopy (vm-0) first
    expect(first('copy vm-1/d2 r1')).toBeLessThan(first('snap vm-0 r2'));
    expect(first('copy vm-1/d2 r1')).toBeLessThan(first('snap vm-2 r2'));
    // at the cutover the final rounds come before the new VM
    expect(first('snap vm-2 r2 final')).toBeLessThan(first('snap vm-3 r1'));
    expect(first('snap vm-3 r1')).toBeGreaterThanOrEqual(0);
    expect(s.settled).toBe(true);
  });

  it('takes new VMs in cost order (largest first), whatever their plan order', () => {
    const w = warmPlan(
      ['esx-01'],
      [
        [0, [10]],
        [0, [90]],
        [0, [40, 40]],
      ],
    );
    const s = new WarmScheduler(w, settings('disk', { maxInFlight: 3 }));
    expect(said(w, s.decide(0))).toEqual(['snap vm-1 r1', 'snap vm-2 r1', 'snap vm-0 r1']);
  });

  it('holds a per-host cap as well as the run cap', () => {
    const w = warmPlan(
      ['esx-01', 'esx-02'],
      [
        [0, [10]],
        [0, [20]],
        [1, [5]],
      ],
    );
    const s = new WarmScheduler(w, settings('disk', { maxInFlight: 10, perHost: 1 }));
    expect(said(w, s.decide(0))).toEqual(['snap vm-1 r1', 'snap vm-2 r1']);
  });
});

describe('WarmScheduler rounds and cutover', () => {
  it('makes a precopy due an interval after the end of the VM round, not of its first disk', () => {
    const w = warmPlan(['esx-01'], [[0, [10, 20]]]);
    const s = new WarmScheduler(w, settings('disk', { maxInFlight: 5 }));
    s.decide(0);
    s.snapshotTaken(0);
    s.decide(10);
    s.copyDone(0, 0, 100, 90);
    s.copyDone(0, 1, 250, 240);
    expect(s.status(0)).toMatchObject({ phase: 'paused', nextPrecopyAt: 250 + HOUR });
    expect(s.nextWakeAt(300)).toBe(250 + HOUR);
    expect(s.decide(249 + HOUR)).toEqual([]);
    expect(said(w, s.decide(250 + HOUR))).toEqual(['snap vm-0 r2']);
  });

  it('never interrupts a round for the cutover: the final round starts once the round has ended', () => {
    const w = warmPlan(['esx-01'], [[0, [10, 20]]]);
    for (const mode of ['disk', 'forklift'] as const) {
      const s = new WarmScheduler(w, settings(mode, { maxInFlight: 5 }, { cutoverAt: 500 }));
      s.decide(0);
      s.snapshotTaken(0);
      s.decide(10);
      s.copyDone(0, 0, 400, 390);
      expect(s.decide(600), mode).toEqual([]);
      expect(s.nextWakeAt(600), mode).toBeUndefined();
      s.copyDone(0, 1, 700, 690);
      expect(s.nextWakeAt(700), mode).toBe(700);
      expect(said(w, s.decide(700)), mode).toEqual(['snap vm-0 r2 final']);
      s.snapshotTaken(0);
      const copies = said(w, s.decide(720)).sort();
      expect(copies, mode).toEqual(['copy vm-0/d0 r2 final', 'copy vm-0/d1 r2 final']);
      copyRound(s, w, 0, 800);
      expect(said(w, s.decide(800)), mode).toEqual(['finish vm-0']);
      s.vmFinished(0);
      expect(s.settled, mode).toBe(true);
    }
  });

  it('turns a due precopy that found no slot before the cutover into the final round (disk mode)', () => {
    const w = warmPlan(
      ['esx-01'],
      [
        [0, [30]],
        [0, [10]],
      ],
    );
    const s = new WarmScheduler(w, settings('disk', { maxInFlight: 1 }));
    s.decide(0);
    s.snapshotTaken(0);
    s.decide(1);
    s.copyDone(0, 0, 100, 99);
    // vm-1's initial copy takes the slot; vm-0's precopy comes due meanwhile and waits for it
    expect(said(w, s.decide(100))).toEqual(['snap vm-1 r1']);
    s.snapshotTaken(1);
    s.decide(101);
    expect(s.decide(100 + HOUR)).toEqual([]);
    s.setCutover(100 + HOUR + 10);
    s.copyDone(1, 1, 100 + HOUR + 20, 5);
    // the slot frees after the cutover: vm-0 goes straight to its final round, not one more precopy first (and before
    // vm-1's, whose last copy was shorter)
    expect(said(w, s.decide(100 + HOUR + 20))).toEqual(['snap vm-0 r2 final']);
    expect(s.status(0)).toMatchObject({ round: 2, final: true });
  });

  it('copies a VM not started at the cutover once, then cuts it over', () => {
    const w = warmPlan(
      ['esx-01'],
      [
        [0, [30]],
        [0, [10]],
      ],
    );
    for (const mode of ['disk', 'forklift'] as const) {
      const s = new WarmScheduler(w, settings(mode, { maxInFlight: 1 }, { cutoverAt: 0 }));
      expect(said(w, s.decide(0)), mode).toEqual(['snap vm-0 r1']);
      s.snapshotTaken(0);
      s.decide(5);
      s.copyDone(0, 0, 100, 95);
      // vm-0's final round is decided before any new VM: it takes the slot (disk) or the host (forklift)
      expect(said(w, s.decide(100)), mode).toEqual(['snap vm-0 r2 final']);
      s.snapshotTaken(0);
      s.decide(110);
      s.copyDone(0, 0, 120, 10);
      expect(said(w, s.decide(120)), mode).toEqual(['finish vm-0', 'snap vm-1 r1']);
      s.vmFinished(0);
      s.snapshotTaken(1);
      s.decide(130);
      s.copyDone(1, 1, 200, 70);
      expect(said(w, s.decide(200)), mode).toEqual(['snap vm-1 r2 final']);
    }
  });

  it('cuts a VM without disks over with nothing to copy, in both modes', () => {
    const w = warmPlan(
      ['esx-01'],
      [
        [0, []],
        [0, [10]],
      ],
    );
    for (const mode of ['disk', 'forklift'] as const) {
      const s = new WarmScheduler(w, settings(mode, { maxInFlight: 2 }, { cutoverAt: 1000 }));
      expect(said(w, s.decide(0)), mode).toEqual(['snap vm-1 r1']);
      expect(s.status(0), mode).toMatchObject({ phase: 'paused', round: 1 });
      expect(s.nextWakeAt(0), mode).toBe(1000);
      expect(said(w, s.decide(1000)), mode).toEqual(['snap vm-0 r2 final']);
      expect(s.inFlightCount, mode).toBe(1);
      s.snapshotTaken(0);
      expect(said(w, s.decide(1010)), mode).toEqual(['finish vm-0']);
      s.vmFinished(0);
      expect(s.status(0).phase, mode).toBe('done');
    }
  });
});

describe('WarmScheduler in forklift mode', () => {
  it('starts VMs in plan order when host cost + disks fits the cap, or on an idle host, whatever the order setting', () => {
    // esx-01 cap 4: vm-0 (3) starts, vm-1 (2) does not fit, vm-2 (1) does; esx-02 is idle: vm-3 (6 > 4) starts
    const w = warmPlan(
      ['esx-01', 'esx-02'],
      [
        [0, [1, 1, 1]],
        [0, [90, 90]],
        [0, [1]],
        [1, [1, 1, 1, 1, 1, 1]],
      ],
    );
    const s = new WarmScheduler(w, settings('forklift', { maxInFlight: 4 }, { order: 'largest' as OrderName }));
    expect(said(w, s.decide(0))).toEqual(['snap vm-0 r1', 'snap vm-2 r1', 'snap vm-3 r1']);
    expect(s.inFlightCount).toBe(10);
    expect(s.status(1).phase).toBe('queued');
    s.snapshotTaken(0);
    // a started VM copies all its disks together
    expect(said(w, s.decide(10))).toEqual(['copy vm-0/d0 r1', 'copy vm-0/d1 r1', 'copy vm-0/d2 r1']);
  });

  it('charges a paused VM nothing, and runs later rounds whatever the cap', () => {
    const w = warmPlan(
      ['esx-01'],
      [
        [0, [1, 1, 1]],
        [0, [9, 9]],
        [0, [1]],
      ],
    );
    const s = new WarmScheduler(w, settings('forklift', { maxInFlight: 4 }));
    expect(said(w, s.decide(0))).toEqual(['snap vm-0 r1', 'snap vm-2 r1']);
    s.snapshotTaken(0);
    s.decide(10);
    copyRound(s, w, 0, 100);
    // vm-0 paused costs 0: vm-1 (2) fits next to vm-2 (1)
    expect(said(w, s.decide(100))).toEqual(['snap vm-1 r1']);
    expect(s.inFlightCount).toBe(3);
    // vm-0's precopy is due: its 3 disks are charged although the host is at 3/4
    expect(said(w, s.decide(100 + HOUR))).toEqual(['snap vm-0 r2']);
    expect(s.inFlightCount).toBe(6);
    s.snapshotTaken(0);
    expect(said(w, s.decide(110 + HOUR))).toHaveLength(3);
  });

  it('frees the host of a VM whose snapshot failed', () => {
    const w = warmPlan(
      ['esx-01'],
      [
        [0, [1, 1, 1]],
        [0, [1, 1, 1]],
      ],
    );
    const s = new WarmScheduler(w, settings('forklift', { maxInFlight: 3 }));
    expect(said(w, s.decide(0))).toEqual(['snap vm-0 r1']);
    s.vmFailed(0);
    expect(s.inFlightCount).toBe(0);
    expect(said(w, s.decide(5))).toEqual(['snap vm-1 r1']);
  });

  it('hands out no copy of a VM that failed after its snapshot was taken', () => {
    const w = warmPlan(['esx-01'], [[0, [1, 1]]]);
    for (const mode of ['disk', 'forklift'] as const) {
      const s = new WarmScheduler(w, settings(mode, { maxInFlight: 3 }));
      s.decide(0);
      s.snapshotTaken(0);
      s.vmFailed(0);
      expect(s.decide(5), mode).toEqual([]);
      expect(s.inFlightCount, mode).toBe(0);
      expect(s.settled, mode).toBe(true);
    }
  });
});

describe('WarmScheduler.adopt (a re-run finds the state in the cluster)', () => {
  const w = warmPlan(
    ['esx-01'],
    [
      [0, [10, 20, 30]],
      [0, [5]],
    ],
  );
  const base: WarmVmState = { round: 1, final: false, snapshotTaken: true, copied: [], copying: [] };

  it.each<[string, WarmMode, WarmVmState, string[], Record<string, unknown>]>([
    ['a VM not started stays queued', 'disk', { ...base, round: 0 }, ['snap vm-0 r1', 'snap vm-1 r1'], {}],
    ['a finished VM is done', 'disk', { ...base, round: 3, final: true, finished: true }, ['snap vm-1 r1'], {}],
    [
      'a round with its snapshot: the disks neither copied nor copying go on',
      'disk',
      { ...base, copied: [0], copying: [1] },
      ['copy vm-0/d2 r1', 'snap vm-1 r1'],
      { phase: 'copying', copied: 1, copying: 2 },
    ],
    [
      'a round without its snapshot: the snapshot again, one disk holding its slot',
      'disk',
      { ...base, round: 2, snapshotTaken: false },
      ['snap vm-0 r2', 'snap vm-1 r1'],
      { phase: 'snapshot', copying: 1, waiting: 2 },
    ],
    [
      'a copied round: paused until an interval after its end',
      'disk',
      { ...base, round: 2, copied: [0, 1, 2], roundEndedAt: 500 },
      ['snap vm-1 r1'],
      { phase: 'paused', nextPrecopyAt: 500 + HOUR },
    ],
    [
      'a copied final round: the VM is finished',
      'disk',
      { ...base, round: 4, final: true, copied: [0, 1, 2] },
      ['finish vm-0', 'snap vm-1 r1'],
      { phase: 'finishing' },
    ],
    [
      'forklift: a started round copies every disk left, all charged',
      'forklift',
      { ...base, copied: [0], copying: [1] },
      ['copy vm-0/d2 r1', 'snap vm-1 r1'],
      { phase: 'copying', copying: 2 },
    ],
    [
      'forklift: a final round without its snapshot takes it again',
      'forklift',
      { ...base, round: 3, final: true, snapshotTaken: false },
      ['snap vm-0 r3 final', 'snap vm-1 r1'],
      { phase: 'cutting-over', copying: 3 },
    ],
  ])('%s', (_title, mode, state, actions, status) => {
    const s = new WarmScheduler(w, settings(mode, { maxInFlight: 10 }));
    s.adopt(0, state);
    expect(said(w, s.decide(1000))).toEqual(actions);
    expect(s.status(0)).toMatchObject(status);
  });

  it('counts adopted copies against the cap in disk mode', () => {
    const s = new WarmScheduler(w, settings('disk', { maxInFlight: 2 }));
    s.adopt(0, { ...base, copying: [0, 1] });
    expect(s.inFlightCount).toBe(2);
    expect(s.decide(0)).toEqual([]);
    s.copyDone(0, 0, 50, 50);
    expect(said(w, s.decide(50))).toEqual(['copy vm-0/d2 r1']);
  });
});
