/**
 * Resume (issue 4): `kubectl mtv migrate` stopped at several points, with Ctrl-C (SIGINT) and with a crash (SIGKILL),
 * then run again, ends with every plan disk copied by exactly one Succeeded DataVolume, none duplicated, none lost,
 * and never more than the cap copying at once on the cluster's side. After SIGINT the Lease is released and a plain
 * re-run goes on; after SIGKILL the dead run's Lease is still live: a re-run is refused (exit 5) until --takeover.
 * The built plugin against `kubectl mtv sandbox` in another process, as a user runs them.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxStats } from '@kubectl-mtv/sandbox';
import { DEFAULT_SANDBOX_SCENARIO } from '@kubectl-mtv/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { connectKube, type KubeClient } from '../../src/cluster/kube-client.js';
import type { RunEvent, RunSummary } from '../../src/runner/run-events.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(repo, 'bin', 'kubectl-mtv');
const DISKS = DEFAULT_SANDBOX_SCENARIO.vms.reduce((sum, vm) => sum + vm.disks.length, 0);
/** Small enough that admissions spread over the whole run (the default scenario has 92 disks). */
const CAP = 6;
/** Simulated seconds per real second: the default scenario at cap 6 (about 9 900 simulated s) lasts about 33 s. */
const SPEED = 300;
/** How long any one awaited event may take; generous, for a loaded CI machine. */
const EVENT_TIMEOUT_MS = 30_000;

const LEASES = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespace: 'openshift-mtv' };
const LEASE_NAME = 'kubectl-mtv-plan-a';
const DATAVOLUMES = { group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datavolumes', namespace: 'demo' };
const PLANS = { group: 'forklift.konveyor.io', version: 'v1beta1', plural: 'plans', namespace: 'openshift-mtv' };

interface Finished {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** A spawned plugin: its output so far, its ndjson events as they come, and its end. */
interface Running {
  child: ChildProcessWithoutNullStreams;
  done: Promise<Finished>;
  stdout: () => string;
  stderr: () => string;
  events: RunEvent[];
  /** Resolves with the first event list for which `test` holds; rejects if the process ends first or on timeout. */
  until(what: string, test: (events: RunEvent[]) => boolean): Promise<RunEvent[]>;
}

interface LeaseObject {
  spec: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number; leaseTransitions?: number };
}

interface DataVolume {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  status?: { phase?: string };
}

type PlanEvent = Extract<RunEvent, { type: 'plan' }>;
type StartedEvent = Extract<RunEvent, { type: 'started' }>;

const children: ChildProcessWithoutNullStreams[] = [];
let dir: string;

/** vitest's NODE_ENV=test would put oclif in development mode; CI set keeps the output plain. */
function pluginEnv(): NodeJS.ProcessEnv {
  const { NODE_ENV: _, KUBECONFIG: __, MTV_INVENTORY_URL: ___, MAX_VM_INFLIGHT: ____, ...env } = process.env;
  return { ...env, NO_COLOR: '1', CI: '1' };
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env: pluginEnv() });
  children.push(child);
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
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('{')) events.push(JSON.parse(line) as RunEvent);
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<Finished>((resolve) =>
    child.on('close', (code, signal) => {
      ended = true;
      notify();
      resolve({ code, signal, stdout, stderr });
    }),
  );
  const until = (what: string, test: (events: RunEvent[]) => boolean) =>
    new Promise<RunEvent[]>((resolve, reject) => {
      const check = () => {
        if (test(events)) {
          finish();
          resolve(events);
        } else if (ended) {
          finish();
          reject(new Error(`migrate ended (${child.exitCode ?? child.signalCode}) before ${what}:\n${stderr}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no ${what} within ${EVENT_TIMEOUT_MS / 1000} s:\n${stderr}`));
      }, EVENT_TIMEOUT_MS);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return { child, done, stdout: () => stdout, stderr: () => stderr, events, until };
}

let kubeconfig: string;
let client: KubeClient;
let selector: string;
/** The plan's DataVolume names, from --dry-run=client. */
let planned: string[];

const migrateArgs = (...args: string[]) => [
  'migrate',
  'plan-a',
  '-n',
  'openshift-mtv',
  '--kubeconfig',
  kubeconfig,
  '--allow-powered-on',
  '--max-inflight',
  String(CAP),
  // this test judges the copy by its DataVolumes, which making the VMs deletes: the VM phase has its own test below
  '--disks-only',
  ...args,
];

const stats = () => client.transport.request<SandboxStats>('GET', '/sandbox/v1/stats');
const lease = () => client.get<LeaseObject>(LEASES, LEASE_NAME);
const planDataVolumes = () => client.list<DataVolume>(DATAVOLUMES, { labelSelector: selector });

/** user@host as the plugin writes it in the Lease (`user@host/pid`). */
function userAtHost(): string {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry: $USER, as the plugin does
  }
  return `${user}@${hostname()}`;
}

