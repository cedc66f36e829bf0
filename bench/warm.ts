/**
 * Warm: `disk` against `forklift` (MTV-1543) on bench/warm-cutover.yaml, as `simulate` predicts it and as `migrate`
 * runs it against the sandbox, side by side: time to cutover-ready, total and longest downtime, makespan, precopies,
 * and where each VM's downtime goes. The two sandbox runs go at once, each against its own sandbox.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WARM_VCENTER_SECONDS, type WarmMode, type WarmSimulateReport } from '@kubectl-mtv/engine';
import { SEED_NAMES } from '@kubectl-mtv/sandbox';
import { loadScenarioFile } from '../src/services/scenario-file.js';
import { markdownTable, type ReportSection, verdict } from './markdown.js';
import { type PolicyFigures, runFigures, simulatedFigures, type WarmFigures } from './warm-figures.js';
import { type WarmRun, warmRun } from './warm-run.js';
import { warmText } from './warm-text.js';

/** The scenario, relative to the repository (as the command lines say it). */
const SCENARIO = 'bench/warm-cutover.yaml';
/** Simulated seconds per real second in the sandbox: each run lasts about two minutes. */
const SPEED = 10;
/** Simulated seconds: a precopy every 5 minutes, the cutover at 15 minutes, after both policies are cutover-ready. */
const PRECOPY_INTERVAL_SECONDS = 300;
const CUTOVER_SECONDS = 900;
/** Sandbox and simulate agree when a figure differs by at most this share. */
const AGREEMENT = 0.1;
const POLICIES: readonly WarmMode[] = ['disk', 'forklift'];

const TITLE = 'Warm: `disk` against `forklift` at the cutover';

const simulateArgs = (maxInFlight: number) => [
  'simulate',
  '--scenario',
  SCENARIO,
  '--policy',
  POLICIES.join(','),
  '--max-inflight',
  String(maxInFlight),
  '--precopy-interval',
  `${PRECOPY_INTERVAL_SECONDS}s`,
  '--cutover',
  `${CUTOVER_SECONDS}s`,
  '-o',
  'json',
];

// migrate's interval and cutover are wall-clock while the sandbox runs SPEED times faster: 1/SPEED of simulate's
const sandboxArgs = ['--scenario', SCENARIO];
const migrateArgs = (policy: WarmMode, maxInFlight: number) => [
  'migrate',
  SEED_NAMES.plan,
  '-n',
  SEED_NAMES.forkliftNamespace,
  '--policy',
  policy,
  '--max-inflight',
  String(maxInFlight),
  '--precopy-interval',
  `${PRECOPY_INTERVAL_SECONDS / SPEED}s`,
  '--cutover',
  `${CUTOVER_SECONDS / SPEED}s`,
  '--no-tui',
  '-o',
  'ndjson',
];

const s = (x: number) => (Number.isFinite(x) ? `${Math.round(x)} s` : '-');
const change = (real: number, simulated: number) => (real - simulated) / simulated;
const percent = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

/** The figures the goal judges and the agreement covers. */
const COMPARED: { name: string; of: (f: WarmFigures) => number }[] = [
  { name: 'cutover ready', of: (f) => f.cutoverReady },
  { name: 'makespan', of: (f) => f.makespan },
  { name: 'total downtime', of: (f) => f.downtimeTotal },
  { name: 'max downtime', of: (f) => f.downtimeMax },
  { name: 'precopies', of: (f) => f.precopies },
];

