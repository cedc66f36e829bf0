/**
 * CPU of `kubectl mtv migrate plan-a` with the live view on a pseudo-terminal against `--no-tui -o ndjson` to a
 * file, per minute of steady running: each run against a fresh sandbox slowed so that the run lasts well over two
 * minutes, its CPU sampled at a mark once the run is under way and at its end (bench/migrate-cpu-run.ts). What a
 * frame costs is shown twice: the view's extra CPU per frame drawn, and one frame measured in-process
 * (bench/live-frame-cost.ts).
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { liveFrameCost } from './live-frame-cost.js';
import { markdownTable, type ReportSection, verdict } from './markdown.js';
import { type Measured, measureOnce, type RunSetup, utilLinuxScript, type Variant } from './migrate-cpu-run.js';

/** Goal: steady CPU per minute of `migrate` with the live view at most this many times `-o ndjson`'s. */
const TUI_CPU_GOAL = 1.2;
/** Runs of each variant, alternating TUI and ndjson. */
const RUNS = 3;
/** A run's steady part must last this long to count, seconds. */
const MIN_STEADY_SECONDS = 120;
/**
 * plan-a (92 disks) lasts about 166 s at --speed 60. The sandbox publishes DataVolume progress at most every 100 ms
 * of real time at any speed from 20 up, so the runner watches as many updates a second as at full speed.
 */