/** The `started` events of disks this run created (the ones it adopted as in flight come first, right after `plan`). */
function newStarts(events: RunEvent[]): StartedEvent[] {
  const plan = events.find((e): e is PlanEvent => e.type === 'plan');
  if (!plan) return [];
  const started = events.filter((e): e is StartedEvent => e.type === 'started');
  return started.slice(plan.adopted.running);
}

/** The run's summary: the last ndjson line. */
function summaryOf(end: Finished): RunSummary {
  const last = JSON.parse(end.stdout.trim().split('\n').at(-1) as string) as RunEvent;
  expect(last.type).toBe('summary');
  return (last as { summary: RunSummary }).summary;
}

interface Stop {
  signal: 'SIGINT' | 'SIGKILL';
  /** New DataVolumes this run starts before it is stopped. */
  after: number;
  takeover: boolean;
}

/**
 * One interrupted run: checks it adopts exactly what the cluster holds and creates only disks that have no
 * DataVolume, stops it with `signal` once it has started `after` disks, and checks how it ended and the Lease.
 */
async function interruptedRun(step: Stop, label: string): Promise<{ started: string[] }> {
  const before = await planDataVolumes();
  const existing = new Set(before.map((dv) => dv.metadata.name));
  const run = start(migrateArgs('-o', 'ndjson', ...(step.takeover ? ['--takeover'] : [])));
  const events = await run.until(`${label}: plan event`, (all) => all.some((e) => e.type === 'plan'));
  const plan = events.find((e): e is PlanEvent => e.type === 'plan') as PlanEvent;
  // adoption: what the cluster holds, no more, no less; nothing stuck
  expect(plan.disks, label).toBe(DISKS);
  expect(plan.maxInFlight, label).toBe(CAP);
  expect(plan.adopted.stuck, label).toBe(0);
  expect(plan.adopted.done + plan.adopted.running, label).toBe(before.length);
  // the Lease is this run's now
  expect((await lease())?.spec.holderIdentity, label).toBe(`${userAtHost()}/${run.child.pid}`);

  await run.until(`${label}: ${step.after} new started events`, (all) => newStarts(all).length >= step.after);
  run.child.kill(step.signal);
  const end = await run.done;
  const started = newStarts(run.events).map((e) => e.disk.name);
  // a run creates only disks that had no DataVolume when it started, each once
  expect(
    started.filter((name) => existing.has(name)),
    label,
  ).toEqual([]);
  expect(new Set(started).size, label).toBe(started.length);
  for (const name of started) expect(planned, label).toContain(name);

  if (step.signal === 'SIGINT') {
    expect({ code: end.code, signal: end.signal }, `${label}: ${end.stderr}`).toEqual({ code: 130, signal: null });
    const summary = summaryOf(end);
    expect(summary.outcome, label).toBe('interrupted');
    expect(summary.disks, label).toBe(DISKS);
    expect(summary.notStarted, label).toBeGreaterThan(0);
    expect(end.stderr, label).toContain('migrate: SIGINT: no new disks start');
    // the Lease is released: the next run needs no --takeover
    expect(await lease(), label).toBeUndefined();
  } else {
    expect(end.signal, label).toBe('SIGKILL');
    // the dead run's Lease stays, held by its pid, until it expires
    const held = await lease();
    expect(held?.spec.holderIdentity, label).toBe(`${userAtHost()}/${run.child.pid}`);
  }
  const after = await planDataVolumes();
  // nothing this run created is lost, and every DataVolume is one of the plan's
  for (const name of existing) expect(after.map((dv) => dv.metadata.name)).toContain(name);
  expect(after.length, label).toBeLessThanOrEqual(DISKS);
  expect((await stats()).imports.peak, label).toBeLessThanOrEqual(CAP);
  return { started };
}

