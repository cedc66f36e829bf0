import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markdownTable, type ReportSection, ratio, verdict } from './markdown.js';

/** Goal: CPU of `migrate` with the live view at most this many times the CPU of `-o ndjson`. */
const TUI_CPU_GOAL = 1.2;
/** Sandbox speed: plan-a (92 disks) lasts about 33 s at 300x. */
const SPEED = 300;
/** Runs of each variant, alternating TUI and ndjson. */
const RUNS = 3;
/** The pseudo-terminal the live view draws on. */
const COLUMNS = 120;
const ROWS = 40;
const PLAN = 'plan-a';
const NAMESPACE = 'openshift-mtv';

type Variant = 'tui' | 'ndjson';

/** One measured `migrate`: the node process's own CPU (user+sys) and wall time, and whether the run did its job. */
interface Measured {
  variant: Variant;
  user: number;
  sys: number;
  wall: number;
  exitCode: number;
  /** Why the run does not count as a good one, or undefined. */
  problem?: string;
  /** What the run showed: frames drawn and bytes written to the terminal (TUI), events written (ndjson). */
  detail: string;
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** util-linux `script` (in Debian's essential bsdutils); BSD `script` takes other flags. */
function utilLinuxScript(): boolean {
  try {
    return execFileSync('script', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes(
      'util-linux',
    );
  } catch {
    return false;
  }
}

/** `kubectl mtv sandbox` at SPEED in the background; resolves with the kubeconfig path it prints once it serves. */
function startSandbox(bin: string, dir: string): Promise<{ kubeconfig: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [bin, 'sandbox', '--speed', String(SPEED), '--port', '0', '--kubeconfig', join(dir, 'kc')],
    { env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const onExit = (code: number | null) => fail(new Error(`sandbox exited (${code}) before serving`));
    const timer = setTimeout(() => fail(new Error('sandbox: no kubeconfig path after 60 s')), 60_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(new Error(`${e.message}\n${err}`));
    };
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve({ kubeconfig: out.slice(0, nl).trim(), child });
    });
    child.on('exit', onExit);
  });
}