export async function warmSection(root: string, log: (line: string) => void): Promise<ReportSection> {
  const started = performance.now();
  const bin = join(root, 'bin', 'kubectl-mtv');
  const scenario = await loadScenarioFile(join(root, SCENARIO));
  const cap = scenario.maxInFlight;
  const commands = [
    `kubectl mtv ${simulateArgs(cap).join(' ')}`,
    `kubectl mtv sandbox ${sandboxArgs.join(' ')} --speed ${SPEED} --port 0 --kubeconfig KUBECONFIG`,
    ...POLICIES.map((p) => `kubectl mtv ${migrateArgs(p, cap).join(' ')} --kubeconfig KUBECONFIG`),
  ];
  const setup = { speed: SPEED, interval: PRECOPY_INTERVAL_SECONDS, cutover: CUTOVER_SECONDS, scenario, commands };
  if (!existsSync(bin) || !existsSync(join(root, 'dist', 'commands', 'migrate.js'))) {
    return {
      title: TITLE,
      goals: ['skipped: the plugin is not built (`npm run build` first)'],
      body: '',
      howToRead: '',
    };
  }

  log(`warm: ${commands[0]}`);
  const simulated = spawnSync(process.execPath, [bin, ...simulateArgs(cap)], { cwd: root, encoding: 'utf8' });
  if (simulated.status !== 0) throw new Error(`warm: simulate exited ${simulated.status}: ${simulated.stderr}`);
  const report = JSON.parse(simulated.stdout) as WarmSimulateReport;
  log(
    `warm: migrate of ${POLICIES.join(' and ')} at once, each against its own sandbox at ${SPEED}x (about 2 minutes)`,
  );
  const runs = await Promise.all(
    POLICIES.map((policy) =>
      warmRun({
        bin,
        cwd: root,
        sandboxArgs,
        speed: SPEED,
        migrateArgs: migrateArgs(policy, cap),
        cutoverWallSeconds: CUTOVER_SECONDS / SPEED,
      }),
    ),
  );
  // simulate shuts a running source down in the sandbox's ShutdownGuest time; one already off, in none
  const running = new Set(scenario.vms.filter((vm) => vm.powerState === 'poweredOn').map((vm) => vm.name));
  const shutdownOf = (vm: string) => (running.has(vm) ? WARM_VCENTER_SECONDS.guestShutdown : 0);
  const figures: PolicyFigures[] = POLICIES.map((policy, i) => {
    const result = report.results.find((r) => r.policy === policy);
    if (!result) throw new Error(`warm: simulate gave no result for ${policy}`);
    const run = runs[i];
    for (const line of [`${policy}: ${run.wallSeconds.toFixed(0)} s wall`, run.problem && `FAILED: ${run.problem}`])
      if (line) log(`warm: ${line}`);
    return {
      policy,
      simulated: simulatedFigures(result, shutdownOf),
      run,
      ...(run.problem === undefined && { real: runFigures(run.events, run.startMs, SPEED) }),
    };
  });
  const wall = (performance.now() - started) / 1000;

  const byPolicy = (policy: WarmMode) => figures.find((p) => p.policy === policy) as PolicyFigures;
  const [disk, forklift] = [byPolicy('disk'), byPolicy('forklift')];
  const wins = (d: WarmFigures, f: WarmFigures) =>
    `cutover ready ${s(d.cutoverReady)} against ${s(f.cutoverReady)} (${percent(change(d.cutoverReady, f.cutoverReady))}), ` +
    `total downtime ${s(d.downtimeTotal)} against ${s(f.downtimeTotal)} (${percent(change(d.downtimeTotal, f.downtimeTotal))})`;
  const bothWin = (d: WarmFigures, f: WarmFigures) =>
    d.cutoverReady < f.cutoverReady && d.downtimeTotal < f.downtimeTotal;
  const readyBefore = figures.every(
    (p) => p.simulated.cutoverReady < CUTOVER_SECONDS && (p.real?.cutoverReady ?? 0) < CUTOVER_SECONDS,
  );
  const goals = [
    `simulate: disk ${wins(disk.simulated, forklift.simulated)}; disk better on both: ${verdict(bothWin(disk.simulated, forklift.simulated))}`,
    disk.real && forklift.real
      ? `sandbox at ${SPEED}x: disk ${wins(disk.real, forklift.real)}; disk better on both: ${verdict(bothWin(disk.real, forklift.real))}`
      : `sandbox at ${SPEED}x: not judged, ${figures.filter((p) => !p.real).length} of 2 runs failed`,
    `every VM of both policies cutover-ready before the cutover at ${s(CUTOVER_SECONDS)} (simulate and sandbox), so ` +
      `the downtimes compare final rounds only: ${readyBefore ? 'yes' : 'NO'}`,
    ...figures.map((p) => `${p.policy}: sandbox against simulate ${agreement(p)}`),
    `section wall time ${wall.toFixed(0)} s (the two sandbox runs at once: ${runs.map((r) => `${r.wallSeconds.toFixed(0)} s`).join(', ')})`,
  ];
  const { body, howToRead } = warmText({
    figures,
    setup,
    tables: { main: mainTable(figures, runs), phases: phaseTable(figures) },
    report,
  });
  return { title: TITLE, goals, body, howToRead };
}