const SETUP: RunSetup = {
  speed: 60,
  plan: 'plan-a',
  namespace: 'openshift-mtv',
  columns: 120,
  rows: 40,
  // start-up (loading the commands, checking the plan, creating the first DataVolumes) is over by then
  markSeconds: 15,
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const perMinute = (r: Measured) => (r.steadyCpu / r.steadyWall) * 60;
const framesPerMinute = (r: Measured) => (r.steadyFrames / r.steadyWall) * 60;

const TITLE = 'migrate: CPU with the live view';

export async function tuiCpuSection(root: string, log: (line: string) => void): Promise<ReportSection> {
  const bin = join(root, 'bin', 'kubectl-mtv');
  const howToRead =
    `Measured by \`npm run bench\` (bench/tui-cpu.ts; alone: \`npm run bench -- --only tui\`) with the built plugin ` +
    `(\`npm run build\` first): \`kubectl mtv migrate ${SETUP.plan} -n ${SETUP.namespace} --allow-powered-on\` ` +
    `against a fresh \`kubectl mtv sandbox --speed ${SETUP.speed}\` per run (its default plan, 92 disks, about ` +
    `${Math.round(9900 / SETUP.speed)} s), ${RUNS} runs of each variant, alternating. TUI: stdin, stdout and stderr ` +
    `on a pseudo-terminal of ${SETUP.columns}x${SETUP.rows} from util-linux \`script\`, CI unset, ` +
    'TERM=xterm-256color, so the live view starts as it would for a person. ndjson: `--no-tui -o ndjson`, stdout ' +
    'to a file. CPU is user+sys of the node process that runs migrate alone, so neither the sandbox nor `script` ' +
    `counts. Steady: from a mark ${SETUP.markSeconds} s after migrate started (its /proc/<pid>/stat then) to its ` +
    "exit (bash's `times` for its child), so start-up, the same for both, is left " +
    `out; a run whose steady part is shorter than ${MIN_STEADY_SECONDS} s does not count. The ratio is of the ` +
    'medians of CPU per minute. A frame is one synchronized-output redraw on the terminal; CPU per frame is the ' +
    "TUI's extra CPU per minute over ndjson's divided by its frames per minute. In-process: the frame computed and written " +
    `by the live view's terminal writer to a fake ${SETUP.columns}x${SETUP.rows} terminal with 20 disks in flight, every row changed between frames ` +
    '(bench/live-frame-cost.ts). Runs that failed (exit code, no view drawn, last ndjson line not a completed ' +
    'summary) are listed and the goal is not judged on them.';
  const skipped = (why: string): ReportSection => ({ title: TITLE, goals: [`skipped: ${why}`], body: '', howToRead });
  if (!existsSync(bin) || !existsSync(join(root, 'dist', 'commands', 'migrate.js'))) {
    return skipped('the plugin is not built (`npm run build` first)');
  }
  if (!utilLinuxScript()) return skipped('util-linux `script` not found (it makes the pseudo-terminal the view needs)');

  const runs: Measured[] = [];
  for (let i = 0; i < RUNS; i++) {
    for (const variant of ['tui', 'ndjson'] as const) {
      log(`tui cpu: run ${i + 1}/${RUNS}, ${variant}`);
      const m = await measureOnce(bin, variant, SETUP);
      if (m.problem === undefined && m.steadyWall < MIN_STEADY_SECONDS) {
        m.problem = `steady part ${m.steadyWall.toFixed(0)} s, shorter than ${MIN_STEADY_SECONDS} s`;
      }
      log(
        `tui cpu: ${variant} ${perMinute(m).toFixed(2)} s CPU per minute over ${m.steadyWall.toFixed(0)} s, ` +
          `${m.detail}${m.problem ? `; FAILED: ${m.problem}` : ''}`,
      );
      runs.push(m);
    }
  }
  log('tui cpu: one frame in-process');
  const frame = await liveFrameCost({ columns: SETUP.columns, rows: SETUP.rows });

  const of = (v: Variant) => runs.filter((r) => r.variant === v);
  const stats = (v: Variant) => ({
    perMinute: median(of(v).map(perMinute)),
    framesPerMinute: median(of(v).map(framesPerMinute)),
    steadyWall: median(of(v).map((r) => r.steadyWall)),
    cpu: median(of(v).map((r) => r.cpu)),
    wall: median(of(v).map((r) => r.wall)),
  });
  const tui = stats('tui');
  const ndjson = stats('ndjson');
  const cpuRatio = tui.perMinute / ndjson.perMinute;
  const ratioLine = `CPU ratio TUI/ndjson ${cpuRatio.toFixed(2)}`;
  const frameMs = ((tui.perMinute - ndjson.perMinute) / tui.framesPerMinute) * 1000;
  const failed = runs.filter((r) => r.problem !== undefined);
  log(ratioLine);
  const goals = [
    failed.length > 0
      ? `${ratioLine} (goal <= ${TUI_CPU_GOAL}): not judged, ${failed.length} of ${runs.length} runs failed`
      : `${ratioLine} (goal <= ${TUI_CPU_GOAL}): ${verdict(cpuRatio <= TUI_CPU_GOAL)}`,
    `CPU per minute of steady running, medians: TUI ${tui.perMinute.toFixed(3)} s, ndjson ${ndjson.perMinute.toFixed(3)} s`,
    `a frame: ${frameMs.toFixed(1)} ms CPU in the run (${tui.framesPerMinute.toFixed(1)} frames a minute), ` +
      `${frame.medianMs.toFixed(2)} ms in-process (median of 100, ${(frame.bytes / 1024).toFixed(1)} KiB to the terminal)`,
  ];
  const summary = markdownTable(
    ['variant', 'CPU s / min steady', 'frames / min', 'steady s', 'CPU s whole run', 'wall s'],
    (
      [
        ['TUI', tui],
        ['-o ndjson', ndjson],
      ] as const
    ).map(([name, s]) => [
      name,
      s.perMinute.toFixed(3),
      name === 'TUI' ? s.framesPerMinute.toFixed(1) : '-',
      s.steadyWall.toFixed(0),
      s.cpu.toFixed(2),
      s.wall.toFixed(1),
    ]),
    [false, true, true, true, true, true],
  );
  const perRun = markdownTable(
    ['run', 'variant', 'CPU s / min steady', 'steady s', 'CPU s whole run', 'wall s', 'what it showed', 'check'],
    runs.map((r, i) => [
      String(Math.floor(i / 2) + 1),
      r.variant === 'tui' ? 'TUI' : '-o ndjson',
      perMinute(r).toFixed(3),
      r.steadyWall.toFixed(0),
      r.cpu.toFixed(2),
      r.wall.toFixed(1),
      r.detail,
      r.problem === undefined ? 'ok' : `FAILED: ${r.problem}`,
    ]),
    [true, false, true, true, true, true, false, false],
  );
  return { title: TITLE, goals, body: `Medians:\n\n${summary}\n\nEach run:\n\n${perRun}`, howToRead };
}
