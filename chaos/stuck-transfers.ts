/**
 * Item 3, stuck transfers: two importers crash-loop (the sandbox's failDisks) and one stops progressing half way
 * (stallDisks). They are the plan's largest disks, so with the cap at 3 they take every slot first. A crash-looping
 * importer is taken out of the cap (stuck, annotated); the stalled one's importer still runs, so it is reported
 * (`alert`, stalled) and keeps its slot: the rest of the plan runs through the two freed slots. Checks: each is
 * detected within its window, every other disk is copied while the stalled one holds its slot, the sandbox never has
 * more than the cap importing, the crash-looping DataVolumes stay in place annotated, the stalled one unannotated;
 * the run, waiting on the stalled disk, is ended by Ctrl-C (exit 130) and its summary counts it in flight.
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
  // the disks' files as the sandbox's inventory names them (vSphere's vm.vmdk, vm_1.vmdk, ...): DataVolume names are
  // MTV's generateName <plan>-<vm id>-xxxxx, found from the backing file once the run has made them
  const crashing = ['vm-01/vm-01.vmdk', 'vm-02/vm-02_1.vmdk'];
  const stallingFile = 'vm-03/vm-03_2.vmdk';
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
    const disks = diskCount(scenario);
    // every other disk copied (or stuck): only the stalled one is left, holding its slot; Ctrl-C ends the wait
    const othersDone = await run.waitFor(
      (events) => events.filter((e) => e.type === 'finished' || e.type === 'stuck').length >= disks - 1,
      RUN_TIMEOUT_MS,
    );
    run.child.kill('SIGINT');
    const end = await run.done;
    clearTimeout(timer);
    const summary = summaryOf(end.stdout);
    const nameOf = (file: string) =>
      cluster
        .dataVolumes()
        .find((dv) =>
          ((dv.spec as { source?: { vddk?: { backingFile?: string } } }).source?.vddk?.backingFile ?? '').endsWith(
            file,
          ),
        )?.metadata.name ?? file;
    const expected = new Map(crashing.map((file) => [nameOf(file), 'restarts']));
    const stalled = nameOf(stallingFile);
    const t = tally(cluster);
    const slack = ctx.short ? 10 : 3;
    const delays: string[] = [];
    const late: string[] = [];
    for (const [name] of expected) {
      const seen = watch.get(name) ?? {};
      if (seen.restartsAt === undefined || seen.stuckAt === undefined) {
        late.push(`${name}: never ${seen.stuckAt === undefined ? 'marked stuck' : 'reached its trigger'}`);
        continue;
      }
      const delay = (seen.stuckAt - seen.restartsAt) / 1000;
      delays.push(`${name} ${delay.toFixed(1)} s after restart ${MAX_RESTARTS}`);
      if (delay > slack) late.push(`${name}: ${delay.toFixed(1)} s (window 0 s)`);
    }
    const alert = run.events.find((e) => e.type === 'alert' && e.kind === 'stalled' && e.disk.name === stalled);
    const lastProgress = watch.get(stalled)?.progressAt;
    const alertDelay = alert && lastProgress !== undefined ? (Date.parse(alert.time) - lastProgress) / 1000 : undefined;
    if (alertDelay === undefined) late.push(`${stalled}: never reported stalled`);
    else delays.push(`${stalled} reported stalled ${alertDelay.toFixed(1)} s after its last progress`);
    const problems = summary?.problems ?? [];
    const named = [...expected.keys()].filter((name) =>
      problems.some((p) => p.disk.name === name && p.reason.includes('restarted')),
    );
    const inStderr = [...expected.keys(), stalled].filter((name) => end.stderr.includes(name));
    const annotated = (name: string) =>
      cluster.dataVolumes().find((d) => d.metadata.name === name)?.metadata.annotations?.[STUCK_ANNOTATION] !==
      undefined;
    const leftInPlace = [...expected.keys()].filter(annotated);
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
          `Ctrl-C once the others were done: exit ${end.code ?? end.signal}, outcome ${summary?.outcome ?? 'none'}, transferred ${summary?.transferred ?? '?'}, stuck ${summary?.stuck ?? '?'}, in flight ${summary?.inFlight ?? '?'}`,
        ],
        ['disks started after the first stuck one', String(startedAfter)],
      ],
      checks: [
        check(
          `detected: crash loops at once (+${slack} s), the stall at or after --stuck-after`,
          late.length === 0 && alertDelay !== undefined && alertDelay >= STUCK_AFTER_S - 1,
          late.join('; ') || delays.join('; '),
        ),
        check(
          'slots of crash loops freed, the stalled one kept: every other disk transferred',
          othersDone && summary?.transferred === disks - 3 && t.notSucceeded === 3 && startedAfter > 0,
          `${summary?.transferred ?? '?'} of ${disks - 3}; ${startedAfter} started after the first stuck`,
        ),
        check(
          'Ctrl-C: exit 130, the stalled disk counted in flight, the 2 crash loops named with the reason',
          end.code === 130 && summary?.inFlight === 1 && named.length === 2 && summary?.stuck === 2,
          `exit ${end.code ?? end.signal}; in flight ${summary?.inFlight ?? '?'}; ${named.length} named: ${problems.map((p) => `${p.disk.name}: ${p.reason}`).join(' | ')}`,
        ),
        check('stderr names the 3 disks', inStderr.length === 3, `${inStderr.length} named`),
        check(
          'the crash-looping DataVolumes are left in place, annotated; the stalled one is not',
          leftInPlace.length === 2 && !annotated(stalled) && t.dataVolumes === disks,
          `${leftInPlace.length} annotated, ${stalled} ${annotated(stalled) ? 'annotated' : 'not annotated'}, ${t.dataVolumes} DataVolumes`,
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