/** "within 10 %: cutover ready, makespan; over: total downtime (+60.1 %)". */
function agreement(p: PolicyFigures): string {
  if (!p.real) return `not compared: the run failed (${p.run.problem})`;
  const real = p.real;
  const off = COMPARED.filter((c) => Math.abs(change(c.of(real), c.of(p.simulated))) > AGREEMENT);
  const within = COMPARED.filter((c) => !off.includes(c));
  return [
    within.length > 0 && `within ${AGREEMENT * 100} %: ${within.map((c) => c.name).join(', ')}`,
    off.length > 0 &&
      `over: ${off.map((c) => `${c.name} (${percent(change(c.of(real), c.of(p.simulated)))})`).join(', ')}`,
  ]
    .filter(Boolean)
    .join('; ');
}

function mainTable(figures: PolicyFigures[], runs: WarmRun[]): string {
  const rows: { name: string; of: (f: WarmFigures) => number; plain?: boolean }[] = [
    { name: 'start-up: --cutover read → run under way', of: (f) => f.startup },
    { name: 'cutover ready: every VM copied once', of: (f) => f.cutoverReady },
    { name: 'cutover began (first VM)', of: (f) => f.cutover },
    { name: 'makespan: last VM made', of: (f) => f.makespan },
    { name: 'downtime, total over the VMs', of: (f) => f.downtimeTotal },
    { name: 'downtime, longest', of: (f) => f.downtimeMax },
    { name: 'precopies over the VMs', of: (f) => f.precopies, plain: true },
  ];
  const cell = (x: number, plain?: boolean) => (plain ? String(x) : s(x));
  const body = rows.map((row) => [
    row.name,
    ...figures.flatMap((p) => {
      const sim = row.of(p.simulated);
      const real = p.real ? row.of(p.real) : Number.NaN;
      const diff = Number.isFinite(real) && sim > 0 ? ` (${percent(change(real, sim))})` : '';
      return [cell(sim, row.plain), p.real ? `${cell(real, row.plain)}${diff}` : 'failed'];
    }),
  ]);
  body.push(['wall time of the run', ...runs.flatMap((r) => ['-', `${r.wallSeconds.toFixed(0)} s`])]);
  return markdownTable(
    ['simulated seconds', ...figures.flatMap((p) => [`${p.policy}: simulate`, `${p.policy}: sandbox`])],
    body,
    [false, true, true, true, true],
  );
}

function phaseTable(figures: PolicyFigures[]): string {
  const rows: { name: string; of: (f: WarmFigures) => number }[] = [
    { name: 'cutover → source off (shutdown)', of: (f) => f.phases.shutdown },
    { name: 'source off → final snapshot (previous removed, final taken)', of: (f) => f.phases.snapshots },
    { name: 'final snapshot → last disk copied', of: (f) => f.phases.copy },
    { name: 'last disk copied → VM made', of: (f) => f.phases.finish },
    { name: 'downtime', of: (f) => f.phases.shutdown + f.phases.snapshots + f.phases.copy + f.phases.finish },
  ];
  const mean = (f: WarmFigures, x: number) => (x / f.vms).toFixed(1);
  return markdownTable(
    ['per VM, mean (simulated seconds)', ...figures.flatMap((p) => [`${p.policy}: simulate`, `${p.policy}: sandbox`])],
    rows.map((row) => [
      row.name,
      ...figures.flatMap((p) => [
        mean(p.simulated, row.of(p.simulated)),
        p.real ? mean(p.real, row.of(p.real)) : 'failed',
      ]),
    ]),
    [false, true, true, true, true],
  );
}
