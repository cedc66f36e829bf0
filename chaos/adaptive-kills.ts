/**
 * Item 9, adaptive state across kill -9: a cold plan on two ESXi hosts that saturate under the cap (300 and 200 MiB/s,
 * importers 100 MiB/s), run with adaptive admission (migrate's default). The first run is killed with SIGKILL as soon
 * as the Provider's throughput record holds a host it learned; each later run at a random moment after its start, and
 * run again with --takeover until one ends by itself. Checks, from the cluster and the runs' output: the record is
 * whole after every kill, every run after the first starts from it (says so, and holds a recorded host at its
 * recorded limit instead of climbing from 2), the hosts never had more in flight than the cap, and the record at the
 * end holds both hosts with bandwidths within 15% of the sandbox's.
 */
import { SEED_NAMES } from '@kubectl-mtv/sandbox';
import { check, killRunChecks, lastLine, type PartResult } from './checks.js';
import { completionChecks, startCluster, tally } from './cluster.js';
import { type ChaosContext, partRandom, rememberSecrets, sleep } from './context.js';
import { startPlugin } from './plugin.js';
import { chaosScenario, diskCount, Gi, Mi } from './scenarios.js';

const RECORD = `kubectl-mtv-throughput-${SEED_NAMES.sourceProvider}`;
const BANDWIDTHS = [300 * Mi, 200 * Mi];
/** How far the learned bandwidth may be from the sandbox's (the 10%, and the watch's delay on a busy machine). */
const TOLERANCE = 0.15;
const MOMENT_TIMEOUT_MS = 120_000;
const FINAL_TIMEOUT_MS = 600_000;

interface RecordEntry {
  host: string;
  bandwidth: number;
  limit: number;
}