/** After a SIGKILL: a plain re-run finds the dead run's live Lease and exits 5, naming it, creating nothing. */
async function expectLocked(label: string): Promise<void> {
  const held = await lease();
  const holder = held?.spec.holderIdentity as string;
  expect(holder, label).toMatch(new RegExp(`^${userAtHost().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\d+$`));
  const dvsBefore = (await planDataVolumes()).map((dv) => dv.metadata.name).sort();
  const importsBefore = (await stats()).imports.started;
  const run = start(migrateArgs('-o', 'ndjson'));
  const end = await run.done;
  expect(end.code, `${label}: ${end.stderr}`).toBe(5);
  expect(end.stdout, label).toBe('');
  expect(end.stderr.split('\n'), label).toHaveLength(2);
  expect(end.stderr, label).toMatch(
    new RegExp(`^error: plan "plan-a" is being migrated by ${holder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `),
  );
  expect(end.stderr, label).toContain('run again with --takeover');
  // refused: the Lease is untouched and nothing was created
  expect((await lease())?.spec.holderIdentity, label).toBe(holder);
  expect((await planDataVolumes()).map((dv) => dv.metadata.name).sort(), label).toEqual(dvsBefore);
  expect((await stats()).imports.started, label).toBe(importsBefore);
}

let sandbox: Running;

