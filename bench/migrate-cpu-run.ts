/**
 * One measured `kubectl mtv migrate` against a fresh sandbox, for bench/tui-cpu.ts: the CPU of the node process that
 * runs migrate over the whole run (bash's `times` for its child) and at a mark once the run is under way (its
 * /proc/<pid>/stat), so that the steady part of the run is the difference, start-up left out.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSandbox, stopSandbox } from './sandbox-process.js';

export type Variant = 'tui' | 'ndjson';

/** How a run is made: the sandbox's speed, the plan, the pseudo-terminal, and when the steady part starts. */
export interface RunSetup {
  /** `kubectl mtv sandbox --speed`: simulated seconds per real second. */
  speed: number;
  plan: string;
  namespace: string;
  columns: number;
  rows: number;
  /** Seconds after migrate started at which the steady part starts. */
  markSeconds: number;
}

/** One measured `migrate`. Seconds throughout. */
export interface Measured {
  variant: Variant;
  /** user+sys of the whole run, start-up included. */
  cpu: number;
  /** Start to exit. */
  wall: number;
  /** user+sys and wall time from the mark to the exit: the steady part. */
  steadyCpu: number;
  steadyWall: number;
  /** Frames the live view drew in the steady part (0 for ndjson). */
  steadyFrames: number;
  exitCode: number;
  /** Why the run does not count as a good one, or undefined. */
  problem?: string;
  /** What the run showed: frames and bytes to the terminal (TUI), events written (ndjson). */
  detail: string;
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** The live view wraps each frame it writes in synchronized output (DEC mode 2026): one begin mark per frame. */
const FRAME_MARK = '\x1b[?2026h';

/** util-linux `script` (in Debian's essential bsdutils); BSD `script` takes other flags. */
export function utilLinuxScript(): boolean {
  try {
    return execFileSync('script', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes(
      'util-linux',
    );
  } catch {
    return false;
  }
}

/** Clock ticks per second of /proc/<pid>/stat's times. */
function clockTicks(): number {
  return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
}

/** user+sys seconds of a live process, from /proc/<pid>/stat (utime and stime, fields 14 and 15); undefined once gone. */
function processCpu(pid: number, ticks: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name, in parentheses, may hold spaces: the fields are counted from its closing parenthesis
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticks;
  } catch {
    return undefined;
  }
}

/**
 * A bash script that runs `migrate` (its words quoted), then writes its exit code, the wall time (EPOCHREALTIME) and
 * `times` (the children's user and sys time: the node process that ran migrate, nothing else) to `timesFile`. Migrate
 * runs through `exec` in a child bash that first writes its pid to `pidFile`: the same process, so the bench finds it.
 */
function measuredCommand(migrate: string, timesFile: string, pidFile: string): string {
  const withPid = `bash -c ${quote(`echo $$ > ${quote(pidFile)}; exec "$@"`)} migrate ${migrate}`;
  const script = [
    's=$EPOCHREALTIME',
    withPid,
    'rc=$?',
    'e=$EPOCHREALTIME',
    `{ echo "$rc $s $e"; times; } > ${quote(timesFile)}`,
  ].join('; ');
  return `bash -c ${quote(script)}`;
}

/** `times` prints "0m1.527s 0m0.198s": minutes and seconds. */
function parseTimes(text: string): { exitCode: number; start: number; end: number; user: number; sys: number } {
  const lines = text.trim().split('\n');
  const [rc, start, end] = lines[0].split(' ').map((x) => Number(x.replace(',', '.')));
  const secs = (t: string) => {
    const m = /^(\d+)m([\d.,]+)s$/.exec(t);
    if (!m) throw new Error(`times: cannot read ${t}`);
    return Number(m[1]) * 60 + Number(m[2].replace(',', '.'));
  };
  const [user, sys] = lines[2].trim().split(/\s+/).map(secs);
  return { exitCode: rc, start, end, user, sys };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, stdio: 'pty' | 'plain'): Promise<number> {
  // script reads its stdin into the terminal: a pipe left open (never written) keeps it from seeing EOF.
  const child = spawn(command, args, { env, stdio: [stdio === 'pty' ? 'pipe' : 'ignore', 'ignore', 'ignore'] });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      child.stdin?.destroy();
      resolve(code ?? 1);
    });
  });
}

/** The mark: CPU of migrate's process `markSeconds` after it wrote its pid, with the time and the output's size then. */
interface Mark {
  cpu: number;
  /** Seconds since the epoch, as EPOCHREALTIME. */
  time: number;
  /** Bytes of the output (terminal log or ndjson file) written by then. */
  outputBytes: number;
}

