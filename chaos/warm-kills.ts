/**
 * Item 8, kill -9 over every warm phase: `migrate` of a warm plan (the default sandbox scenario's single-disk web VMs,
 * powered on, `migration: warm`; policy disk, a short --precopy-interval) is killed with SIGKILL once in each of the
 * ten phases of a warm VM (initial snapshot, initial copy, paused between precopies, a precopy's snapshot removal and
 * creation, its copy, the cutover's shutdown, the final snapshot, the final copy, the final snapshot's removal, the
 * VM's creation), and run again with --takeover after each kill until a run ends by itself. The runs before the
 * cutover's kill are given a cutover minutes away, the one killed at the cutover a cutover two intervals away, later
 * runs none (the recorded one stands). Each moment is drawn from the seed (warm-moments.ts); a kill counts for its
 * phase only if a VM was in that phase when it landed (from the record and the cluster). Then the checks of
 * warm-checks.ts, and after `clean PLAN --yes`: none of the plan's snapshots in vCenter (read over SOAP) and no warm
 * record.
 */

import type { Scenario } from '@kubectl-mtv/engine';
import { DEFAULT_SANDBOX_SCENARIO, SEED_NAMES, VIRTUALMACHINES } from '@kubectl-mtv/sandbox';
import type { RunEvent } from '../src/runner/run-events.js';
import { check, lastLine, type PartResult } from './checks.js';
import { type ChaosCluster, startCluster } from './cluster.js';
import { type ChaosContext, partRandom, rememberSecrets } from './context.js';
import { startPlugin, summaryOf } from './plugin.js';
import {
  checkpointChains,
  dataVolumesDone,
  oneSnapshotAtATime,
  snapshotPerRound,
  vcenterSnapshots,
  vmsReady,
} from './warm-checks.js';
import { drawMoment, type Kill, killIn, type MomentKind, type Shape } from './warm-moments.js';
import { WARM_PHASES, WarmWatch } from './warm-watch.js';

