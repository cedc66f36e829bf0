/**
 * `kubectl mtv migrate` of a warm plan as a user runs it, against `kubectl mtv sandbox` in another process with a
 * warm scenario and its vCenter: precopy rounds every --precopy-interval, the cutover at --cutover (sources shut down,
 * final checkpoint), every DataVolume Succeeded after checkpoints that name one snapshot each, no snapshot left in
 * vCenter, the VMs made; and a run killed with SIGKILL between precopies resumes from its record without a second
 * snapshot for a round or a repeated checkpoint.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SANDBOX_SCENARIO } from '@kubectl-mtv/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryClient } from '../../src/cluster/inventory-client.js';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import type { RunEvent } from '../../src/runner/run-events.js';
import { connectVCenter } from '../../src/vsphere/index.js';
import { killAll, requireBuild, type SandboxProcess, start, startSandbox } from './plugin-fixture.js';

const NS = 'openshift-mtv';
/** The default scenario's single-disk web VMs, warm. */
const WARM_VMS = DEFAULT_SANDBOX_SCENARIO.vms.filter((vm) => vm.name.startsWith('web-')).slice(0, 4);

let dir: string;

interface DataVolume {
  metadata: { name: string };
  spec: { checkpoints?: { previous: string; current: string }[]; finalCheckpoint?: boolean };
  status?: { phase?: string };
}

