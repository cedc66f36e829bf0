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

/**
 * Returns each flow's rate (bytes/s), in the order given.
 * `hostBandwidth[h]` and `networkBandwidth` are bytes/s, Infinity when uncapped.
 */
export function maxMinRates(flows: readonly FlowDemand[], hostBandwidth: readonly number[], networkBandwidth: number) {
  const n = flows.length;
  const rates = new Float64Array(n);
  const frozen = new Uint8Array(n);
  const hostFrozenUse = new Map<number, number>();
  const hostOpen = new Map<number, number>();
  for (const f of flows) hostOpen.set(f.host, (hostOpen.get(f.host) ?? 0) + 1);
  let netFrozenUse = 0;
  let open = n;
  while (open > 0) {
    // The level at which the next disk or constraint freezes.
    let level = Infinity;
    for (let i = 0; i < n; i++) if (!frozen[i] && flows[i].rate < level) level = flows[i].rate;
    for (const [h, count] of hostOpen) {
      if (count > 0) level = Math.min(level, (hostBandwidth[h] - (hostFrozenUse.get(h) ?? 0)) / count);
    }
    const netLevel = (networkBandwidth - netFrozenUse) / open;
    level = Math.max(0, Math.min(level, netLevel));
    const slack = Math.max(level * RELATIVE_EPSILON, Number.MIN_VALUE);
    const netFull = netLevel <= level + slack;
    const fullHosts = new Set<number>();
    for (const [h, count] of hostOpen) {
      if (count > 0 && (hostBandwidth[h] - (hostFrozenUse.get(h) ?? 0)) / count <= level + slack) fullHosts.add(h);
    }
    for (let i = 0; i < n; i++) {
      if (frozen[i]) continue;
      const f = flows[i];
      if (netFull || fullHosts.has(f.host) || f.rate <= level + slack) {
        const r = Math.min(f.rate, level);
        rates[i] = r;
        frozen[i] = 1;
        open--;
        netFrozenUse += r;
        hostFrozenUse.set(f.host, (hostFrozenUse.get(f.host) ?? 0) + r);
        hostOpen.set(f.host, (hostOpen.get(f.host) ?? 0) - 1);
      }
    }
  }
  return rates;
}
