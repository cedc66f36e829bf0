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

/** `count` in-flight disks of one host with one rate: they always get the same rate. */
export interface FlowGroup extends FlowDemand {
  count: number;
}

const RELATIVE_EPSILON = 1e-12;

/**
 * The rate (bytes/s) each disk of each group gets, in the order given. Filling runs over groups, so its cost
 * depends on how many (host, rate) pairs are in flight, not on how many disks.
 * `hostBandwidth[h]` and `networkBandwidth` are bytes/s, Infinity when uncapped.
 */
export function maxMinGroupRates(
  groups: readonly FlowGroup[],
  hostBandwidth: readonly number[],
  networkBandwidth: number,
): Float64Array {
  const hosts = hostBandwidth.length;
  const levels = new Float64Array(groups.length).fill(-1);
  const hostUsed = new Float64Array(hosts);
  const hostOpen = new Float64Array(hosts);
  const hostFull = new Uint8Array(hosts);
  let open = 0;
  for (const g of groups) {
    hostOpen[g.host] += g.count;
    open += g.count;
  }
  let netUsed = 0;
  let unfrozen = groups.filter((g) => g.count > 0).length;
  groups.forEach((g, i) => {
    if (g.count === 0) levels[i] = g.rate;
  });
  while (unfrozen > 0) {
    // The level at which the next disk or constraint freezes.
    let level = Infinity;
    groups.forEach((g, i) => {
      if (levels[i] < 0 && g.rate < level) level = g.rate;
    });
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
    groups.forEach((g, i) => {
      if (levels[i] >= 0 || !(netFull || hostFull[g.host] || g.rate <= level + slack)) return;
      const rate = Math.min(g.rate, level);
      levels[i] = rate;
      unfrozen--;
      open -= g.count;
      netUsed += rate * g.count;
      hostUsed[g.host] += rate * g.count;
      hostOpen[g.host] -= g.count;
    });
  }
  return levels;
}

/** Each flow's rate (bytes/s), in the order given. */
export function maxMinRates(
  flows: readonly FlowDemand[],
  hostBandwidth: readonly number[],
  networkBandwidth: number,
): Float64Array {
  const groups: FlowGroup[] = [];
  const index = new Map<string, number>();
  const groupOf = flows.map((f) => {
    const key = `${f.host}/${f.rate}`;
    let g = index.get(key);
    if (g === undefined) {
      g = groups.push({ host: f.host, rate: f.rate, count: 0 }) - 1;
      index.set(key, g);
    }
    groups[g].count++;
    return g;
  });
  const levels = maxMinGroupRates(groups, hostBandwidth, networkBandwidth);
  return Float64Array.from(groupOf, (g) => levels[g]);
}