function stopSandbox(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * A bash script that runs `migrate`, then writes its exit code, the wall time (EPOCHREALTIME) and `times` (the
 * children's user and sys time: the node process that ran migrate, nothing else) to `timesFile`.
 */
function measuredCommand(migrate: string, timesFile: string): string {
  const script = [
    's=$EPOCHREALTIME',
    migrate,
    'rc=$?',
    'e=$EPOCHREALTIME',
    `{ echo "$rc $s $e"; times; } > ${quote(timesFile)}`,
  ].join('; ');
  return `bash -c ${quote(script)}`;
}

/** `times` prints "0m1.527s 0m0.198s": minutes and seconds. */
function parseTimes(text: string): { exitCode: number; wall: number; user: number; sys: number } {
  const lines = text.trim().split('\n');
  const [rc, s, e] = lines[0].split(' ').map((x) => Number(x.replace(',', '.')));
  const secs = (t: string) => {
    const m = /^(\d+)m([\d.,]+)s$/.exec(t);
    if (!m) throw new Error(`times: cannot read ${t}`);
    return Number(m[1]) * 60 + Number(m[2].replace(',', '.'));
  };
  const [user, sys] = lines[2].trim().split(/\s+/).map(secs);
  return { exitCode: rc, wall: e - s, user, sys };
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

async function measureOnce(bin: string, variant: Variant): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), `bench-tui-${variant}-`));
  const { kubeconfig, child: sandbox } = await startSandbox(bin, dir);
  try {
    const timesFile = join(dir, 'times');
    const base = [process.execPath, bin, 'migrate', PLAN, '-n', NAMESPACE, '--kubeconfig', kubeconfig];
    const migrate = [...base, '--allow-powered-on'].map(quote).join(' ');
    if (variant === 'tui') {
      // The live view's own conditions: stdin and stderr on a terminal, CI unset, TERM not dumb; stdout on the
      // terminal too, as when a person types the command. `script -e` returns the command's exit code.
      const log = join(dir, 'pty.log');
      const inner = `stty cols ${COLUMNS} rows ${ROWS}; ${measuredCommand(migrate, timesFile)}`;
      const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8' };
      delete env.CI;
      delete env.NO_COLOR;
      delete env.LC_ALL;
      await run('script', ['-qec', inner, log], env, 'pty');
      const times = parseTimes(readFileSync(timesFile, 'utf8'));
      const pty = readFileSync(log);
      const text = pty.toString('utf8');
      const frames = text.split('\x1b[?2026h').length - 1;
      const problems = [
        times.exitCode !== 0 && `exit code ${times.exitCode}`,
        !text.includes('In flight') && 'no live view on the terminal ("In flight" never drawn)',
        !/completed: (\d+)\/\1 disks transferred/.test(text) && 'the view did not end with every disk completed',
      ].filter((p): p is string => typeof p === 'string');
      return {
        variant,
        ...times,
        problem: problems.length > 0 ? problems.join('; ') : undefined,
        detail: `${frames} frames, ${(pty.length / 1024).toFixed(0)} KiB to the terminal`,
      };
    }
    const out = join(dir, 'out.ndjson');
    const command = `${migrate} --no-tui -o ndjson > ${quote(out)} 2> ${quote(join(dir, 'err'))}`;
    await run('bash', ['-c', measuredCommand(command, timesFile)], { ...process.env, CI: '1' }, 'plain');
    const times = parseTimes(readFileSync(timesFile, 'utf8'));
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    let last: { type?: string; summary?: { outcome?: string; disks?: number; transferred?: number } } = {};
    try {
      last = JSON.parse(lines[lines.length - 1]);
    } catch {
      // not JSON: reported below
    }
    const s = last.summary;
    const problems = [
      times.exitCode !== 0 && `exit code ${times.exitCode}`,
      (last.type !== 'summary' || s?.outcome !== 'completed') &&
        `last line is not a summary with outcome completed (${last.type ?? 'not JSON'}, ${s?.outcome ?? '-'})`,
      s !== undefined && s.transferred !== s.disks && `${s.transferred} of ${s.disks} disks transferred`,
    ].filter((p): p is string => typeof p === 'string');
    return {
      variant,
      ...times,
      problem: problems.length > 0 ? problems.join('; ') : undefined,
      detail: `${lines.length} lines, ${s?.transferred ?? '?'}/${s?.disks ?? '?'} disks`,
    };
  } finally {
    await stopSandbox(sandbox);
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const TITLE = 'migrate: CPU with the live view';

/**
 * CPU of `kubectl mtv migrate plan-a` with the Ink live view on a pseudo-terminal against `--no-tui -o ndjson` to a
 * file, each on a fresh sandbox (`kubectl mtv sandbox` of the built plugin), RUNS times each, alternating.
 */
export async function tuiCpuSection(root: string, log: (line: string) => void): Promise<ReportSection> {
  const bin = join(root, 'bin', 'kubectl-mtv');
  const howToRead =
    `Measured by \`npm run bench\` (bench/tui-cpu.ts; alone: \`npm run bench -- --only tui\`) with the built plugin ` +
    `(\`npm run build\` first): \`kubectl mtv migrate ${PLAN} -n ${NAMESPACE} --allow-powered-on\` against a fresh ` +
    `\`kubectl mtv sandbox --speed ${SPEED}\` per run (its default plan, 92 disks), ${RUNS} runs of each variant, ` +
    'alternating. TUI: stdin, stdout and stderr on a pseudo-terminal of ' +
    `${COLUMNS}x${ROWS} from util-linux \`script\`, CI unset, TERM=xterm-256color, so the live view starts as it would ` +
    'for a person. ndjson: `--no-tui -o ndjson`, stdout to a file. CPU is user+sys of the node process that runs ' +
    "migrate alone (bash's `times` for its child, inside the pseudo-terminal for the TUI), so neither the sandbox " +
    'nor `script` counts; it includes the start-up (loading the commands), the same for both. Wall is from start to ' +
    'exit. A frame is one synchronized-output redraw the view wrote. Runs that failed (exit code, no view drawn, ' +
    'last ndjson line not a completed summary) are listed and the goal is not judged on them.';
  if (!existsSync(bin) || !existsSync(join(root, 'dist', 'commands', 'migrate.js'))) {
    return {
      title: TITLE,
      goals: ['skipped: the plugin is not built (`npm run build` first)'],
      body: '',
      howToRead,
    };
  }
  if (!utilLinuxScript()) {
    return {
      title: TITLE,
      goals: ['skipped: util-linux `script` not found (it makes the pseudo-terminal the live view needs)'],
      body: '',
      howToRead,
    };
  }
  const runs: Measured[] = [];
  for (let i = 0; i < RUNS; i++) {
    for (const variant of ['tui', 'ndjson'] as const) {
      log(`tui cpu: run ${i + 1}/${RUNS}, ${variant}`);
      const m = await measureOnce(bin, variant);
      log(
        `tui cpu: ${variant} ${(m.user + m.sys).toFixed(2)} s CPU, ${m.wall.toFixed(1)} s wall, ${m.detail}` +
          (m.problem ? `; FAILED: ${m.problem}` : ''),
      );
      runs.push(m);
    }
  }
  const of = (v: Variant) => runs.filter((r) => r.variant === v);
  const stats = (v: Variant) => {
    const rs = of(v);
    return {
      cpu: median(rs.map((r) => r.user + r.sys)),
      user: median(rs.map((r) => r.user)),
      sys: median(rs.map((r) => r.sys)),
      wall: median(rs.map((r) => r.wall)),
    };
  };
  const tui = stats('tui');
  const ndjson = stats('ndjson');
  const cpuRatio = tui.cpu / ndjson.cpu;
  const failed = runs.filter((r) => r.problem !== undefined);
  const goals = [
    failed.length > 0
      ? `CPU ratio TUI/ndjson ${ratio(cpuRatio)} (goal <= ${TUI_CPU_GOAL}): not judged, ${failed.length} of ${runs.length} runs failed`
      : `CPU ratio TUI/ndjson ${ratio(cpuRatio)}, medians ${tui.cpu.toFixed(2)} s and ${ndjson.cpu.toFixed(2)} s (goal <= ${TUI_CPU_GOAL}): ${verdict(cpuRatio <= TUI_CPU_GOAL)}`,
    `wall time, medians: TUI ${tui.wall.toFixed(1)} s, ndjson ${ndjson.wall.toFixed(1)} s`,
  ];
  const summary = markdownTable(
    ['variant', 'CPU s (median)', 'user s', 'sys s', 'wall s', 'CPU / wall'],
    (
      [
        ['TUI', tui],
        ['-o ndjson', ndjson],
      ] as const
    ).map(([name, s]) => [
      name,
      s.cpu.toFixed(2),
      s.user.toFixed(2),
      s.sys.toFixed(2),
      s.wall.toFixed(1),
      `${((s.cpu / s.wall) * 100).toFixed(1)}%`,
    ]),
    [false, true, true, true, true, true],
  );
  const perRun = markdownTable(
    ['run', 'variant', 'CPU s', 'wall s', 'exit', 'what it showed', 'check'],
    runs.map((r, i) => [
      String(Math.floor(i / 2) + 1),
      r.variant === 'tui' ? 'TUI' : '-o ndjson',
      (r.user + r.sys).toFixed(2),
      r.wall.toFixed(1),
      String(r.exitCode),
      r.detail,
      r.problem === undefined ? 'ok' : `FAILED: ${r.problem}`,
    ]),
    [true, false, true, true, true, false, false],
  );
  return { title: TITLE, goals, body: `${summary}\n\nEach run:\n\n${perRun}`, howToRead };
}
