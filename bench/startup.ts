/**
 * Start-up: `kubectl mtv --help` against `node -e 0`, for bin/kubectl-mtv and for the single executable of the host
 * platform (dist-package/, made by `npm run package`; this section packages the host platform when it is missing).
 * The runs interleave (node, bin, executable, node, ...) so that a busy moment of the machine hits them all alike.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hostTarget, packagedExecutable } from '../scripts/package-targets.js';
import { markdownTable, type ReportSection, verdict } from './markdown.js';

/** Runs per command; the median of so many is steady to a few milliseconds on a quiet machine. */
const RUNS = 31;
/** The goal: `--help` at most this many times `node -e 0`. */
const GOAL_RATIO = 2.5;

interface Probe {
  label: string;
  command: string;
  args: string[];
}

/** Wall time of one run in milliseconds; throws when the command fails, so a broken build is not measured as fast. */
function wallMs(probe: Probe, env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(probe.command, probe.args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${probe.label} exited with ${result.status}: ${result.stderr?.toString().trim()}`);
  }
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Medians in milliseconds by label, the runs interleaved. */
export function startupMedians(probes: Probe[], runs = RUNS): Map<string, number> {
  // Not a terminal and no colour, as under kubectl in a script; NODE_OPTIONS from the bench itself stays out.
  const { NODE_OPTIONS: _, ...rest } = process.env;
  const env = { ...rest, CI: '1', NO_COLOR: '1' };
  for (const probe of probes) wallMs(probe, env); // warm the file cache
  const times = new Map<string, number[]>(probes.map((p) => [p.label, []]));
  for (let i = 0; i < runs; i++) for (const probe of probes) times.get(probe.label)?.push(wallMs(probe, env));
  return new Map([...times].map(([label, values]) => [label, median(values)]));
}

export async function startupSection(root: string, log: (line: string) => void): Promise<ReportSection> {
  const target = hostTarget();
  let executable = target ? packagedExecutable(root, target) : undefined;
  if (target && executable && !existsSync(executable)) {
    log(`start-up: packaging ${target.os}/${target.arch} first (npm run package -- --host)`);
    const { packageTargets } = await import('../scripts/package.js');
    await packageTargets([target], { log });
  }
  if (executable && !existsSync(executable)) executable = undefined;
  const bin = join(root, 'bin', 'kubectl-mtv');
  const probes: Probe[] = [
    { label: '`node -e 0`', command: process.execPath, args: ['-e', '0'] },
    { label: '`bin/kubectl-mtv --help`', command: process.execPath, args: [bin, '--help'] },
    { label: '`bin/kubectl-mtv version --client`', command: process.execPath, args: [bin, 'version', '--client'] },
  ];
  if (executable) {
    const name = `dist-package/${target?.os}-${target?.arch}/kubectl-mtv`;
    probes.push({ label: `\`${name} --help\``, command: executable, args: ['--help'] });
    probes.push({ label: `\`${name} version --client\``, command: executable, args: ['version', '--client'] });
  }
  log(`start-up: ${RUNS} runs of ${probes.length} commands, interleaved`);
  const medians = startupMedians(probes);
  const base = medians.get(probes[0].label) ?? Number.NaN;
  const rows = probes.map((p) => {
    const ms = medians.get(p.label) ?? Number.NaN;
    return [p.label, ms.toFixed(1), (ms / base).toFixed(2)];
  });
  const helpProbes = probes.filter((p) => p.args.includes('--help'));
  const goals = helpProbes.map((p) => {
    const r = (medians.get(p.label) ?? Number.NaN) / base;
    return `${p.label} median ${r.toFixed(2)} x \`node -e 0\` (goal <= ${GOAL_RATIO}): ${verdict(r <= GOAL_RATIO)}`;
  });
  if (!executable) goals.push('the single executable: not measured (no package for this platform): MISSED');
  return {
    title: 'Start-up',
    goals,
    body: markdownTable(['command', 'median ms', 'x node -e 0'], rows, [false, true, true]),
    howToRead:
      `Wall time of a whole process, median of ${RUNS} runs each, interleaved, stdout not a terminal. ` +
      '`node -e 0` is the floor: starting Node.js itself. bin/kubectl-mtv and the executable run the esbuild bundle ' +
      '(scripts/bundle.ts), which reads oclif.manifest.json instead of importing the commands; `version --client` imports ' +
      'its one command and nothing of the live view or the Kubernetes client. The executable is the same Node.js with the ' +
      'bundle embedded; its first run unpacks the bundle into a cache directory, which the warm-up run does here.',
  };
}
