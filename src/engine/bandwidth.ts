/**
 * The bandwidth model, shared by simulate, the sandbox and the checks: max-min fair rates by progressive filling.
 * Every in-flight disk moves at most its own rate; the disks of a host share the host's bandwidth; all disks share
 * the network bandwidth. All unfrozen disks rise together; a disk freezes at its own rate, and every disk of a
 * constraint freezes the moment that constraint is full.
 */

/** One in-flight disk as the model sees it. */
export interface FlowDemand {
  /** Bytes/s the disk's importer reaches on its own. */
  rate: number;
  /** Index into the host bandwidth array. */
  host: number;
}

const RELATIVE_EPSILON = 1e-12;

/** Disks with the same host and rate always get the same rate: the filling runs over such groups. */
interface Group {
  host: number;
  rate: number;
  count: number;
  /** The group's rate once frozen, else -1. */
  level: number;
}

function groupsOf(flows: readonly FlowDemand[]): { groups: Group[]; groupOf: Int32Array } {
  const groups: Group[] = [];
  const byHost = new Map<number, Map<number, number>>();
  const groupOf = new Int32Array(flows.length);
  flows.forEach((f, i) => {
    let rates = byHost.get(f.host);
    if (!rates) {
      rates = new Map();
      byHost.set(f.host, rates);
    }
    let g = rates.get(f.rate);
    if (g === undefined) {
      g = groups.length;
      rates.set(f.rate, g);
      groups.push({ host: f.host, rate: f.rate, count: 0, level: -1 });
    }
    groups[g].count++;
    groupOf[i] = g;
  });
  return { groups, groupOf };
}

/**
 * Returns each flow's rate (bytes/s), in the order given.
 * `hostBandwidth[h]` and `networkBandwidth` are bytes/s, Infinity when uncapped.
 */
export function maxMinRates(flows: readonly FlowDemand[], hostBandwidth: readonly number[], networkBandwidth: number) {
  const { groups, groupOf } = groupsOf(flows);
  const hosts = hostBandwidth.length;
  const hostUsed = new Float64Array(hosts);
  const hostOpen = new Int32Array(hosts);
  const hostFull = new Uint8Array(hosts);
  for (const g of groups) hostOpen[g.host] += g.count;
  let netUsed = 0;
  let open = flows.length;
  while (open > 0) {
    // The level at which the next disk or constraint freezes.
    let level = Infinity;
    for (const g of groups) if (g.level < 0 && g.rate < level) level = g.rate;
    for (let h = 0; h < hosts; h++) {
      if (hostOpen[h] > 0) level = Math.min(level, (hostBandwidth[h] - hostUsed[h]) / hostOpen[h]);
    }
    const netLevel = (networkBandwidth - netUsed) / open;
    level = Math.max(0, Math.min(level, netLevel));
    const slack = Math.max(level * RELATIVE_EPSILON, Number.MIN_VALUE);
    const netFull = netLevel <= level + slack;
    for (let h = 0; h < hosts; h++) {
      hostFull[h] = hostOpen[h] > 0 && (hostBandwidth[h] - hostUsed[h]) / hostOpen[h] <= level + slack ? 1 : 0;
    }
    for (const g of groups) {
      if (g.level >= 0 || !(netFull || hostFull[g.host] || g.rate <= level + slack)) continue;
      g.level = Math.min(g.rate, level);
      open -= g.count;
      netUsed += g.level * g.count;
      hostUsed[g.host] += g.level * g.count;
      hostOpen[g.host] -= g.count;
    }
  }
  const rates = new Float64Array(flows.length);
  for (let i = 0; i < flows.length; i++) rates[i] = groups[groupOf[i]].level;
  return rates;
}