async function warmSandbox(...args: string[]): Promise<SandboxProcess> {
  const file = join(dir, `warm-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify({ ...DEFAULT_SANDBOX_SCENARIO, migration: 'warm', vms: WARM_VMS }));
  return startSandbox(dir, '--scenario', file, '--speed', '300', ...args);
}

const events = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as RunEvent);

/** The sandbox's vCenter, logged in with the Provider Secret's credentials, as a user's tool would. */
async function vcenterSnapshots(cluster: SandboxProcess): Promise<string[]> {
  const provider = await cluster.client.get<{ metadata: { uid: string }; spec: { url: string } }>(
    inNamespace(RESOURCES.providers, NS),
    'vsphere-a',
  );
  const inventory = await new InventoryClient(cluster.client, { env: {} }).vsphereVms(provider?.metadata.uid ?? '');
  const secret = await cluster.client.get<{ data: Record<string, string> }>(
    inNamespace(RESOURCES.secrets, NS),
    'vsphere-a-secret',
  );
  const text = (key: string) => Buffer.from(secret?.data[key] ?? '', 'base64').toString();
  const session = await connectVCenter({
    url: provider?.spec.url ?? '',
    user: text('user'),
    password: text('password'),
    ca: text('cacert'),
  });
  try {
    const names: string[] = [];
    const uuids = inventory.filter((vm) => WARM_VMS.some((w) => w.name === vm.name)).map((vm) => vm.uuid);
    expect(uuids.length).toBe(WARM_VMS.length);
    for (const uuid of uuids) {
      const ref = await session.findVm(uuid);
      expect(ref).toBeDefined();
      if (ref) names.push(...(await session.snapshots(ref)).map((s) => s.name));
    }
    return names;
  } finally {
    await session.logout();
  }
}

async function dataVolumes(cluster: SandboxProcess): Promise<DataVolume[]> {
  return cluster.client.list<DataVolume>(inNamespace(RESOURCES.dataVolumes, 'demo'));
}

/** Every DataVolume copied each of its checkpoints once, from one snapshot per round, chained by changeIds. */
function expectCheckpointChains(dvs: readonly DataVolume[], rounds: number): void {
  for (const dv of dvs) {
    const checkpoints = dv.spec.checkpoints ?? [];
    expect(dv.status?.phase, dv.metadata.name).toBe('Succeeded');
    expect(dv.spec.finalCheckpoint, dv.metadata.name).toBe(true);
    expect(checkpoints.length, dv.metadata.name).toBeGreaterThanOrEqual(rounds);
    expect(new Set(checkpoints.map((c) => c.current)).size, dv.metadata.name).toBe(checkpoints.length);
    expect(checkpoints[0].previous).toBe('');
    for (const later of checkpoints.slice(1)) expect(later.previous, dv.metadata.name).toMatch(/\S/);
  }
}

/** A warm run with a short cutover that fails one VM: exit 1, its events. */
async function runFailingOneVm(kube: readonly string[]): Promise<RunEvent[]> {
  const run = await start(
    ['migrate', 'plan-a', ...kube, '-o', 'ndjson', '--no-tui', '--precopy-interval', '2s', '--cutover', '4s'],
    dir,
  ).done;
  expect(run.code).toBe(1);
  return events(run.stdout);
}

/** The summary has `failing` not created and every other warm VM ready. */
function expectOnlyFailed(all: readonly RunEvent[], failing: string): void {
  const summary = all.at(-1);
  const vms = summary?.type === 'summary' ? (summary.summary.vms ?? []) : [];
  for (const vm of WARM_VMS) {
    expect(vms.find((v) => v.vm === vm.name)?.state, vm.name).toBe(vm.name === failing ? 'not-created' : 'ready');
  }
}

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'kubectl-mtv-warm-e2e-'));
});

afterAll(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubectl mtv migrate of a warm plan', () => {
  it('copies precopy rounds, cuts over at --cutover, leaves no snapshot and makes the VMs', async () => {
    const cluster = await warmSandbox();
    const run = await start(
      [
        'migrate',
        'plan-a',
        '-n',
        NS,
        '--kubeconfig',
        cluster.kubeconfig,
        '-o',
        'ndjson',
        '--no-tui',
        '--precopy-interval',
        '2s',
        '--cutover',
        '12s',
      ],
      dir,
    ).done;
    expect(run.stderr).not.toContain('error:');
    expect(run.code).toBe(0);
    const all = events(run.stdout);
    for (const vm of WARM_VMS) {
      const snapshots = all.filter((e) => e.type === 'warm' && e.vm === vm.name && e.phase === 'snapshot');
      const rounds = snapshots.map((e) => (e.type === 'warm' ? e.round : 0));
      // the initial copy, at least two precopies, the final copy: each round once, in order
      expect(rounds.length, vm.name).toBeGreaterThanOrEqual(4);
      expect(rounds, vm.name).toEqual(rounds.map((_, i) => i + 1));
      expect(snapshots.at(-1)).toMatchObject({ final: true });
      const cutover = all.findIndex((e) => e.type === 'warm' && e.vm === vm.name && e.phase === 'cutover');
      const off = all.findIndex((e) => e.type === 'source-power' && e.vm === vm.name && e.phase === 'off');
      const finalSnapshot = snapshots.length > 0 ? all.indexOf(snapshots[snapshots.length - 1]) : -1;
      expect(cutover, vm.name).toBeGreaterThan(-1);
      expect(off, vm.name).toBeGreaterThan(cutover);
      expect(finalSnapshot, vm.name).toBeGreaterThan(off);
      expect(all.some((e) => e.type === 'warm' && e.vm === vm.name && e.phase === 'downtime')).toBe(true);
    }
    const summary = all.at(-1);
    expect(summary?.type === 'summary' && summary.summary.vms?.map((vm) => vm.state)).toEqual(
      WARM_VMS.map(() => 'ready'),
    );
    // each VM's downtime: from its cutover to its VM made, as the downtime events said
    for (const vm of summary?.type === 'summary' ? (summary.summary.vms ?? []) : []) {
      const said = all.find((e) => e.type === 'warm' && e.vm === vm.vm && e.phase === 'downtime');
      expect(vm.downtimeSeconds, vm.vm).toBeGreaterThan(0);
      expect(vm.downtimeSeconds).toBe(said?.type === 'warm' ? said.seconds : -1);
    }
    expectCheckpointChains(await dataVolumes(cluster), 4);
    expect(await vcenterSnapshots(cluster)).toEqual([]);
    // a re-run finds every VM made: it adopts them and says they are ready, as a cold re-run does
    const again = await start(['migrate', 'plan-a', '-n', NS, '--kubeconfig', cluster.kubeconfig, '-o', 'ndjson'], dir)
      .done;
    expect(again.code, again.stderr).toBe(0);
    const last = events(again.stdout).at(-1);
    expect(last?.type === 'summary' && last.summary.outcome).toBe('completed');
    expect(last?.type === 'summary' && last.summary.vms?.map((vm) => vm.state)).toEqual(WARM_VMS.map(() => 'ready'));
    cluster.child.kill('SIGKILL');
  });

  it('resumes a run killed between precopies: no round snapshotted twice, no checkpoint repeated', async () => {
    const cluster = await warmSandbox();
    const args = ['migrate', 'plan-a', '-n', NS, '--kubeconfig', cluster.kubeconfig, '-o', 'ndjson', '--no-tui'];
    const first = start([...args, '--precopy-interval', '2s', '--cutover', '30s'], dir);
    // killed once every VM has copied its first precopy
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const paused = events(first.stdout()).filter((e) => e.type === 'warm' && e.phase === 'paused' && e.round >= 2);
        if (new Set(paused.map((e) => (e.type === 'warm' ? e.vm : ''))).size === WARM_VMS.length) {
          clearInterval(timer);
          resolve();
        }
      }, 100);
      first.done.then(() => {
        clearInterval(timer);
        reject(new Error(`the first run ended before it was killed: ${first.stderr()}`));
      });
    });
    first.child.kill('SIGKILL');
    await first.done;
    const before = events(first.stdout());
    // the second run is told to cut over now: it copies the round in progress (if any), then cuts over
    const second = await start([...args, '--precopy-interval', '2s', '--cutover', 'now', '--takeover'], dir).done;
    expect(second.stderr).not.toContain('error:');
    expect(second.code).toBe(0);
    const after = events(second.stdout);
    for (const vm of WARM_VMS) {
      const taken = [...before, ...after].flatMap((e) =>
        e.type === 'warm' && e.vm === vm.name && e.phase === 'snapshot' ? [e] : [],
      );
      // a round's snapshot said twice (before the kill, and found again) names the same snapshot
      const byRound = new Map<number, Set<string>>();
      for (const e of taken) byRound.set(e.round, (byRound.get(e.round) ?? new Set()).add(e.snapshot ?? ''));
      for (const [round, names] of byRound) expect(names.size, `${vm.name} round ${round}`).toBe(1);
    }
    expectCheckpointChains(await dataVolumes(cluster), 3);
    expect(await vcenterSnapshots(cluster)).toEqual([]);
    cluster.child.kill('SIGKILL');
  });

  it('precopies until `kubectl mtv cutover` asks, which the running run applies; top shows the VMs between precopies', async () => {
    const cluster = await warmSandbox();
    const kube = ['-n', NS, '--kubeconfig', cluster.kubeconfig];
    const run = start(['migrate', 'plan-a', ...kube, '-o', 'ndjson', '--no-tui', '--precopy-interval', '3s'], dir);
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const paused = events(run.stdout()).filter((e) => e.type === 'warm' && e.phase === 'paused' && e.round >= 2);
        if (paused.length > 0) {
          clearInterval(timer);
          resolve();
        }
      }, 100);
      run.done.then(() => {
        clearInterval(timer);
        reject(new Error(`the run ended with no cutover: ${run.stderr()}`));
      });
    });
    const opening = events(run.stdout()).find((e) => e.type === 'settings');
    expect(opening).toMatchObject({ source: { kind: 'start' }, cutover: null });
    const top = await start(['top', 'plan-a', ...kube, '--once'], dir).done;
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/web-0\d\s+web-0\d\s+(paused|copying)\s/);
    expect(top.stdout).toContain('next precopy');
    const asked = await start(['cutover', 'plan-a', ...kube], dir).done;
    expect(asked.code).toBe(0);
    expect(asked.stderr).toMatch(/^cutover of plan openshift-mtv\/plan-a set to \S+: sent to the run held by /);
    const end = await run.done;
    expect(end.code).toBe(0);
    const all = events(end.stdout);
    const moved = all.find((e) => e.type === 'settings' && e.source.kind === 'remote');
    expect(moved?.type === 'settings' && moved.cutover).toMatch(/^\d{4}-/);
    expect(all.filter((e) => e.type === 'warm' && e.phase === 'downtime').length).toBe(WARM_VMS.length);
    // the record keeps the cutover for a re-run
    const maps = await cluster.client.list<{ metadata: { name: string }; data?: Record<string, string> }>(
      inNamespace(RESOURCES.configMaps, NS),
    );
    const record = maps.find((m) => m.metadata.name.startsWith('plan-a-warm-'));
    expect(JSON.parse(record?.data?.run ?? '{}').cutover).toBe(moved?.type === 'settings' ? moved.cutover : '');
    cluster.child.kill('SIGKILL');
  });

  it('clean --yes after a killed run removes its snapshots through vCenter and deletes its record', async () => {
    const cluster = await warmSandbox();
    const kube = ['-n', NS, '--kubeconfig', cluster.kubeconfig];
    const run = start(['migrate', 'plan-a', ...kube, '-o', 'ndjson', '--no-tui', '--precopy-interval', '1h'], dir);
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const paused = events(run.stdout()).filter((e) => e.type === 'warm' && e.phase === 'paused');
        if (paused.length === WARM_VMS.length) {
          clearInterval(timer);
          resolve();
        }
      }, 100);
      run.done.then(() => {
        clearInterval(timer);
        reject(new Error(`the run ended: ${run.stderr()}`));
      });
    });
    run.child.kill('SIGKILL');
    await run.done;
    // one snapshot per VM lives between precopies
    const left = await vcenterSnapshots(cluster);
    expect(left.length).toBe(WARM_VMS.length);
    // the dead run's Lease still looks held until it expires: clean waits for nobody, so it is told to go
    const lease = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/kubectl-mtv-plan-a`;
    await cluster.client.transport.request('DELETE', lease);
    const cleaned = await start(['clean', 'plan-a', ...kube, '--yes'], dir).done;
    expect(cleaned.stderr).not.toContain('error:');
    expect(cleaned.code).toBe(0);
    for (const name of left) expect(cleaned.stderr).toContain(`removed snapshot ${name} (`);
    expect(cleaned.stderr).toMatch(/the plan's warm record openshift-mtv\/plan-a-warm-[a-z0-9]{8} deleted/);
    expect(await vcenterSnapshots(cluster)).toEqual([]);
    const maps = await cluster.client.list<{ metadata: { name: string } }>(inNamespace(RESOURCES.configMaps, NS));
    expect(maps.filter((m) => m.metadata.name.startsWith('plan-a-warm-'))).toEqual([]);
    cluster.child.kill('SIGKILL');
  });

  it('fails only the VM whose DataVolume name another object holds, naming its owner; the others are made (exit 1)', async () => {
    const cluster = await warmSandbox();
    const kube = ['-n', NS, '--kubeconfig', cluster.kubeconfig];
    const dry = await start(
      ['migrate', 'plan-a', ...kube, '--dry-run=client', '-o', 'jsonpath={.items[0].metadata.name}'],
      dir,
    ).done;
    expect(dry.code).toBe(0);
    const taken = dry.stdout.trim();
    expect(taken).toMatch(/\S/);
    await cluster.client.create(inNamespace(RESOURCES.dataVolumes, 'demo'), {
      apiVersion: 'cdi.kubevirt.io/v1beta1',
      kind: 'DataVolume',
      metadata: { name: taken, namespace: 'demo' },
      spec: { source: { blank: {} }, storage: { resources: { requests: { storage: '1Gi' } } } },
    });
    const all = await runFailingOneVm(kube);
    const failed = all.find((e) => e.type === 'warm' && e.phase === 'failed');
    const failing = failed?.type === 'warm' ? failed.vm : '';
    expect(failed?.type === 'warm' && failed.reason).toBe(
      `a DataVolume named ${taken} exists in namespace "demo" and is not this disk's: ` +
        'no owner it names (no kubectl-mtv or Forklift labels); delete or rename it',
    );
    expectOnlyFailed(all, failing);
    expect(WARM_VMS.map((vm) => vm.name)).toContain(failing);
    // the other object is left as it was: no checkpoint added to it
    const other = (await dataVolumes(cluster)).find((dv) => dv.metadata.name === taken);
    expect(other?.spec.checkpoints).toBeUndefined();
    cluster.child.kill('SIGKILL');
  });

  it('fails only the VM whose snapshot vCenter refuses, with the reason; the others are made (exit 1)', async () => {
    const failing = WARM_VMS[1].name;
    const cluster = await warmSandbox('--fail-snapshot', failing);
    const kube = ['-n', NS, '--kubeconfig', cluster.kubeconfig];
    const all = await runFailingOneVm(kube);
    const failed = all.find((e) => e.type === 'warm' && e.phase === 'failed');
    expect(failed).toMatchObject({ vm: failing, round: 1 });
    expect(failed?.type === 'warm' && failed.reason).toMatch(
      new RegExp(`^snapshot of ${failing} failed: CreateSnapshot_Task error: `),
    );
    expectOnlyFailed(all, failing);
    // no DataVolume of the failed VM was made: nothing was copied from a snapshot that does not exist
    const names = (await dataVolumes(cluster)).map((dv) => dv.metadata.name);
    const failedDisks = all.flatMap((e) => (e.type === 'stuck' && e.disk.vm === failing ? [e.disk.name] : []));
    expect(failedDisks.length).toBeGreaterThan(0);
    for (const name of failedDisks) expect(names).not.toContain(name);
    cluster.child.kill('SIGKILL');
  });
});
