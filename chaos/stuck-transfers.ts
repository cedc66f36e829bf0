/**
 * Item 3, stuck transfers: two importers crash-loop (the sandbox's failDisks) and one stops progressing half way
 * (stallDisks). They are the plan's largest disks, so with the cap at 3 they take every slot first: the rest of the
 * plan can only run if each stuck disk's slot is freed. Checks: each is detected within its window (restarts reached
 * or --stuck-after without progress), the run exits 1, the summary and stderr name the three disks and the reason, and
 * their DataVolumes stay in place, annotated.
 */
import { DATAVOLUMES, STUCK_ANNOTATION } from '@kubectl-mtv/sandbox';
import { check, type PartResult } from './checks.js';
import { startCluster, tally } from './cluster.js';
import { type ChaosContext, partRandom, rememberSecrets } from './context.js';
import { startPlugin, summaryOf } from './plugin.js';
import { chaosScenario, diskCount, Gi } from './scenarios.js';

const CAP = 3;
const MAX_RESTARTS = 3;
const STUCK_AFTER_S = 5;
const RUN_TIMEOUT_MS = 300_000;

interface DiskWatch {
  progress?: string;
  /** Wall ms of the last change of status.progress. */
  progressAt?: number;
  /** Wall ms when status.restartCount first reached MAX_RESTARTS. */
  restartsAt?: number;
  /** Wall ms when the stuck annotation appeared. */
  stuckAt?: number;
}

