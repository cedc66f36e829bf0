/**
 * The built plugin as a user runs it (`bin/kubectl-mtv` under this Node.js, NODE_ENV unset, CI=1), so a kill -9 is a
 * real process dying. Every byte any run writes is kept in a transcript, which the secrets part greps.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { cpSync, existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunEvent, RunSummary } from '../src/runner/run-events.js';

export const repo = fileURLToPath(new URL('..', import.meta.url));
/** The plugin every run spawns: the repository's build, or a copy of it (`runPluginCopy`). */
let bin = join(repo, 'bin', 'kubectl-mtv');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A spawned plugin: its output so far, its ndjson events as they come, and its end. */
export interface PluginRun {
  child: ChildProcessWithoutNullStreams;
  pid: number;
  done: Promise<Finished>;
  events: RunEvent[];
  stdout(): string;
  stderr(): string;
  /** Resolves once `test` holds for the events (true), or false when the process ends first or `ms` pass. */
  waitFor(test: (events: RunEvent[]) => boolean, ms: number): Promise<boolean>;
  kill9(): void;
}

/** Every output of every run, for the secrets grep. */
export class Transcript {
  private readonly chunks: string[] = [];
  add(source: string, text: string): void {
    this.chunks.push(`--- ${source}\n${text}`);
  }
  text(): string {
    return this.chunks.join('\n');
  }
}

export function requireBuild(): void {
  if (!existsSync(join(repo, 'dist', 'cli.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first');
  }
}

/**
 * Copies the build (bin/, dist/, package.json, oclif.manifest.json; node_modules linked) into `dir` and runs that copy
 * from now on, so that an `npm run build` during a long chaos run (it empties dist/ first) cannot break it.
 */
export function runPluginCopy(dir: string): string {
  requireBuild();
  for (const entry of ['bin', 'dist', 'package.json', 'oclif.manifest.json']) {
    if (existsSync(join(repo, entry))) cpSync(join(repo, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  bin = join(dir, 'bin', 'kubectl-mtv');
  return bin;
}

/** vitest's NODE_ENV=test would put oclif in development mode; CI set keeps the output plain. */
function pluginEnv(): NodeJS.ProcessEnv {
  const { NODE_ENV: _, KUBECONFIG: __, MTV_INVENTORY_URL: ___, MAX_VM_INFLIGHT: ____, ...env } = process.env;
  return { ...env, NO_COLOR: '1', CI: '1' };
}

/** Starts `kubectl-mtv ARGS`; the transcript gets its stdout and stderr when it ends. */
export interface PluginSpawnOptions {
  cwd?: string;
  /** Node.js options before the bin, e.g. `--import` of a probe. */
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Parse stdout's ndjson into `events` (default true; off for runs whose output is large). */
  parseEvents?: boolean;
}

export function startPlugin(args: string[], transcript: Transcript, options: PluginSpawnOptions = {}): PluginRun {
  const { cwd = repo, nodeArgs = [], parseEvents = true } = options;
  const child = spawn(process.execPath, [...nodeArgs, bin, ...args], { cwd, env: { ...pluginEnv(), ...options.env } });
  let stdout = '';
  let stderr = '';
  let partial = '';
  let ended = false;
  const events: RunEvent[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (!parseEvents) return;
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        events.push(JSON.parse(line) as RunEvent);
      } catch {
        // not an event line; the transcript keeps it
      }
    }
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<Finished>((resolve) =>
    child.on('close', (code, signal) => {
      ended = true;
      transcript.add(`kubectl-mtv ${args.join(' ')} (pid ${child.pid}, exit ${code ?? signal})`, stdout + stderr);
      notify();
      resolve({ code, signal, stdout, stderr });
    }),
  );
  const waitFor = (test: (all: RunEvent[]) => boolean, ms: number) =>
    new Promise<boolean>((resolve) => {
      const finish = (value: boolean) => {
        clearTimeout(timer);
        waiters.delete(checkNow);
        resolve(value);
      };
      const checkNow = () => {
        if (test(events)) finish(true);
        else if (ended) finish(false);
      };
      const timer = setTimeout(() => finish(false), ms);
      waiters.add(checkNow);
      checkNow();
    });
  return {
    child,
    pid: child.pid ?? -1,
    done,
    events,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor,
    kill9: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** The summary a `-o ndjson` or `-o json` run ends with, if it got that far. */
export function summaryOf(stdout: string): RunSummary | undefined {
  const whole = stdout.trim();
  if (whole.startsWith('{') && whole.includes('\n')) {
    try {
      // -o json: the summary object, pretty-printed
      return JSON.parse(whole) as RunSummary;
    } catch {
      // ndjson: its last line
    }
  }
  const last = stdout.trim().split('\n').at(-1);
  if (!last?.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(last) as { type?: string; summary?: RunSummary; outcome?: string };
    if (parsed.type === 'summary') return parsed.summary;
    if (parsed.outcome !== undefined) return parsed as unknown as RunSummary;
  } catch {
    // a torn last line: no summary
  }
  return undefined;
}
