/**
 * Item 4, exclusivity: one plan, one runner. A second runner on a held plan exits 5 at once, naming the holder and the
 * lease's age; after a kill -9 a plain re-run is refused until the Lease expires and takes it then, and --takeover
 * (same user@host) takes it at once; a runner whose Lease another takes stops admitting (and exits 5, lease-lost),
 * with the cap held across both.
 */

import type { KubeObject } from '@kubectl-mtv/sandbox';
import type { RunEvent } from '../src/runner/run-events.js';
import { type Check, check, type PartResult } from './checks.js';
import { type ChaosCluster, completionChecks, LEASES, startCluster, tally } from './cluster.js';
import { type ChaosContext, partRandom, rememberSecrets, sleep } from './context.js';
import { type PluginRun, startPlugin, summaryOf } from './plugin.js';
import { chaosScenario, diskCount, Gi } from './scenarios.js';

const CAP = 4;
/** The runner's lease renewal period (src/cluster/lease.ts). */
const RENEW_S = 5;
const EVENT_TIMEOUT_MS = 60_000;
const RUN_TIMEOUT_MS = 600_000;

interface LeaseSpec {
  holderIdentity?: string;
  renewTime?: string;
  acquireTime?: string;
  leaseDurationSeconds?: number;
}

const specOf = (lease: KubeObject | undefined) => (lease?.spec ?? {}) as LeaseSpec;
const hasPlan = (events: RunEvent[]) => events.some((e) => e.type === 'plan');
const firstLine = (text: string) => text.trim().split('\n')[0] ?? '';

