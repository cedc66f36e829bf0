/**
 * Item 2, API faults: the sandbox answers 5% of resource requests 429, 500, 503 or a reset connection (seeded), cuts
 * every watch after 50 events, and answers every second watch that resumes from a resourceVersion with 410 Expired
 * (a compacted history): a run must still copy every disk once, under the cap, and exit 0. Two runs: faults from the
 * first request (start-up included: plan resolution, access reviews, the Lease), and faults from the first
 * DataVolume created (the run itself), so that a failure says which phase does not survive them.
 */
import { DATAVOLUMES } from '@kubectl-mtv/sandbox';
import { type Check, check, type PartResult } from './checks.js';
import { completionChecks, startCluster, tally } from './cluster.js';
import { type ChaosContext, partRandom, rememberSecrets } from './context.js';
import { startPlugin, summaryOf } from './plugin.js';
import { chaosScenario, diskCount, Gi } from './scenarios.js';

const RUN_TIMEOUT_MS = 600_000;
const FAULT_RATE = 0.05;
const WATCH_DROP_EVERY = 50;
const EXPIRE_RESUME_EVERY = 2;

type FaultsFrom = 'the first request' | 'the first DataVolume create';

export async function apiFaults(ctx: ChaosContext): Promise<PartResult> {
  const started = performance.now();
  const random = partRandom(ctx, 2);
  const figures: [string, string][] = [];
  const checks: Check[] = [];
  for (const from of ['the first request', 'the first DataVolume create'] as FaultsFrom[]) {
    const one = await faultRun(ctx, random, from);
    figures.push(...one.figures.map(([k, v]): [string, string] => [`faults from ${from}: ${k}`, v]));
    checks.push(...one.checks.map((c) => ({ ...c, name: `faults from ${from}: ${c.name}` })));
  }
  return { item: 2, title: 'API faults', figures, checks, seconds: (performance.now() - started) / 1000 };
}

async function faultRun(
  ctx: ChaosContext,
  random: () => number,
  from: FaultsFrom,
): Promise<{ figures: [string, string][]; checks: Check[] }> {
  const shape = ctx.short
    ? { vms: 10, disksPerVm: 4, cap: 5, speed: 40 }
    : { vms: 50, disksPerVm: 4, cap: 10, speed: 40 };
  const scenario = chaosScenario(
    { name: 'chaos-faults', hosts: 4, minBytes: 1 * Gi, maxBytes: 8 * Gi, ...shape },
    random,
  );
  const faultSeed = Math.floor(random() * 2 ** 31);
  const cluster = await startCluster(scenario, {
    speed: shape.speed,
    faults: {
      rate: FAULT_RATE,
      seed: faultSeed,
      watchDropEvery: WATCH_DROP_EVERY,
      expireResumeEvery: EXPIRE_RESUME_EVERY,
      startDisabled: from !== 'the first request',
    },
  });
  rememberSecrets(ctx, cluster);
  const unsubscribe = cluster.sandbox.store.subscribe((event) => {
    if (event.resource === DATAVOLUMES && event.type === 'ADDED') cluster.sandbox.setFaultsEnabled(true);
  });
  try {
    const run = startPlugin(cluster.migrateArgs('-o', 'ndjson', '--max-inflight', String(shape.cap)), ctx.transcript);
    const timer = setTimeout(() => run.kill9(), RUN_TIMEOUT_MS);
    const end = await run.done;
    clearTimeout(timer);
    const summary = summaryOf(end.stdout);
    const t = tally(cluster);
    const stats = cluster.sandbox.stats();
    const { faults } = stats;
    const disks = diskCount(scenario);
    return {
      figures: [
        ['plan', `${disks} disks, cap ${shape.cap}, sandbox at ${shape.speed}x, fault seed ${faultSeed}`],
        [
          'faults injected',
          `${faults.injected} of ${stats.requests.total} requests (${Object.entries(faults.byKind)
            .map(([kind, n]) => `${kind}: ${n}`)
            .join(', ')}); ${faults.watchesDropped} watches cut; ${faults.resumesExpired} resumes answered 410 Expired`,
        ],
        [
          'run',
          `exit ${end.code ?? end.signal}, outcome ${summary?.outcome ?? 'none'}${end.code ? `: ${end.stderr.trim().split('\n').at(-1)}` : ''}`,
        ],
        ['peak in flight (sandbox)', `${t.peak} (cap ${shape.cap})`],
      ],
      checks: [
        check(
          'the run completes (exit 0)',
          end.code === 0 && summary?.outcome === 'completed',
          `exit ${end.code ?? end.signal}${end.code ? `: ${end.stderr.trim().split('\n').at(-1)}` : ''}`,
        ),
        // the kinds take turns, so four faults or more cover them all
        check(
          'faults were injected, of every kind once there were four',
          faults.injected > 0 && (faults.injected < 4 || Object.values(faults.byKind).every((n) => n > 0)),
          JSON.stringify(faults.byKind),
        ),
        check(
          'watches were cut and a resume got 410 Expired',
          faults.watchesDropped > 0 && faults.resumesExpired > 0,
          `${faults.watchesDropped} cut, ${faults.resumesExpired} answered 410`,
        ),
        ...completionChecks(t, shape.cap),
      ],
    };
  } finally {
    unsubscribe();
    await cluster.close();
  }
}