beforeAll(async () => {
  if (!existsSync(join(repo, 'dist', 'commands', 'migrate.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
  dir = mkdtempSync(join(tmpdir(), 'kubectl-mtv-resume-e2e-'));
  kubeconfig = join(dir, 'kubeconfig');
  sandbox = start(['sandbox', '--speed', String(SPEED), '--port', '0', '--kubeconfig', kubeconfig]);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the sandbox printed no kubeconfig path within 15 s')), 15_000);
    sandbox.child.stdout.on('data', () => {
      if (sandbox.stdout().includes('\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
    sandbox.done.then((end) => reject(new Error(`the sandbox exited (${end.code}): ${end.stderr}`)));
  });
  client = await connectKube({ kubeconfig, env: {}, requestTimeoutMs: 10_000 });
}, 30_000);

afterAll(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('kubectl mtv migrate, stopped and run again', () => {
  it('ends with one Succeeded DataVolume per disk, none duplicated, none lost, the cap held, across SIGINT and SIGKILL', async () => {
    // what the plan copies: its DataVolume names, and the label that selects them (the Plan's uid)
    const dryRun = start(migrateArgs('--dry-run=client'));
    const shown = await dryRun.done;
    expect(shown.code, shown.stderr).toBe(0);
    const documents = parseAllDocuments(shown.stdout);
    const manifests = (Array.isArray(documents) ? documents : [documents])
      .map((doc) => doc.toJS() as DataVolume | null)
      .filter((doc): doc is DataVolume => doc !== null);
    planned = manifests.map((m) => m.metadata.name);
    expect(planned).toHaveLength(DISKS);
    expect(new Set(planned).size).toBe(DISKS);
    const uid = (await client.get<{ metadata: { uid: string } }>(PLANS, 'plan-a'))?.metadata.uid as string;
    expect(uid).toBeTruthy();
    expect(new Set(manifests.map((m) => m.metadata.labels?.['kubectl-mtv.konveyor.io/plan-uid']))).toEqual(
      new Set([uid]),
    );
    selector = `kubectl-mtv.konveyor.io/plan-uid=${uid}`;
    expect(await planDataVolumes()).toEqual([]);

    // stopped at several points: at the first admissions, mid-burst, and later on
    const steps: Stop[] = [
      { signal: 'SIGINT', after: 3, takeover: false },
      { signal: 'SIGKILL', after: 1, takeover: false },
      { signal: 'SIGINT', after: 8, takeover: true },
      { signal: 'SIGKILL', after: 12, takeover: false },
    ];
    const createdBy: string[][] = [];
    for (const [i, step] of steps.entries()) {
      const label = `run ${i + 1} (${step.signal} after ${step.after} started${step.takeover ? ', --takeover' : ''})`;
      createdBy.push((await interruptedRun(step, label)).started);
      if (step.signal === 'SIGKILL' && i === 1) await expectLocked(`after ${label}`);
    }
    // the last stop was a SIGKILL: only --takeover goes on before the Lease expires
    const final = start(migrateArgs('-o', 'ndjson', '--takeover'));
    const planEvents = await final.until('final run: plan event', (all) => all.some((e) => e.type === 'plan'));
    const plan = planEvents.find((e): e is PlanEvent => e.type === 'plan') as PlanEvent;
    expect(plan.adopted.done + plan.adopted.running).toBeGreaterThan(0);
    const end = await final.done;
    expect(end.code, end.stderr).toBe(0);
    expect(end.stderr).toContain(`completed: ${DISKS}/${DISKS} disks transferred`);
    expect(summaryOf(end)).toMatchObject({
      outcome: 'completed',
      disks: DISKS,
      transferred: DISKS,
      stuck: 0,
      failed: 0,
      notStarted: 0,
    });
    expect(await lease()).toBeUndefined();

    // every disk was started by some run; no disk was created twice
    const everStarted = new Set([...createdBy.flat(), ...newStarts(final.events).map((e) => e.disk.name)]);
    expect([...everStarted].sort()).toEqual([...planned].sort());

    // the cluster: exactly one Succeeded DataVolume per plan disk, and no other in the namespace
    const dvs = await planDataVolumes();
    const names = dvs.map((dv) => dv.metadata.name);
    expect(names).toHaveLength(DISKS);
    expect(new Set(names).size).toBe(DISKS);
    expect([...names].sort()).toEqual([...planned].sort());
    expect(dvs.filter((dv) => dv.status?.phase !== 'Succeeded').map((dv) => dv.metadata.name)).toEqual([]);
    expect(dvs.filter((dv) => dv.metadata.annotations?.['kubectl-mtv/stuck'] !== undefined)).toEqual([]);
    expect(await client.list<DataVolume>(DATAVOLUMES)).toHaveLength(DISKS);

    // the sandbox's side: one import per disk, all done, never more than the cap at once across all the runs
    const { imports } = await stats();
    expect(imports.started).toBe(DISKS);
    expect(imports.succeeded).toBe(DISKS);
    expect(imports.current).toBe(0);
    expect(imports.peak).toBeLessThanOrEqual(CAP);
    // the cap was used, so holding it means something
    expect(imports.peak).toBe(CAP);
  }, 120_000);

  it('then makes the VMs: killed (SIGKILL) once it made the first, a --takeover run makes the rest, one VM each, no disk copied again', async () => {
    // the copy above left every disk Succeeded and no VM: a run killed between the disks and the VMs
    const vmArgs = (...args: string[]) => migrateArgs(...args).filter((arg) => arg !== '--disks-only');
    const vmsRef = { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachines', namespace: 'demo' };
    const claimsRef = { version: 'v1', plural: 'persistentvolumeclaims', namespace: 'demo' };
    const first = start(vmArgs('-o', 'ndjson'));
    await first.until('the first vm-created event', (all) => all.some((e) => e.type === 'vm-created'));
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const made = await client.list<{ metadata: { name: string } }>(vmsRef);
    expect(made.length).toBeGreaterThan(0);

    const again = start(vmArgs('-o', 'ndjson', '--takeover'));
    const end = await again.done;
    expect(end.code, end.stderr).toBe(0);
    const summary = summaryOf(end);
    const vmCount = DEFAULT_SANDBOX_SCENARIO.vms.length;
    expect(summary.vms?.map((vm) => vm.state)).toEqual(Array(vmCount).fill('ready'));
    // no disk was copied again: the re-run started none and the sandbox imported each disk once
    expect(newStarts(again.events)).toEqual([]);
    expect((await stats()).imports.started).toBe(DISKS);
    // one VM per plan VM (the ones the killed run made were found, not made again), each owning its PVCs
    const vms = await client.list<{ metadata: { name: string; uid: string } }>(vmsRef);
    expect(vms).toHaveLength(vmCount);
    for (const name of made.map((vm) => vm.metadata.name)) expect(vms.map((vm) => vm.metadata.name)).toContain(name);
    expect(await client.list<DataVolume>(DATAVOLUMES)).toEqual([]);
    const claims = await client.list<{ metadata: { name: string; ownerReferences?: { kind: string; uid: string }[] } }>(
      claimsRef,
    );
    expect(claims.map((claim) => claim.metadata.name).sort()).toEqual([...planned].sort());
    const uids = new Set(vms.map((vm) => vm.metadata.uid));
    for (const claim of claims) {
      expect(claim.metadata.ownerReferences?.length, claim.metadata.name).toBe(1);
      expect(uids.has(claim.metadata.ownerReferences?.[0].uid ?? ''), claim.metadata.name).toBe(true);
    }
  }, 120_000);
});