export async function exclusivity(ctx: ChaosContext): Promise<PartResult> {
  const started = performance.now();
  const random = partRandom(ctx, 4);
  const vms = ctx.short ? 10 : 15;
  const scenario = chaosScenario(
    { name: 'chaos-lease', vms, disksPerVm: 4, hosts: 2, minBytes: 1 * Gi, maxBytes: 3 * Gi, cap: CAP },
    random,
  );
  const cluster = await startCluster(scenario, { speed: 10 });
  rememberSecrets(ctx, cluster);
  const checks: Check[] = [];
  const figures: [string, string][] = [['plan', `${diskCount(scenario)} disks, cap ${CAP}, sandbox at 10x`]];
  const migrate = (...extra: string[]) =>
    startPlugin(cluster.migrateArgs('-o', 'ndjson', '--max-inflight', String(CAP), ...extra), ctx.transcript);
  try {
    // a: A runs; B on the held plan is refused at once, naming A and the lease's age
    const a = migrate();
    await a.waitFor((events) => events.some((e) => e.type === 'started'), EVENT_TIMEOUT_MS);
    const holderA = specOf(cluster.lease()).holderIdentity ?? '?';
    const bStart = performance.now();
    const b = await migrate().done;
    const bSeconds = (performance.now() - bStart) / 1000;
    const bLine = firstLine(b.stderr);
    figures.push(['second runner', `exit ${b.code} after ${bSeconds.toFixed(1)} s: ${bLine}`]);
    checks.push(
      check('a second runner exits 5', b.code === 5, `exit ${b.code}`),
      check(
        'it names the holder and the lease age',
        bLine.includes(`being migrated by ${holderA} `) && /held for \d+(s|m)/.test(bLine),
        bLine,
      ),
      // its own start-up (about a second) and one read of the Lease: no waiting for the Lease
      check('it exits at once (< 10 s)', bSeconds < 10, `${bSeconds.toFixed(1)} s`),
      check(
        'the holder is unchanged',
        specOf(cluster.lease()).holderIdentity === holderA,
        specOf(cluster.lease()).holderIdentity ?? 'none',
      ),
    );

    // b: A dies; a plain re-run is refused while the Lease lives, and takes it once it has expired
    a.kill9();
    await a.done;
    const dead = specOf(cluster.lease());
    const expiresAt = Date.parse(dead.renewTime ?? '') + (dead.leaseDurationSeconds ?? 15) * 1000;
    const c = await migrate().done;
    checks.push(
      check(
        'after kill -9, a plain re-run is refused while the Lease lives',
        c.code === 5,
        `exit ${c.code}: ${firstLine(c.stderr)}`,
      ),
    );
    await sleep(Math.max(0, expiresAt - Date.now() + 200));
    const d = migrate();
    const dTook = await d.waitFor(hasPlan, EVENT_TIMEOUT_MS);
    const dLease = specOf(cluster.lease());
    const dAfterExpiry = (Date.parse(dLease.acquireTime ?? '') - expiresAt) / 1000;
    figures.push(['plain re-run after expiry', `took the Lease ${dAfterExpiry.toFixed(1)} s after it expired`]);
    checks.push(
      check(
        'once expired, a plain re-run takes the Lease',
        dTook && dLease.holderIdentity === holderOf(holderA, d) && dAfterExpiry >= 0,
        `${dLease.holderIdentity}, ${dAfterExpiry.toFixed(1)} s after expiry`,
      ),
    );

    // c: D dies; --takeover from the same user@host takes the live Lease at once
    d.kill9();
    await d.done;
    const live = specOf(cluster.lease());
    const liveUntil = Date.parse(live.renewTime ?? '') + (live.leaseDurationSeconds ?? 15) * 1000;
    const eStart = performance.now();
    const eStartedAt = Date.now();
    const e = migrate('--takeover');
    const eTook = await e.waitFor(hasPlan, EVENT_TIMEOUT_MS);
    const eSeconds = (performance.now() - eStart) / 1000;
    const eLease = specOf(cluster.lease());
    checks.push(
      check(
        '--takeover takes a live Lease at once',
        eTook && eLease.holderIdentity === holderOf(holderA, e) && Date.parse(eLease.acquireTime ?? '') < liveUntil,
        `${eLease.holderIdentity} after ${eSeconds.toFixed(1)} s, ${((liveUntil - Date.parse(eLease.acquireTime ?? '')) / 1000).toFixed(1)} s before the dead run's Lease expired`,
      ),
    );
    const eAcquired = (Date.parse(eLease.acquireTime ?? '') - eStartedAt) / 1000;
    figures.push([
      '--takeover',
      `took the live Lease ${eAcquired.toFixed(1)} s after start; planned ${eSeconds.toFixed(1)} s after start, once the ` +
        'renewal period it waits out had passed',
    ]);

    // d: while E admits, F takes its Lease with --takeover: E stops admitting and exits 5; F finishes the plan
    await e.waitFor(
      (events) => events.some((ev) => ev.type === 'started' && !('adopted' in ev && ev.adopted)),
      EVENT_TIMEOUT_MS,
    );
    const taken = leaseTakenAt(cluster);
    const f = migrate('--takeover');
    const fTimer = setTimeout(() => f.kill9(), RUN_TIMEOUT_MS);
    const eTimer = setTimeout(() => e.kill9(), EVENT_TIMEOUT_MS);
    const eEnd = await e.done;
    clearTimeout(eTimer);
    const takenAt = taken.at();
    taken.stop();
    const eSummary = summaryOf(eEnd.stdout);
    const eStarts = e.events
      .filter((ev): ev is Extract<RunEvent, { type: 'started' }> => ev.type === 'started' && !ev.adopted)
      .map((ev) => Date.parse(ev.time));
    const lastStartAfter = takenAt === undefined ? Number.NaN : (Math.max(...eStarts) - takenAt) / 1000;
    const summaryTime = e.events.find((ev) => ev.type === 'summary')?.time;
    const stoppedAfter =
      takenAt === undefined ? Number.NaN : ((Date.parse(summaryTime ?? '') || Date.now()) - takenAt) / 1000;
    figures.push([
      'runner whose Lease was taken',
      `exit ${eEnd.code}, outcome ${eSummary?.outcome ?? 'none'}; its last admission ${lastStartAfter.toFixed(1)} s after the takeover; it stopped ${stoppedAfter.toFixed(1)} s after`,
    ]);
    checks.push(
      check(
        'a runner whose Lease is taken exits 5 (lease-lost)',
        eEnd.code === 5 && eSummary?.outcome === 'lease-lost',
        `exit ${eEnd.code}, ${eSummary?.outcome}`,
      ),
      check(
        `it stops admitting within one renewal period (${RENEW_S} s + 1 s)`,
        takenAt !== undefined && !(lastStartAfter > RENEW_S + 1),
        `last admission ${lastStartAfter.toFixed(1)} s after the takeover`,
      ),
    );
    const fEnd = await f.done;
    clearTimeout(fTimer);
    checks.push(
      check(
        'the runner that took over completes (exit 0)',
        fEnd.code === 0,
        `exit ${fEnd.code}: ${fEnd.stderr.trim().split('\n').at(-1)}`,
      ),
    );
    checks.push(...completionChecks(tally(cluster), CAP));
    figures.push(['peak in flight (sandbox)', `${tally(cluster).peak} (cap ${CAP})`]);
    return { item: 4, title: 'Exclusivity', figures, checks, seconds: (performance.now() - started) / 1000 };
  } finally {
    await cluster.close();
  }
}

/** The holder identity a run of this user@host writes. */
function holderOf(sample: string, run: PluginRun): string {
  return `${sample.slice(0, sample.lastIndexOf('/'))}/${run.pid}`;
}

/** When the Lease next changes hands (wall ms), as the sandbox's store sees it. */
function leaseTakenAt(cluster: ChaosCluster): { at(): number | undefined; stop(): void } {
  const before = specOf(cluster.lease()).holderIdentity;
  let at: number | undefined;
  const stop = cluster.sandbox.store.subscribe((event) => {
    if (event.resource !== LEASES || at !== undefined) return;
    const holder = specOf(event.object).holderIdentity;
    if (holder !== undefined && holder !== before) at = Date.now();
  });
  return { at: () => at, stop };
}
