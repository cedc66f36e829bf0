import { describe, expect, it } from 'vitest';
import type { RunEvent, RunSummary } from '../../src/runner/run-events.js';
import { exitCodeOf } from '../../src/services/migrate.js';
import {
  createRunReporter,
  DISKS_ONLY,
  formatDryRunSchedule,
  formatPlanLine,
  formatSummary,
  type RunOutput,
  vmEventLine,
} from '../../src/ui/run-reporters.js';

const Gi = 2 ** 30;
const T = '2026-01-02T03:04:05.000Z';
const disk = { vm: 'app-01', index: 0, name: 'plan-a-app-01-disk-0', host: 'esx-01' };

const summary: RunSummary = {
  outcome: 'stuck',
  plan: 'plan-a',
  namespace: 'openshift-mtv',
  disks: 2,
  transferred: 1,
  stuck: 1,
  failed: 0,
  notStarted: 0,
  inFlight: 0,
  bytes: 60 * Gi,
  elapsedSeconds: 65,
  problems: [{ disk: { ...disk, index: 1, name: 'plan-a-app-01-disk-1' }, reason: 'importer restarted 3 times' }],
  note: 'disks only: the VMs are not created yet',
};

const EVENTS: RunEvent[] = [
  {
    type: 'plan',
    time: T,
    plan: 'plan-a',
    namespace: 'openshift-mtv',
    targetNamespace: 'demo',
    policy: 'disk',
    objective: 'makespan',
    maxInFlight: 20,
    maxInFlightPerHost: null,
    controllerMaxInFlight: 4,
    disks: 2,
    bytes: 60 * Gi,
    bytesDone: 0,
    adopted: { done: 0, running: 0, stuck: 0 },
    mtvRelease: { release: '2.12', source: 'schema' },
    planning: {
      strategy: 'disk order, best-ranked host first, hosts saturated 1x',
      simulations: 9,
      of: 27,
      seconds: 5.02,
    },
  },
  { type: 'queued', time: T, disk, bytes: 50 * Gi, reason: 'starts now' },
  { type: 'started', time: T, disk, bytes: 50 * Gi },
  {
    type: 'started',
    time: T,
    disk: { ...disk, index: 2, name: 'plan-a-app-01-disk-2' },
    bytes: 5 * Gi,
    adopted: true,
  },
  {
    type: 'progress',
    time: T,
    disk,
    bytes: 50 * Gi,
    bytesDone: 10 * Gi,
    rate: null,
    phase: 'ImportInProgress',
    restarts: 0,
  },
  { type: 'finished', time: T, disk, bytes: 50 * Gi, seconds: 61 },
  { type: 'stuck', time: T, disk: summary.problems[0].disk, bytes: 10 * Gi, reason: 'importer restarted 3 times' },
  { type: 'warning', time: T, message: 'adaptive admission: cannot write ConfigMap "x" in "y" (boom); retrying later' },
  { type: 'summary', time: T, summary },
];

