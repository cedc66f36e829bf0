/**
 * One warm `kubectl mtv migrate` of the built plugin against its own `kubectl mtv sandbox --scenario FILE`, as a user
 * runs them: the run's ndjson events, its wall time and exit code, and why it does not count when it does not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent } from '../src/runner/run-events.js';
import { keepFailedRun, parseEvents, runMigrate, startSandbox, stopSandbox } from './sandbox-process.js';

/** A run that takes longer than this (wall seconds) is stopped and reported. */
const RUN_DEADLINE_SECONDS = 600;

export interface WarmRunSetup {
  /** bin/kubectl-mtv. */
  bin: string;
  /** The repository: commands run from here, with paths relative to it. */
  cwd: string;
  /** `kubectl mtv sandbox` arguments besides --speed, --port and --kubeconfig (e.g. --scenario FILE). */
  sandboxArgs: readonly string[];
  speed: number;
  /** `kubectl mtv migrate` arguments besides --kubeconfig. */
  migrateArgs: readonly string[];
  /** The --cutover given, wall seconds from now: the run's zero is that instant. */
  cutoverWallSeconds: number;
}

export interface WarmRun {
  events: RunEvent[];
  /** The run's zero (ms since the epoch): when migrate read `--cutover` (its cutover minus the duration given). */
  startMs: number;
  /** Wall seconds from spawning migrate to its exit. */
  wallSeconds: number;
  exitCode: number | null;
  /** Why the run does not count, or undefined. */
  problem?: string;
}

/** What the run said went wrong: VMs failed (a snapshot, a shutdown, a copy) or not made. */
function failures(events: readonly RunEvent[]): string[] {
  return events.flatMap((e) =>
    (e.type === 'warm' && e.phase === 'failed') || e.type === 'vm-failed' ? [`${e.vm}: ${e.reason ?? 'failed'}`] : [],
  );
}

/** Runs migrate to its end (or the deadline) against a fresh sandbox, which is stopped afterwards. */
export async function warmRun(setup: WarmRunSetup): Promise<WarmRun> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-warm-'));
  const { kubeconfig, child: sandbox } = await startSandbox(setup.bin, dir, setup.speed, setup.sandboxArgs);
  try {
    const { stdout, stderr, exitCode, wallSeconds } = await runMigrate(
      setup.bin,
      setup.cwd,
      setup.migrateArgs,
      kubeconfig,
      RUN_DEADLINE_SECONDS,
    );
    const events = parseEvents(stdout);
    const settings = events.find((e) => e.type === 'settings' && e.source.kind === 'start');
    const cutover = settings?.type === 'settings' ? settings.cutover : undefined;
    const last = events.at(-1);
    const vms = last?.type === 'summary' ? (last.summary.vms ?? []) : [];
    const problems = [
      exitCode !== 0 && `exit code ${exitCode}${stderr ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`,
      !cutover && 'no settings event with the cutover',
      last?.type !== 'summary' && 'the last line is not the summary',
      vms.some((vm) => vm.state !== 'ready') && 'not every VM ready',
      ...failures(events),
    ].filter((p): p is string => typeof p === 'string');
    if (problems.length > 0) keepFailedRun('warm', setup.migrateArgs, stdout, stderr);
    return {
      events,
      startMs: cutover ? Date.parse(cutover) - setup.cutoverWallSeconds * 1000 : Number.NaN,
      wallSeconds,
      exitCode,
      ...(problems.length > 0 && { problem: problems.join('; ') }),
    };
  } finally {
    await stopSandbox(sandbox);
    rmSync(dir, { recursive: true, force: true });
  }
}
