/**
 * Item 1, crash and resume: the runner is killed with SIGKILL at random moments (during the admission burst, right
 * after the sandbox stored a DataVolume it created, while a watch reconnects, at a random time) and run again with
 * --takeover each time, until a run ends by itself. Then, from the cluster: no disk copied twice, none left out, every
 * DataVolume Succeeded, and never more than the cap copying at once across all runs.
 */
import { DATAVOLUMES } from '@kubectl-mtv/sandbox';
import { check, killRunChecks, lastLine, type PartResult } from './checks.js';
import { completionChecks, startCluster, tally } from './cluster.js';
import { type ChaosContext, partRandom, rememberSecrets, sleep } from './context.js';
import { type PluginRun, startPlugin } from './plugin.js';
import { chaosScenario, diskCount, Gi } from './scenarios.js';

const KINDS = ['admission', 'after-create', 'watch-reconnect', 'random'] as const;
type KillKind = (typeof KINDS)[number];

/** How long one run may take to reach its kill moment before the harness gives up on that moment. */
const MOMENT_TIMEOUT_MS = 60_000;
/** How long the last run may take. */
const FINAL_TIMEOUT_MS = 600_000;

export async function crashAndResume(ctx: ChaosContext): Promise<PartResult> {
  const started = performance.now();
  const random = partRandom(ctx, 1);
  const shape = ctx.short
    ? { vms: 10, disksPerVm: 4, cap: 5, kills: 5, speed: 30 }
    : { vms: 50, disksPerVm: 4, cap: 10, kills: 20, speed: 25 };
  const scenario = chaosScenario(
    { name: 'chaos-crash', hosts: 4, minBytes: 1 * Gi, maxBytes: 8 * Gi, ...shape },
    random,
  );
  const disks = diskCount(scenario);
  // watches cut every 30 events, so that there are reconnects to be killed in
  const cluster = await startCluster(scenario, { speed: shape.speed, faults: { watchDropEvery: 30 } });
  rememberSecrets(ctx, cluster);
  const kills: Record<KillKind, number> = { admission: 0, 'after-create': 0, 'watch-reconnect': 0, random: 0 };
  const unexpected: string[] = [];
  let runs = 0;
  let endedEarly = false;
  try {
    // the kinds take turns (from a random one), so each gets a quarter of the kills; the moment within each is drawn
    const offset = Math.floor(random() * KINDS.length);
    for (let k = 0; k < shape.kills && !endedEarly; k++) {
      const kind = KINDS[(offset + k) % KINDS.length];
      const draw = random();
      runs++;
      const run = startPlugin(
        cluster.migrateArgs('-o', 'ndjson', '--max-inflight', String(shape.cap), '--takeover'),
        ctx.transcript,
      );
      const killed = await killAt(run, kind, draw, cluster, shape.cap);
      const end = await run.done;
      if (killed && end.signal === 'SIGKILL') kills[kind]++;
      else if (end.code === 0) endedEarly = true;
      else unexpected.push(`run ${runs} (${kind}): exit ${end.code ?? end.signal}: ${lastLine(end.stderr)}`);
    }
    // the last run ends by itself
    let final = { code: 0 as number | null, stderr: '' };
    if (!endedEarly) {
      runs++;
      const run = startPlugin(
        cluster.migrateArgs('-o', 'ndjson', '--max-inflight', String(shape.cap), '--takeover'),
        ctx.transcript,
      );
      const timer = setTimeout(() => run.kill9(), FINAL_TIMEOUT_MS);
      const end = await run.done;
      clearTimeout(timer);
      final = end;
    }
    const t = tally(cluster);
    const totalKills = Object.values(kills).reduce((a, b) => a + b, 0);
    const stats = cluster.sandbox.stats();
    return {
      item: 1,
      title: 'Crash and resume',
      figures: [
        ['plan', `${disks} disks on ${scenario.vms.length} VMs, cap ${shape.cap}, sandbox at ${shape.speed}x`],
        ['kill -9', `${totalKills} (${KINDS.map((kind) => `${kind} ${kills[kind]}`).join(', ')}) over ${runs} runs`],
        ['watches cut by the sandbox', String(stats.faults.watchesDropped)],
        [
          'DataVolumes',
          `${t.dataVolumes} (duplicates ${t.duplicates}, missing ${t.missing}, not Succeeded ${t.notSucceeded})`,
        ],
        ['peak in flight (sandbox)', `${t.peak} (cap ${shape.cap})`],
      ],
      checks: [
        ...killRunChecks({ planned: shape.kills, kills: totalKills, endedEarly, unexpected, final }),
        ...completionChecks(t, shape.cap),
        check('no Lease left behind', cluster.lease() === undefined, cluster.lease() ? 'a Lease remains' : 'released'),
      ],
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await cluster.close();
  }
}

/** Waits for the moment `kind` names and kills the run there; false when the run ended (or timed out) first. */
async function killAt(
  run: PluginRun,
  kind: KillKind,
  draw: number,
  cluster: Awaited<ReturnType<typeof startCluster>>,
  cap: number,
): Promise<boolean> {
  const ended = run.done.then(() => false);
  let moment: Promise<boolean>;
  switch (kind) {
    case 'admission':
      // within the first admissions after the plan is resolved and the Lease taken
      moment = run
        .waitFor((events) => events.some((e) => e.type === 'plan'), MOMENT_TIMEOUT_MS)
        .then((ok) => ok && sleep(draw * 300).then(() => true));
      break;
    case 'after-create': {
      // the k-th DataVolume this run creates, killed as soon as the sandbox stored it
      const k = 1 + Math.floor(draw * cap);
      let seen = 0;
      moment = new Promise<boolean>((resolve) => {
        const unsubscribe = cluster.sandbox.store.subscribe((event) => {
          if (event.resource !== DATAVOLUMES || event.type !== 'ADDED' || ++seen < k) return;
          unsubscribe();
          // in the store's own callback: the runner has not had its answer yet
          run.kill9();
          resolve(true);
        });
        run.done.then(() => {
          unsubscribe();
          resolve(false);
        });
      });
      break;
    }
    case 'watch-reconnect': {
      // a watch of this run was cut: kill within the reconnect (its backoff and re-watch)
      const base = cluster.sandbox.stats().faults.watchesDropped;
      moment = run
        .waitFor((events) => events.some((e) => e.type === 'plan'), MOMENT_TIMEOUT_MS)
        .then(
          (ok) =>
            ok &&
            waitUntil(() => cluster.sandbox.stats().faults.watchesDropped > base, MOMENT_TIMEOUT_MS, run).then(
              (cut) => cut && sleep(draw * 50).then(() => true),
            ),
        );
      break;
    }
    case 'random':
      // anywhere from start-up (plan resolution, RBAC checks, taking the Lease) to well into the run
      moment = sleep(500 + draw * 4500).then(() => true);
      break;
  }
  const hit = await Promise.race([moment, ended]);
  if (!hit) return false;
  if (kind !== 'after-create') {
    if (run.child.exitCode !== null || run.child.signalCode !== null) return false;
    run.kill9();
  }
  return true;
}

/** Polls `ready` every 2 ms; false when the run ends or `ms` pass first. */
async function waitUntil(ready: () => boolean, ms: number, run: PluginRun): Promise<boolean> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end || run.child.exitCode !== null || run.child.signalCode !== null) return false;
    await sleep(2);
  }
  return true;
}