/** How long the last run may take. */
const FINAL_TIMEOUT_MS = 300_000;
export async function warmKills(ctx: ChaosContext): Promise<PartResult> {
  const started = performance.now();
  const random = partRandom(ctx, 8);
  const shape: Shape = ctx.short ? { vms: 4, speed: 200, interval: 2 } : { vms: 8, speed: 100, interval: 3 };
  const vms = DEFAULT_SANDBOX_SCENARIO.vms.filter((vm) => vm.name.startsWith('web-')).slice(0, shape.vms);
  const scenario: Scenario = { ...DEFAULT_SANDBOX_SCENARIO, name: 'chaos-warm', migration: 'warm', vms };
  // MTV 2.11: the final snapshot's removal ends before the VM is made, so the ten phases follow one another (2.12
  // makes the VM while the removal runs: test/e2e/migrate-warm.test.ts covers that order)
  const cluster = await startCluster(scenario, { speed: shape.speed, mtvRelease: '2.11' });
  rememberSecrets(ctx, cluster);
  const watch = new WarmWatch(cluster);
  watch.start();
  const kills: Kill[] = [];
  const missed: string[] = [];
  const unexpected: string[] = [];
  const events: RunEvent[] = [];
  let runs = 0;
  let lastRun: { code: number | null; stderr: string; stdout: string } | undefined;
  let endedEarly = false;
  try {
    for (const [index, phase] of WARM_PHASES.entries()) {
      const moment = drawMoment(random, phase, shape);
      runs++;
      const cutover = index < 5 ? ['--cutover', '2m'] : index === 5 ? ['--cutover', `${2 * shape.interval}s`] : [];
      const run = startPlugin(migrateArgs(cluster, shape, ...cutover), ctx.transcript);
      const kill = await killIn(run, phase, moment, watch, runs);
      const end = await run.done;
      events.push(...run.events);
      if (kill && end.signal === 'SIGKILL') {
        kills.push(kill);
        if (!kill.hit) missed.push(`${phase} (${kill.how})`);
      } else if (end.code === 0) {
        endedEarly = true;
        // the run that ended by itself is the last run
        lastRun = end;
        missed.push(`${phase} (the plan ended first)`);
        break;
      } else unexpected.push(`run ${runs} (${phase}): exit ${end.code ?? end.signal}: ${lastLine(end.stderr)}`);
    }
    let final = lastRun ?? { code: 0 as number | null, stderr: '', stdout: '' };
    if (!endedEarly) {
      runs++;
      const run = startPlugin(migrateArgs(cluster, shape), ctx.transcript);
      const timer = setTimeout(() => run.kill9(), FINAL_TIMEOUT_MS);
      final = await run.done;
      clearTimeout(timer);
      events.push(...run.events);
    }
    watch.snapshotCounts();
    watch.stop();
    const summary = summaryOf(final.stdout);
    const leftByRun = await vcenterSnapshots(cluster, watch);
    const clean = await startPlugin(
      ['clean', SEED_NAMES.plan, '-n', SEED_NAMES.forkliftNamespace, '--kubeconfig', cluster.kubeconfig, '--yes'],
      ctx.transcript,
    ).done;
    const leftByClean = await vcenterSnapshots(cluster, watch);
    const chains = checkpointChains(watch);
    const hits = WARM_PHASES.map((phase) => [phase, kills.filter((k) => k.hit && k.phase === phase).length] as const);
    const rounds = [...watch.rounds.values()].map((byRound) => byRound.size);
    const made = cluster.sandbox.store.list(VIRTUALMACHINES, SEED_NAMES.targetNamespace).length;
    return {
      item: 8,
      title: 'Kill -9 over every warm phase',
      figures: [
        [
          'plan',
          `${vms.length} warm VMs x 1 disk (the default scenario's ${vms[0].name}..${vms.at(-1)?.name}, powered on), policy disk, --precopy-interval ${shape.interval}s, sandbox at ${shape.speed}x`,
        ],
        [
          'kill -9',
          `${kills.length} over ${runs} runs; in their phase: ${hits.map(([phase, n]) => `${phase} ${n}`).join(', ')}`,
        ],
        [
          'moments',
          `${countKind(kills, 'write')} in a write's store callback, ${countKind(kills, 'delay')} after a drawn delay, ${countKind(kills, 'writes')} in a drawn write of a brief phase, ${countKind(kills, 'deadline')} at the deadline`,
        ],
        [
          'rounds per VM (initial, precopies, final)',
          rounds.length ? `${Math.min(...rounds)}-${Math.max(...rounds)}` : 'none',
        ],
        ['checkpoints', `${chains.checkpoints} in ${watch.dataVolumes.size} DataVolumes`],
        [
          'last run',
          `exit ${final.code}, outcome ${summary?.outcome ?? 'none'}, VMs ${summary?.vms?.map((vm) => vm.state).join('/') ?? 'none'}`,
        ],
        ['VMs made', `${made} of ${vms.length}`],
        [
          "the plan's snapshots in vCenter",
          `${leftByRun.length} after the last run, ${leftByClean.length} after clean --yes (exit ${clean.code})`,
        ],
      ],
      lines: kills.map(killLine),
      checks: [
        check(
          '10 kills, one in each warm phase',
          missed.length === 0 && kills.length === WARM_PHASES.length,
          `${kills.filter((k) => k.hit).length} of ${WARM_PHASES.length} in their phase${missed.length ? `; missed: ${missed.join(', ')}` : ''}`,
        ),
        check('no run failed other than by the kill', unexpected.length === 0, unexpected.join('; ') || 'none'),
        check(
          'the last run exits 0, outcome completed',
          final.code === 0 && summary?.outcome === 'completed',
          `exit ${final.code}, outcome ${summary?.outcome ?? 'none'}${final.code || summary?.outcome !== 'completed' ? `: ${lastLine(final.stderr)}` : ''}`,
        ),
        snapshotPerRound(events, watch),
        oneSnapshotAtATime(watch),
        chains.check,
        dataVolumesDone(watch, vms.length),
        vmsReady(cluster, watch),
        check(
          "after clean PLAN --yes, none of the plan's snapshots in vCenter",
          clean.code === 0 && leftByClean.length === 0,
          `clean exit ${clean.code}; ${leftByClean.length} left${leftByClean.length ? `: ${leftByClean.join(', ')}` : ''}`,
        ),
        check(
          'after clean PLAN --yes, no warm record',
          !watch.recordExists(),
          `ConfigMap ${SEED_NAMES.forkliftNamespace}/${watch.recordName} ${watch.recordExists() ? 'still there' : 'deleted'}`,
        ),
        check('no Lease left behind', cluster.lease() === undefined, cluster.lease() ? 'a Lease remains' : 'released'),
      ],
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    watch.stop();
    await cluster.close();
  }
}

function migrateArgs(cluster: ChaosCluster, shape: Shape, ...extra: string[]): string[] {
  return [
    'migrate',
    SEED_NAMES.plan,
    '-n',
    SEED_NAMES.forkliftNamespace,
    '--kubeconfig',
    cluster.kubeconfig,
    '--no-tui',
    '-o',
    'ndjson',
    '--policy',
    'disk',
    '--precopy-interval',
    `${shape.interval}s`,
    '--takeover',
    ...extra,
  ];
}

function countKind(kills: readonly Kill[], kind: MomentKind): number {
  return kills.filter((k) => k.kind === kind).length;
}

function killLine(kill: Kill): string {
  const vms = [...kill.phases].map(([vm, phase]) => `${vm} ${phase} (${kill.snapshots.get(vm) ?? 0})`).join(', ');
  return `   kill in ${kill.phase}${kill.hit ? '' : ' (MISSED)'}: run ${kill.run}, ${kill.how}, ${kill.at.toFixed(1)} s in; ${vms}`;
}
