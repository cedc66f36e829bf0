/**
 * One cold `kubectl mtv migrate` of the built plugin against its own `kubectl mtv sandbox --scenario FILE`, as a user
 * runs them, measured by the sandbox: the importer's own clock says when the first disk began and the last one ended
 * (simulated seconds), the runner's ndjson events say the same as it saw it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SandboxStats, STATS_PATH } from '@kubectl-mtv/sandbox';
import { connectKube } from '../src/cluster/kube-client.js';
import type { RunEvent } from '../src/runner/run-events.js';
import { keepFailedRun, parseEvents, runMigrate, startSandbox, stopSandbox } from './sandbox-process.js';
import { importerMakespan, runnerMakespan } from './saturation-figures.js';

/** A run that takes longer than this (wall seconds) is stopped and reported. */
const RUN_DEADLINE_SECONDS = 600;

export interface SaturationRunSetup {
  /** bin/kubectl-mtv. */
  bin: string;
  /** The repository: commands run from here, with paths relative to it. */
  cwd: string;
  /** The scenario file, relative to `cwd`. */
  scenario: string;
  speed: number;
  /** `kubectl mtv migrate` arguments besides --kubeconfig. */
  migrateArgs: readonly string[];
  /** Disks in the plan: a run counts once every one has been copied. */
  disks: number;
}

export interface SaturationRun {
  /** Simulated seconds from the first disk's start to the last one's end, on the sandbox's importer clock. */
  makespan: number;
  /** The same span from the runner's events (first started, last finished), wall seconds times the speed. */
  runnerMakespan: number;
  /** Most imports at once, overall and on the busiest host (the sandbox's count). */
  peak: number;
  peakOnHost: number;
  /** Wall seconds from spawning migrate to its exit. */
  wallSeconds: number;
  exitCode: number | null;
  /** Why the run does not count, or undefined. */
  problem?: string;
  /**
   * What adaptive admission learned (runs with adaptive admission), per host as the inventory names it (`host-N`, the
   * scenario's Nth host): its last bandwidth in bytes per simulated second (the run's clock divided by the speed),
   * and when it was first known, in simulated seconds from the run's first disk started; empty with --no-adaptive.
   */
  learned: { host: string; bandwidth: number | null; knownAfter: number | null }[];
}

/** Each host's learned bandwidth from the runner's throughput events, in simulated units. */
export function learnedHosts(events: readonly RunEvent[], speed: number): SaturationRun['learned'] {
  const started = events.find((e) => e.type === 'started');
  const t0 = started ? Date.parse(started.time) : Number.NaN;
  const hosts = new Map<string, { host: string; bandwidth: number | null; knownAfter: number | null }>();
  for (const e of events) {
    if (e.type !== 'throughput') continue;
    for (const h of e.hosts) {
      const entry = hosts.get(h.name) ?? { host: h.name, bandwidth: null, knownAfter: null };
      if (h.bandwidth !== null) {
        entry.bandwidth = h.bandwidth / speed;
        entry.knownAfter ??= ((Date.parse(e.time) - t0) / 1000) * speed;
      }
      hosts.set(h.name, entry);
    }
  }
  return [...hosts.values()].sort((a, b) => a.host.localeCompare(b.host, 'en', { numeric: true }));
}

/** Runs migrate to its end (or the deadline) against a fresh sandbox, reads the sandbox's stats, then stops it. */
export async function saturationRun(setup: SaturationRunSetup): Promise<SaturationRun> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-saturation-'));
  const { kubeconfig, child: sandbox } = await startSandbox(setup.bin, dir, setup.speed, [
    '--scenario',
    setup.scenario,
  ]);
  try {
    const { stdout, stderr, exitCode, wallSeconds } = await runMigrate(
      setup.bin,
      setup.cwd,
      setup.migrateArgs,
      kubeconfig,
      RUN_DEADLINE_SECONDS,
    );
    const client = await connectKube({ kubeconfig, env: {} });
    const { imports } = await client.transport.request<SandboxStats>('GET', STATS_PATH);
    const events = parseEvents(stdout);
    const last = events.at(-1);
    const makespan = importerMakespan(imports, setup.disks);
    const problems = [
      exitCode !== 0 && `exit code ${exitCode}${stderr ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`,
      last?.type !== 'summary' && 'the last line is not the summary',
      last?.type === 'summary' && last.summary.transferred !== setup.disks && 'not every disk transferred',
      imports.started !== setup.disks && `${imports.started} imports for ${setup.disks} disks`,
      Number.isNaN(makespan) && `${imports.succeeded} of ${setup.disks} imports succeeded`,
    ].filter((p): p is string => typeof p === 'string');
    if (problems.length > 0) keepFailedRun('saturation', setup.migrateArgs, stdout, stderr);
    return {
      makespan,
      runnerMakespan: runnerMakespan(events, setup.speed),
      learned: learnedHosts(events, setup.speed),
      peak: imports.peak,
      peakOnHost: Math.max(0, ...Object.values(imports.peakByHost)),
      wallSeconds,
      exitCode,
      ...(problems.length > 0 && { problem: problems.join('; ') }),
    };
  } finally {
    await stopSandbox(sandbox);
    rmSync(dir, { recursive: true, force: true });
  }
}