export async function adaptiveKills(ctx: ChaosContext): Promise<PartResult> {
  const started = performance.now();
  const random = partRandom(ctx, 9);
  const shape = ctx.short
    ? { vms: 40, disksPerVm: 2, cap: 10, kills: 2, speed: 40 }
    : { vms: 60, disksPerVm: 2, cap: 12, kills: 5, speed: 40 };
  const scenario = chaosScenario(
    { name: 'chaos-adaptive', hosts: 2, minBytes: 6 * Gi, maxBytes: 16 * Gi, ...shape },
    random,
  );
  scenario.hosts = scenario.hosts.map((h, i) => ({ ...h, bandwidth: BANDWIDTHS[i] }));
  const disks = diskCount(scenario);
  const cluster = await startCluster(scenario, { speed: shape.speed });
  rememberSecrets(ctx, cluster);
  const record = (): RecordEntry[] | 'torn' | undefined => {
    const object = cluster.sandbox.store.get('configmaps', SEED_NAMES.forkliftNamespace, RECORD) as
      | { data?: Record<string, string> }
      | undefined;
    if (!object) return undefined;
    try {
      return Object.values(object.data ?? {}).map((text) => JSON.parse(text) as RecordEntry);
    } catch {
      return 'torn';
    }
  };
  const problems: string[] = [];
  const unexpected: string[] = [];
  const started2: string[] = [];
  let kills = 0;
  let runs = 0;
  let endedEarly = false;
  try {
    for (let k = 0; k < shape.kills && !endedEarly; k++) {
      runs++;
      const before = record();
      const run = startPlugin(
        cluster.migrateArgs('-o', 'ndjson', '--max-inflight', String(shape.cap), '--takeover'),
        ctx.transcript,
      );
      const ended = run.done.then(() => false);
      // the first run until it has written what it learned; the others anywhere from start-up to well into the copy
      const moment =
        k === 0
          ? waitFor(() => {
              const now = record();
              return Array.isArray(now) && now.length > 0;
            }, MOMENT_TIMEOUT_MS).then((ok) => ok && sleep(random() * 500).then(() => true))
          : run
              .waitFor((events) => events.some((e) => e.type === 'plan'), MOMENT_TIMEOUT_MS)
              .then((ok) => ok && sleep(500 + random() * 3000).then(() => true));
      const hit = await Promise.race([moment, ended]);
      if (hit) run.kill9();
      const end = await run.done;
      if (hit && end.signal === 'SIGKILL') kills++;
      else if (end.code === 0) endedEarly = true;
      else unexpected.push(`run ${runs}: exit ${end.code ?? end.signal}: ${lastLine(end.stderr)}`);
      if (k > 0) started2.push(...resumedProblems(runs, before, end.stderr, run.events));
      const after = record();
      if (after === 'torn') problems.push(`after run ${runs}: the record does not parse`);
      else if (kills > 0 && (after === undefined || after.length === 0))
        problems.push(`after run ${runs}: the record is gone or empty`);
    }
    let final = { code: 0 as number | null, stderr: '' };
    if (!endedEarly) {
      runs++;
      const before = record();
      const run = startPlugin(
        cluster.migrateArgs('-o', 'ndjson', '--max-inflight', String(shape.cap), '--takeover'),
        ctx.transcript,
      );
      const timer = setTimeout(() => run.kill9(), FINAL_TIMEOUT_MS);
      final = await run.done;
      clearTimeout(timer);
      started2.push(...resumedProblems(runs, before, final.stderr, run.events));
    }
    const t = tally(cluster);
    const last = record();
    const entries = Array.isArray(last) ? last : [];
    const learned = entries.map((e) => {
      const host = Number(/(\d+)$/.exec(e.host)?.[1] ?? 0) - 1;
      return { ...e, ratio: e.bandwidth / shape.speed / (BANDWIDTHS[host] ?? Number.NaN) };
    });
    const fmt = (x: number) => `${(x / Mi).toFixed(0)} MiB/s`;
    return {
      item: 9,
      title: 'Adaptive state across kill -9',
      figures: [
        [
          'plan',
          `${disks} disks on ${scenario.vms.length} VMs, 2 hosts (${BANDWIDTHS.map(fmt).join(', ')}), cap ${shape.cap}, sandbox at ${shape.speed}x`,
        ],
        ['kill -9', `${kills} over ${runs} runs`],
        [
          'record at the end',
          learned
            .map((e) => `${e.host} ${e.limit} in flight, ${fmt(e.bandwidth / shape.speed)} (${e.ratio.toFixed(3)})`)
            .join('; ') || 'none',
        ],
        ['peak in flight (sandbox)', `${t.peak} (cap ${shape.cap})`],
      ],
      checks: [
        ...killRunChecks({ planned: shape.kills, kills, endedEarly, unexpected, final }),
        check('the record is whole after every kill', problems.length === 0, problems.join('; ') || 'whole'),
        check(
          'every run after the first starts from the record, a recorded host held at its recorded limit',
          started2.length === 0,
          started2.join('; ') || `${runs - 1} runs`,
        ),
        check(
          `the record holds both hosts within ${TOLERANCE * 100}% of their bandwidth`,
          learned.length === 2 && learned.every((e) => Math.abs(e.ratio - 1) <= TOLERANCE),
          learned.map((e) => `${e.host} ${e.ratio.toFixed(3)}`).join(', ') || 'no entries',
        ),
        ...completionChecks(t, shape.cap),
      ],
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await cluster.close();
  }
}

/**
 * What a run that found a record did wrong: not saying it starts from it, or climbing a recorded host from scratch
 * (its first `throughput` event shows the host at another limit, or climbing). Empty when it found none, or did right.
 */
function resumedProblems(
  run: number,
  before: RecordEntry[] | 'torn' | undefined,
  stderr: string,
  events: { type: string }[],
): string[] {
  if (!Array.isArray(before) || before.length === 0) return [];
  const out: string[] = [];
  if (!stderr.includes('adaptive admission starts from what earlier runs learned'))
    out.push(`run ${run} did not say it starts from the record`);
  const first = events.find((e) => e.type === 'throughput') as
    | { hosts: { name: string; limit: number; phase: string }[] }
    | undefined;
  // a run killed before its first measurement has nothing to show
  if (!first) return out;
  const held = before.some((entry) =>
    first.hosts.some((h) => h.name === entry.host && h.phase !== 'climbing' && h.limit === entry.limit),
  );
  if (!held) out.push(`run ${run}'s first measurement climbs every recorded host again`);
  return out;
}

async function waitFor(ready: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) return false;
    await sleep(5);
  }
  return true;
}