async function takeMark(pidFile: string, output: string, markSeconds: number, exited: () => boolean) {
  const ticks = clockTicks();
  while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim() === '') {
    if (exited()) return undefined;
    await sleep(50);
  }
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  await sleep(markSeconds * 1000);
  const time = Date.now() / 1000;
  const cpu = processCpu(pid, ticks);
  if (cpu === undefined || exited()) return undefined;
  const mark: Mark = { cpu, time, outputBytes: existsSync(output) ? statSync(output).size : 0 };
  return mark;
}

/** Measures one run of `variant` against a fresh sandbox. */
export async function measureOnce(bin: string, variant: Variant, setup: RunSetup): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), `bench-tui-${variant}-`));
  const { kubeconfig, child: sandbox } = await startSandbox(bin, dir, setup.speed);
  try {
    const timesFile = join(dir, 'times');
    const pidFile = join(dir, 'pid');
    const base = [process.execPath, bin, 'migrate', setup.plan, '-n', setup.namespace, '--kubeconfig', kubeconfig];
    const migrate = [...base, '--allow-powered-on'].map(quote).join(' ');
    let exited = false;
    let running: Promise<number>;
    let output: string;
    if (variant === 'tui') {
      // The live view's own conditions: stdin and stderr on a terminal, CI unset, TERM not dumb; stdout on the
      // terminal too, as when a person types the command. `script -e` returns the command's exit code, `-f` writes
      // the log as the terminal gets it (the frames after the mark are counted from the log's size at the mark).
      output = join(dir, 'pty.log');
      const inner = `stty cols ${setup.columns} rows ${setup.rows}; ${measuredCommand(migrate, timesFile, pidFile)}`;
      const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8' };
      delete env.CI;
      delete env.NO_COLOR;
      delete env.LC_ALL;
      running = run('script', ['-qefc', inner, output], env, 'pty');
    } else {
      output = join(dir, 'out.ndjson');
      const command = `${migrate} --no-tui -o ndjson > ${quote(output)} 2> ${quote(join(dir, 'err'))}`;
      running = run('bash', ['-c', measuredCommand(command, timesFile, pidFile)], { ...process.env, CI: '1' }, 'plain');
    }
    running.then(() => {
      exited = true;
    });
    const mark = await takeMark(pidFile, output, setup.markSeconds, () => exited);
    await running;
    const times = parseTimes(readFileSync(timesFile, 'utf8'));
    const cpu = times.user + times.sys;
    const steady = {
      steadyCpu: mark ? cpu - mark.cpu : Number.NaN,
      steadyWall: mark ? times.end - mark.time : Number.NaN,
    };
    const common = [
      times.exitCode !== 0 && `exit code ${times.exitCode}`,
      mark === undefined && `the run ended before the mark (${setup.markSeconds} s)`,
    ];
    if (variant === 'tui') {
      const pty = readFileSync(output);
      const text = pty.toString('utf8');
      const frames = text.split(FRAME_MARK).length - 1;
      const steadyFrames = mark ? pty.subarray(mark.outputBytes).toString('utf8').split(FRAME_MARK).length - 1 : 0;
      const problems = [
        ...common,
        !text.includes('In flight') && 'no live view on the terminal ("In flight" never drawn)',
        !/completed: (\d+)\/\1 disks transferred/.test(text) && 'the view did not end with every disk completed',
      ].filter((p): p is string => typeof p === 'string');
      return {
        variant,
        cpu,
        wall: times.end - times.start,
        ...steady,
        steadyFrames,
        exitCode: times.exitCode,
        problem: problems.length > 0 ? problems.join('; ') : undefined,
        detail: `${frames} frames (${steadyFrames} steady), ${(pty.length / 1024).toFixed(0)} KiB to the terminal`,
      };
    }
    const lines = readFileSync(output, 'utf8').trim().split('\n');
    let last: { type?: string; summary?: { outcome?: string; disks?: number; transferred?: number } } = {};
    try {
      last = JSON.parse(lines[lines.length - 1]);
    } catch {
      // not JSON: reported below
    }
    const s = last.summary;
    const problems = [
      ...common,
      (last.type !== 'summary' || s?.outcome !== 'completed') &&
        `last line is not a summary with outcome completed (${last.type ?? 'not JSON'}, ${s?.outcome ?? '-'})`,
      s !== undefined && s.transferred !== s.disks && `${s.transferred} of ${s.disks} disks transferred`,
    ].filter((p): p is string => typeof p === 'string');
    return {
      variant,
      cpu,
      wall: times.end - times.start,
      ...steady,
      steadyFrames: 0,
      exitCode: times.exitCode,
      problem: problems.length > 0 ? problems.join('; ') : undefined,
      detail: `${lines.length} lines, ${s?.transferred ?? '?'}/${s?.disks ?? '?'} disks`,
    };
  } finally {
    await stopSandbox(sandbox);
    rmSync(dir, { recursive: true, force: true });
  }
}