export async function stuckTransfers(ctx: ChaosContext): Promise<PartResult> {
  const started = performance.now();
  const random = partRandom(ctx, 3);
  const scenario = chaosScenario(
    { name: 'chaos-stuck', vms: 10, disksPerVm: 3, hosts: 2, minBytes: 1 * Gi, maxBytes: 4 * Gi, cap: CAP },
    random,
  );
  // the three largest disks, so that they start first and fill the cap
  const failing = ['vm-01/0', 'vm-02/1'];
  const stalling = ['vm-03/2'];
  scenario.vms[0].disks[0].size = 20 * Gi;
  scenario.vms[1].disks[1].size = 21 * Gi;
  scenario.vms[2].disks[2].size = 22 * Gi;
  const expected = new Map([
    ['plan-a-vm-01-disk-0', 'restarts'],
    ['plan-a-vm-02-disk-1', 'restarts'],
    ['plan-a-vm-03-disk-2', 'no progress'],
  ]);
  const cluster = await startCluster(scenario, { speed: 20, failDisks: failing, stallDisks: stalling });
  rememberSecrets(ctx, cluster);
  const watch = new Map<string, DiskWatch>();
  const unsubscribe = cluster.sandbox.store.subscribe((event) => {
    if (event.resource !== DATAVOLUMES || event.type === 'DELETED') return;
    const name = event.object.metadata.name ?? '';
    const seen = watch.get(name) ?? {};
    watch.set(name, seen);
    const status = event.object.status as { progress?: string; restartCount?: number } | undefined;
    if (status?.progress !== undefined && status.progress !== seen.progress) {
      seen.progress = status.progress;
      seen.progressAt = Date.now();
    }
    if ((status?.restartCount ?? 0) >= MAX_RESTARTS) seen.restartsAt ??= Date.now();
    if (event.object.metadata.annotations?.[STUCK_ANNOTATION] !== undefined) seen.stuckAt ??= Date.now();
  });
  try {
    const run = startPlugin(
      cluster.migrateArgs(
        '-o',
        'ndjson',
        '--max-inflight',
        String(CAP),
        '--max-restarts',
        String(MAX_RESTARTS),
        '--stuck-after',
        `${STUCK_AFTER_S}s`,
      ),
      ctx.transcript,
    );
    const timer = setTimeout(() => run.kill9(), RUN_TIMEOUT_MS);
    const end = await run.done;
    clearTimeout(timer);
    const summary = summaryOf(end.stdout);
    const t = tally(cluster);
    const disks = diskCount(scenario);
    const slack = ctx.short ? 10 : 3;
    const delays: string[] = [];
    const late: string[] = [];
    for (const [name, kind] of expected) {
      const seen = watch.get(name) ?? {};
      const from = kind === 'restarts' ? seen.restartsAt : seen.progressAt;
      const window = kind === 'restarts' ? 0 : STUCK_AFTER_S;
      if (from === undefined || seen.stuckAt === undefined) {
        late.push(`${name}: never ${seen.stuckAt === undefined ? 'marked stuck' : 'reached its trigger'}`);
        continue;
      }
      const delay = (seen.stuckAt - from) / 1000;
      delays.push(
        `${name} ${delay.toFixed(1)} s after ${kind === 'restarts' ? `restart ${MAX_RESTARTS}` : 'its last progress'}`,
      );
      if (delay > window + slack || delay < window - 1)
        late.push(`${name}: ${delay.toFixed(1)} s (window ${window} s)`);
    }
    const problems = summary?.problems ?? [];
    const named = [...expected].filter(([name, kind]) =>
      problems.some(
        (p) => p.disk.name === name && p.reason.includes(kind === 'restarts' ? 'restarted' : 'no progress'),
      ),
    );
    const inStderr = [...expected.keys()].filter((name) => end.stderr.includes(name));
    const leftInPlace = [...expected.keys()].filter((name) => {
      const dv = cluster.dataVolumes().find((d) => d.metadata.name === name);
      return dv?.metadata.annotations?.[STUCK_ANNOTATION] !== undefined;
    });
    const afterFirstStuck = Math.min(...[...watch.values()].map((w) => w.stuckAt ?? Number.POSITIVE_INFINITY));
    const startedAfter = cluster.creations.filter((c) => c.at > afterFirstStuck).length;
    return {
      item: 3,
      title: 'Stuck transfers',
      figures: [
        [
          'plan',
          `${disks} disks, cap ${CAP}; crash-looping ${failing.join(', ')}; stalling half way ${stalling.join(', ')}`,
        ],
        ['rules', `--max-restarts ${MAX_RESTARTS}, --stuck-after ${STUCK_AFTER_S}s`],
        ['detected', delays.join('; ') || 'none'],
        [
          'run',
          `exit ${end.code ?? end.signal}, outcome ${summary?.outcome ?? 'none'}, transferred ${summary?.transferred ?? '?'}, stuck ${summary?.stuck ?? '?'}`,
        ],
        ['disks started after the first stuck one', String(startedAfter)],
      ],
      checks: [
        check(
          `detected within the window (+${slack} s)`,
          late.length === 0 && delays.length === 3,
          late.join('; ') || delays.join('; '),
        ),
        check('exit code 1', end.code === 1, `exit ${end.code ?? end.signal}`),
        check(
          'slots freed: every other disk transferred',
          summary?.transferred === disks - 3 && t.notSucceeded === 3 && startedAfter > 0,
          `${summary?.transferred ?? '?'} of ${disks - 3}; ${startedAfter} started after the first stuck`,
        ),
        check(
          'the summary names the 3 disks and the reason',
          named.length === 3 && summary?.stuck === 3,
          `${named.length} named: ${problems.map((p) => `${p.disk.name}: ${p.reason}`).join(' | ')}`,
        ),
        check('stderr names the 3 disks', inStderr.length === 3, `${inStderr.length} named`),
        check(
          'the stuck DataVolumes are left in place, annotated',
          leftInPlace.length === 3 && t.dataVolumes === disks,
          `${leftInPlace.length} annotated, ${t.dataVolumes} DataVolumes`,
        ),
        check('peak in flight never above the cap', t.peak <= CAP, `sandbox imports.peak ${t.peak}, cap ${CAP}`),
      ],
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    unsubscribe();
    await cluster.close();
  }
}
