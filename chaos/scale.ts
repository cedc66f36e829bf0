/**
 * Item 7, scale: a 10,000-disk, 2,000-VM plan (1,000 disks with --short) run to the end by one runner, its peak RSS
 * and CPU taken from inside the process on exit (chaos/usage-probe.mjs), and what it cost the API server and the
 * inventory per disk. Lease traffic is counted apart: renewals, and status publications (the runner writes its view
 * into its Lease about once a second for `top`), told apart by whether the write changed the status annotation.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STATUS_ANNOTATION } from '../src/cluster/lease.js';
import { check, type PartResult } from './checks.js';
import { completionChecks, LEASES, startCluster, tally } from './cluster.js';
import { type ChaosContext, partRandom, rememberSecrets } from './context.js';
import { startPlugin, summaryOf } from './plugin.js';
import { chaosScenario, diskCount, Gi } from './scenarios.js';

/** The issue's goal: < 250 MB (10^6 bytes, so 238 MiB). */
const RSS_GOAL_BYTES = 250e6;
const REQUESTS_PER_DISK_GOAL = 1.3;
const RUN_TIMEOUT_MS = 1_200_000;
const probe = fileURLToPath(new URL('./usage-probe.mjs', import.meta.url));

export async function scale(ctx: ChaosContext): Promise<PartResult> {
  const started = performance.now();
  const random = partRandom(ctx, 7);
  const shape = ctx.short
    ? { vms: 200, disksPerVm: 5, cap: 50, speed: 100 }
    : { vms: 2000, disksPerVm: 5, cap: 100, speed: 200 };
  const scenario = chaosScenario(
    { name: 'chaos-scale', hosts: 8, minBytes: 2 * Gi, maxBytes: 6 * Gi, ...shape },
    random,
  );
  const disks = diskCount(scenario);
  const cluster = await startCluster(scenario, { speed: shape.speed });
  rememberSecrets(ctx, cluster);
  // Lease writes: renewals and status publications, told apart by the status annotation changing
  // and the longest wait between two of them as the API server saw it (the Lease is given up after 10 s without one)
  const leaseWrites = { publications: 0, renewals: 0, longestGapMs: 0 };
  let lastStatus: string | undefined;
  let lastWriteAt: number | undefined;
  const unsubscribe = cluster.sandbox.store.subscribe((event) => {
    if (event.resource !== LEASES || event.type === 'DELETED') return;
    const at = performance.now();
    if (lastWriteAt !== undefined) leaseWrites.longestGapMs = Math.max(leaseWrites.longestGapMs, at - lastWriteAt);
    lastWriteAt = at;
    if (event.type !== 'MODIFIED') return;
    const status = event.object.metadata.annotations?.[STATUS_ANNOTATION];
    if (status !== lastStatus) leaseWrites.publications++;
    else leaseWrites.renewals++;
    lastStatus = status;
  });
  const usageFile = join(cluster.dir, 'usage.json');
  try {
    const before = cluster.sandbox.stats().requests;
    const inventoryBefore = cluster.sandbox.inventoryRequests();
    const wall = performance.now();
    const run = startPlugin(cluster.migrateArgs('-o', 'json', '--max-inflight', String(shape.cap)), ctx.transcript, {
      nodeArgs: ['--expose-gc', '--import', probe],
      env: { CHAOS_USAGE_FILE: usageFile },
      parseEvents: false,
    });
    const timer = setTimeout(() => run.kill9(), RUN_TIMEOUT_MS);
    const end = await run.done;
    clearTimeout(timer);
    const seconds = (performance.now() - wall) / 1000;
    const summary = summaryOf(end.stdout);
    const after = cluster.sandbox.stats().requests;
    const leaseRequests = (after.byResource[LEASES] ?? 0) - (before.byResource[LEASES] ?? 0);
    const api = after.total - before.total - leaseRequests;
    const inventory = cluster.sandbox.inventoryRequests() - inventoryBefore;
    const perDisk = (api + inventory) / disks;
    const usage = existsSync(usageFile)
      ? (JSON.parse(readFileSync(usageFile, 'utf8')) as {
          maxRSS: number;
          userCPUTime: number;
          systemCPUTime: number;
          peakHeapUsed: number;
          peakHeapTotal: number;
          retainedHeap: number;
        })
      : undefined;
    const rss = usage ? usage.maxRSS * 1024 : Number.NaN;
    const cpu = usage ? (usage.userCPUTime + usage.systemCPUTime) / 1e6 : Number.NaN;
    const t = tally(cluster);
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
    const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
    const verbs = Object.entries(after.byVerb)
      .map(([verb, n]) => `${verb} ${n - (before.byVerb[verb] ?? 0)}`)
      .join(', ');
    return {
      item: 7,
      title: 'Scale',
      figures: [
        [
          'plan',
          `${disks} disks on ${scenario.vms.length} VMs, ${scenario.hosts.length} hosts, cap ${shape.cap}, sandbox at ${shape.speed}x`,
        ],
        [
          'run',
          `exit ${end.code ?? end.signal}, outcome ${summary?.outcome ?? 'none'}, ${summary?.transferred ?? '?'} transferred, ${seconds.toFixed(1)} s wall`,
        ],
        [
          'runner peak RSS',
          usage
            ? `${mb(rss)} = ${mib(rss)} (V8 heap at most ${mib(usage.peakHeapUsed)} used of ${mib(usage.peakHeapTotal)}, sampled every 250 ms; ${mib(usage.retainedHeap)} still held at exit after a full GC)`
            : 'not measured',
        ],
        ['admission rate', `${(disks / seconds).toFixed(0)} disks/s over the run`],
        [
          'runner CPU',
          usage
            ? `${cpu.toFixed(1)} s (user ${(usage.userCPUTime / 1e6).toFixed(1)} s, system ${(usage.systemCPUTime / 1e6).toFixed(1)} s), ${((cpu / seconds) * 100).toFixed(0)}% of one core over the run`
            : 'not measured',
        ],
        ['API requests (Leases aside)', `${api} (${verbs}; Lease requests included in the verbs)`],
        ['inventory requests', String(inventory)],
        ['requests per disk', perDisk.toFixed(3)],
        [
          'Lease requests',
          `${leaseRequests}: ${leaseWrites.renewals} renewals, ${leaseWrites.publications} status publications, ${leaseRequests - leaseWrites.renewals - leaseWrites.publications} other (create, watch, delete)`,
        ],
        [
          'longest wait between Lease writes',
          `${(leaseWrites.longestGapMs / 1000).toFixed(1)} s (as the API server stored them; renewals are due every 5 s, the Lease is given up after 10 s without one)`,
        ],
        ['peak in flight (sandbox)', `${t.peak} (cap ${shape.cap})`],
      ],
      // the goal's figure on a line of its own, as the issue asks for it
      lines: usage ? [`runner peak RSS ${mb(rss)}`] : [],
      checks: [
        check(
          'the run completes (exit 0)',
          end.code === 0 && summary?.transferred === disks,
          `exit ${end.code ?? end.signal}, ${summary?.transferred ?? '?'}/${disks}${end.code ? `: ${failureLines(end.stderr)}` : ''}`,
        ),
        check(
          `peak RSS < ${mb(RSS_GOAL_BYTES)}`,
          rss < RSS_GOAL_BYTES,
          usage ? `${mb(rss)} (${mib(rss)})` : 'not measured',
        ),
        check(
          `< ${REQUESTS_PER_DISK_GOAL} API requests per disk (Leases aside)`,
          perDisk < REQUESTS_PER_DISK_GOAL,
          perDisk.toFixed(3),
        ),
        ...completionChecks(t, shape.cap),
      ],
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    unsubscribe();
    await cluster.close();
  }
}

/** A failed run's warnings (why a Lease was lost, say) and its last line, from its stderr. */
function failureLines(stderr: string): string {
  const lines = stderr.trim().split('\n');
  const warnings = lines.filter((line) => / warning: /.test(` ${line}`)).slice(-3);
  return [...warnings, lines.at(-1)].join(' / ');
}
