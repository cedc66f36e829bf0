/**
 * `kubectl mtv demo`: the sandbox in this process with its default scenario, sped up so the plan takes about a
 * minute, and `migrate plan-a` against it through a kubeconfig in a private temporary directory; plain output, and
 * migrate's exit code. Everything it started or wrote is gone when it returns.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario, SchedulerOptions } from '@kubectl-mtv/engine';
import { simulateScenario } from '@kubectl-mtv/engine';
import { DEFAULT_SANDBOX_SCENARIO, SEED_NAMES, startSandbox } from '@kubectl-mtv/sandbox';
import type { ExitCodeValue } from '../errors.js';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../runner/source-power.js';
import type { OutputStreams } from '../ui/run-reporters.js';
import { formatDuration } from '../ui/simulate-table.js';
import { migrate, type TuiTerminal } from './migrate.js';
import { sandboxInput } from './sandbox-input.js';

export interface DemoOptions {
  /** Simulated seconds per real second; undefined = DEMO_SECONDS for the whole plan. */
  speed?: number;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  streams?: OutputStreams;
  /** The live view's terminal; undefined: plain lines. */
  tui?: TuiTerminal;
  /** --warm: the same VMs in a warm plan: precopies every DEMO_PRECOPY_INTERVAL_MS, the cutover at DEMO_CUTOVER_MS. */
  warm?: boolean;
}

/** The warm demo's precopy interval and cutover (wall time from the start): a few precopies in about a minute. */
export const DEMO_PRECOPY_INTERVAL_MS = 10_000;
export const DEMO_CUTOVER_MS = 45_000;

/** Real seconds the demo aims at. */
export const DEMO_SECONDS = 60;

/** What migrate runs in the demo: its defaults, and the scenario's cap. */
export const DEMO_SCHEDULER: SchedulerOptions = {
  policy: 'disk',
  maxInFlight: DEFAULT_SANDBOX_SCENARIO.maxInFlight,
  order: 'largest',
};

/** The speed at which the default scenario's simulated makespan takes DEMO_SECONDS. */
export function demoSpeed(): { speed: number; makespanSeconds: number } {
  const { makespanSeconds } = simulateScenario(DEFAULT_SANDBOX_SCENARIO, DEMO_SCHEDULER);
  return { speed: makespanSeconds / DEMO_SECONDS, makespanSeconds };
}

export async function demo(options: DemoOptions): Promise<ExitCodeValue> {
  const streams = options.streams ?? { stdout: process.stdout, stderr: process.stderr };
  const planned = demoSpeed();
  const speed = options.speed ?? planned.speed;
  const scenario: Scenario = options.warm
    ? { ...DEFAULT_SANDBOX_SCENARIO, name: 'sandbox-warm', migration: 'warm' }
    : DEFAULT_SANDBOX_SCENARIO;
  const sandbox = await sandboxInput(startSandbox({ scenario, speed }));
  const dir = await mkdtemp(join(tmpdir(), 'kubectl-mtv-demo-'));
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, sandbox.kubeconfigText, { mode: 0o600 });
    const { vms } = DEFAULT_SANDBOX_SCENARIO;
    const disks = vms.reduce((sum, vm) => sum + vm.disks.length, 0);
    const hosts = new Set(vms.map((vm) => vm.host)).size;
    const realSeconds = planned.makespanSeconds / speed;
    streams.stderr.write(
      `demo: a sandbox cluster in this process (${sandbox.apiUrl}): ${vms.length} VMs, ${disks} disks on ${hosts} ESXi hosts; ` +
        `simulate says ${formatDuration(planned.makespanSeconds)}, run at ${+speed.toFixed(1)}x: about ${formatDuration(realSeconds)}\n` +
        (options.warm
          ? `demo: kubectl mtv migrate ${SEED_NAMES.plan} -n ${SEED_NAMES.forkliftNamespace} --precopy-interval ${DEMO_PRECOPY_INTERVAL_MS / 1000}s --cutover ${DEMO_CUTOVER_MS / 1000}s ` +
            `(a warm plan: a snapshot per VM and round through the sandbox's vCenter, precopies every ${DEMO_PRECOPY_INTERVAL_MS / 1000} s of wall time, ` +
            `about ${formatDuration((DEMO_PRECOPY_INTERVAL_MS / 1000) * speed)} simulated; at the cutover the running sources are shut down and copied a last time)\n`
          : `demo: kubectl mtv migrate ${SEED_NAMES.plan} -n ${SEED_NAMES.forkliftNamespace} --power-off-source ` +
            `(the sandbox's web VMs are powered on: each is shut down through the sandbox's vCenter before its disks copy)\n`),
    );
    return await migrate({
      connection: { kubeconfig, env: {}, namespace: SEED_NAMES.forkliftNamespace },
      inventory: { env: {} },
      plan: SEED_NAMES.plan,
      allowPoweredOn: false,
      ...(options.warm
        ? {
            warm: {
              precopyIntervalMs: DEMO_PRECOPY_INTERVAL_MS,
              cutoverAt: Date.now() + DEMO_CUTOVER_MS,
              shutdown: { force: false, shutdownTimeoutMs: DEFAULT_SHUTDOWN_TIMEOUT_MS },
            },
          }
        : { powerOffSource: { force: false, shutdownTimeoutMs: DEFAULT_SHUTDOWN_TIMEOUT_MS } }),
      scheduler: DEMO_SCHEDULER,
      maxRestarts: 3,
      stuckAfterMs: 10 * 60_000,
      output: 'table',
      takeover: false,
      signal: options.signal,
      streams,
      ...(options.tui && { tui: options.tui }),
    });
  } finally {
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  }
}