function report(output: RunOutput, view: 'plain' | 'none' = 'plain') {
  let stdout = '';
  let stderr = '';
  const reporter = createRunReporter(output, view, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  for (const event of EVENTS) reporter.event(event);
  reporter.close();
  return { stdout, stderr };
}

describe('run reporters', () => {
  it('off a terminal, writes plain timestamped lines on stderr: the plan with the controller figure, starts, ends, stuck disks, the verdict', () => {
    expect(report('table').stderr.split('\n')).toEqual([
      "03:04:05 plan openshift-mtv/plan-a (MTV 2.12): 2 disks, 60 GiB into namespace demo; policy disk for makespan, at most 20 in flight; the controller's MAX_VM_INFLIGHT is 4 per host (a per-host figure, not used as this run's cap); planned from 9 of 27 simulations (time budget spent after 5.0s)",
      '03:04:05 started app-01 disk 0 (plan-a-app-01-disk-0, 50 GiB)',
      '03:04:05 adopted app-01 disk 2 (plan-a-app-01-disk-2, 5 GiB): in flight since an earlier run',
      '03:04:05 finished app-01 disk 0 (plan-a-app-01-disk-0, 50 GiB) in 1m1s',
      '03:04:05 stuck app-01 disk 1 (plan-a-app-01-disk-1, 10 GiB): importer restarted 3 times (its DataVolume is left as is)',
      '03:04:05 warning: adaptive admission: cannot write ConfigMap "x" in "y" (boom); retrying later',
      '03:04:05 stuck: 1/2 disks transferred, 1 stuck in 1m5s',
      '',
    ]);
  });

  it("says forklift's cap is per host, as the controller's, and disk's over the run", () => {
    const plan = EVENTS[0] as Extract<RunEvent, { type: 'plan' }>;
    expect(formatPlanLine({ ...plan, policy: 'forklift' })).toContain(
      'policy forklift, at most 20 in flight per host;',
    );
    expect(formatPlanLine({ ...plan, policy: 'forklift', maxInFlightPerHost: 3 })).toContain(
      'policy forklift, at most 3 in flight per host;',
    );
    expect(formatPlanLine({ ...plan, maxInFlightPerHost: 3 })).toContain(
      'policy disk for makespan, at most 20 in flight, 3 per host;',
    );
    // the objective is disk's: a warm run, or another policy, plans for none
    expect(formatPlanLine({ ...plan, objective: 'downtime' })).toContain('policy disk for downtime, at most');
    expect(formatPlanLine({ ...plan, objective: null })).toContain('policy disk, at most 20 in flight;');
  });

  it('-o ndjson writes every event as one JSON line on stdout, the summary last', () => {
    const lines = report('ndjson').stdout.trim().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual(EVENTS);
  });

  it('-o json writes the summary object alone on stdout', () => {
    expect(JSON.parse(report('json').stdout)).toEqual(summary);
  });

  it('table writes the counts, the stuck disks with their reasons and the note on stdout', () => {
    expect(report('table').stdout).toBe(
      [
        'OUTCOME   DISKS   TRANSFERRED   STUCK   FAILED   IN FLIGHT   NOT STARTED   BYTES    ELAPSED',
        'stuck     2       1             1       0        0           0             60 GiB   1m5s',
        '',
        'VM       DISK   DATAVOLUME             REASON',
        'app-01   1      plan-a-app-01-disk-1   importer restarted 3 times',
        '',
        'disks only: the VMs are not created yet',
        '',
      ].join('\n'),
    );
    expect(formatSummary({ ...summary, problems: [], note: '' })).toContain(DISKS_ONLY);
  });

  it('table lists each VM after its disks, and which were made Halted because the source still ran', () => {
    const text = formatSummary({
      ...summary,
      outcome: 'completed',
      stuck: 0,
      transferred: 2,
      problems: [],
      note: '',
      vms: [
        { vm: 'app-01', name: 'app-01', state: 'ready', runStrategy: 'Always', status: 'Running' },
        {
          vm: 'Web_02',
          name: 'web-02',
          state: 'ready',
          runStrategy: 'Halted',
          status: 'Stopped',
          reason: 'its source VM is still powered on',
          haltedSourceOn: true,
        },
        { vm: 'db', name: 'db', state: 'failed', reason: 'KubeVirt reports CrashLoopBackOff' },
      ],
    });
    expect(text.split('\n').slice(3)).toEqual([
      'SOURCE VM   VM       STATE    RUN STRATEGY   STATUS    REASON',
      'app-01      app-01   ready    Always         Running',
      'Web_02      web-02   ready    Halted         Stopped   its source VM is still powered on',
      'db          db       failed   -              -         KubeVirt reports CrashLoopBackOff',
      '',
      'Made Halted because the source VM was still powered on: web-02. Start each once its source is off: virtctl start NAME',
      '',
    ]);
    expect(text).not.toContain(DISKS_ONLY);
  });

  it('leaves stderr to the live view when it shows the run, and stdout unchanged', () => {
    const { stdout, stderr } = report('json', 'none');
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toEqual(summary);
  });
});

describe('exitCodeOf', () => {
  it.each([
    ['completed', 0, 0, 0],
    ['stuck', 1, 0, 1],
    ['completed', 0, 1, 1],
    ['timeout', 0, 0, 4],
    ['lease-lost', 0, 0, 5],
    ['controller-took-over', 0, 0, 3],
    ['interrupted', 0, 0, 130],
  ] as const)('a run %s with %d stuck and %d failed exits %d', (outcome, stuck, failed, code) => {
    expect(exitCodeOf({ ...summary, outcome, stuck, failed, problems: [] })).toBe(code);
  });
});

describe('the source power lines (--power-off-source)', () => {
  const event = (phase: 'requested' | 'off' | 'failed', extra: object = {}): RunEvent => ({
    type: 'source-power',
    time: '2026-12-03T10:00:00.000Z',
    vm: 'web-01',
    phase,
    action: 'shutdown',
    was: 'poweredOn',
    ...extra,
  });

  it('says what was asked, when the VM is off, and why it was not', () => {
    expect(vmEventLine(event('requested'))).toBe('shutting down source VM web-01 (ShutdownGuest; it was poweredOn)');
    expect(vmEventLine({ ...event('requested'), action: 'power-off' } as RunEvent)).toBe(
      'shutting down source VM web-01 (PowerOffVM_Task; it was poweredOn)',
    );
    expect(vmEventLine(event('off', { seconds: 41.6 }))).toBe(
      'source VM web-01 is powered off after 42 s; its disks copy now',
    );
    expect(vmEventLine(event('failed', { reason: 'still poweredOn 600 s after ShutdownGuest' }))).toBe(
      'source VM web-01 not powered off: still poweredOn 600 s after ShutdownGuest; its disks are not copied',
    );
  });
});

describe('the dry-run schedule header (--dry-run=client)', () => {
  const scheduler = { policy: 'disk', maxInFlight: 20, order: 'largest' } as const;
  const schedule = [{ ...disk, bytes: 10 * Gi, startSeconds: 0, endSeconds: 102.4 }];
  const intro = (adaptive?: boolean) =>
    formatDryRunSchedule(schedule, scheduler, 100 * 2 ** 20, adaptive)
      .split('\n')
      .slice(0, 3);

  it('says the bandwidths are unknown: every host uncapped, every disk at the planning rate', () => {
    expect(intro()[1]).toBe(
      '# Bandwidth unknown: the schedule assumes every host uncapped and every disk copying at 100 MiB/s; ' +
        "the order is the engine's, the times are estimates.",
    );
    expect(intro()[2]).toMatch(
      /^# The run admits up to the caps whatever the hosts sustain \(--no-adaptive; without it the run learns them/,
    );
  });

  it('with adaptive admission (the default), says the run learns them', () => {
    expect(intro(true)[2]).toMatch(
      /^# The run learns each host's bandwidth while it copies and re-plans with it \(adaptive admission/,
    );
  });
});
