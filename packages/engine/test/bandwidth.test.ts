import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FlowDemand, maxMinRates } from '../src/bandwidth.js';

/** Relative slack for "a constraint is full" and "two rates are equal". */
const TIGHT = 1e-9;

const flow = (rate: number, host = 0): FlowDemand => ({ rate, host });

describe('maxMinRates', () => {
  it.each([
    {
      title: 'gives every disk its own rate when nothing is capped',
      flows: [flow(50), flow(100), flow(200)],
      hosts: [Infinity],
      network: Infinity,
      rates: [50, 100, 200],
    },
    {
      title: 'splits a host of 280 evenly over ten disks of 100: 28 each',
      flows: Array.from({ length: 10 }, () => flow(100)),
      hosts: [280],
      network: Infinity,
      rates: Array.from({ length: 10 }, () => 28),
    },
    {
      title: 'fills progressively: 50, 100 and 200 on a host of 300 get 50, 100 and 150',
      flows: [flow(50), flow(100), flow(200)],
      hosts: [300],
      network: Infinity,
      rates: [50, 100, 150],
    },
    {
      title: 'keeps the given order of flows in the answer',
      flows: [flow(200), flow(50), flow(100)],
      hosts: [300],
      network: Infinity,
      rates: [150, 50, 100],
    },
    {
      title:
        'lets a network of 300 bind across two hosts: a host of 100 keeps 50 a disk, the uncapped one gets the rest',
      flows: [flow(200, 0), flow(200, 0), flow(200, 1), flow(200, 1)],
      hosts: [100, Infinity],
      network: 300,
      rates: [50, 50, 100, 100],
    },
    {
      title: 'shares a binding network evenly over two uncapped hosts',
      flows: [flow(100, 0), flow(100, 0), flow(100, 1), flow(100, 1)],
      hosts: [Infinity, Infinity],
      network: 300,
      rates: [75, 75, 75, 75],
    },
    {
      title: 'freezes a host at 90 (30 a disk) before the network of 200 binds the other host at 55 a disk',
      flows: [flow(100, 0), flow(100, 0), flow(100, 0), flow(100, 1), flow(100, 1)],
      hosts: [90, Infinity],
      network: 200,
      rates: [30, 30, 30, 55, 55],
    },
    {
      title: 'binds a host while the network still has room',
      flows: [flow(100, 0), flow(100, 0), flow(100, 0), flow(100, 1)],
      hosts: [60, Infinity],
      network: 1000,
      rates: [20, 20, 20, 100],
    },
    {
      title: 'gives a slow disk its own rate on a full host and the fast ones the rest',
      flows: [flow(10, 0), flow(1000, 0), flow(1000, 0)],
      hosts: [210],
      network: Infinity,
      rates: [10, 100, 100],
    },
    {
      title: 'answers nothing for no flows',
      flows: [],
      hosts: [100],
      network: 100,
      rates: [],
    },
  ])('$title', ({ flows, hosts, network, rates }) => {
    const got = Array.from(maxMinRates(flows, hosts, network));
    expect(got).toHaveLength(rates.length);
    got.forEach((r, i) => {
      expect(r).toBeCloseTo(rates[i], 9);
    });
  });

  // Rates and bandwidths in whole units, scaled by a unit that makes them non-integers (bytes/s of a third of a Mi).
  const scenario = fc
    .tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom(1, 2 ** 20 / 3, 0.001))
    .chain(([hostCount, unit]) =>
      fc
        .record({
          hosts: fc.array(fc.option(fc.integer({ min: 1, max: 2000 }), { nil: Infinity }), {
            minLength: hostCount,
            maxLength: hostCount,
          }),
          network: fc.option(fc.integer({ min: 1, max: 4000 }), { nil: Infinity }),
          flows: fc.array(
            fc.record({ rate: fc.integer({ min: 1, max: 1000 }), host: fc.integer({ min: 0, max: hostCount - 1 }) }),
            { minLength: 0, maxLength: 16 },
          ),
        })
        .map(({ hosts, network, flows }) => ({
          hosts: hosts.map((b) => b * unit),
          network: network * unit,
          flows: flows.map((f) => ({ rate: f.rate * unit, host: f.host })),
        })),
    );

  /** The constraints a flow belongs to: its host and the network, with what each may carry. */
  function constraintsOf(flows: readonly FlowDemand[], hosts: readonly number[], network: number) {
    const members = [
      ...hosts.map((capacity, h) => ({
        capacity,
        flows: flows.flatMap((f, i) => (f.host === h ? [i] : [])),
      })),
      { capacity: network, flows: flows.map((_, i) => i) },
    ];
    return members;
  }

  it('never gives a disk more than its own rate, nor a negative rate', () => {
    fc.assert(
      fc.property(scenario, ({ hosts, network, flows }) => {
        const rates = maxMinRates(flows, hosts, network);
        flows.forEach((f, i) => {
          expect(rates[i]).toBeGreaterThanOrEqual(0);
          expect(rates[i]).toBeLessThanOrEqual(f.rate * (1 + TIGHT));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('never puts more through a host or the network than it carries', () => {
    fc.assert(
      fc.property(scenario, ({ hosts, network, flows }) => {
        const rates = maxMinRates(flows, hosts, network);
        for (const c of constraintsOf(flows, hosts, network)) {
          const used = c.flows.reduce((s, i) => s + rates[i], 0);
          expect(used).toBeLessThanOrEqual(c.capacity * (1 + TIGHT));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is max-min fair: a disk below its own rate sits in a full constraint where no disk gets more', () => {
    fc.assert(
      fc.property(scenario, ({ hosts, network, flows }) => {
        const rates = maxMinRates(flows, hosts, network);
        const constraints = constraintsOf(flows, hosts, network);
        flows.forEach((f, i) => {
          if (rates[i] >= f.rate * (1 - TIGHT)) return;
          const bottleneck = constraints.find((c) => {
            if (!c.flows.includes(i)) return false;
            const used = c.flows.reduce((s, j) => s + rates[j], 0);
            const full = used >= c.capacity * (1 - TIGHT);
            const largest = c.flows.every((j) => rates[j] <= rates[i] * (1 + TIGHT));
            return full && largest;
          });
          expect(bottleneck, `disk ${i} at ${rates[i]} of ${f.rate} has no bottleneck`).toBeDefined();
        });
      }),
      { numRuns: 300 },
    );
  });
});
