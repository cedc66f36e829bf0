/**
 * `kubectl mtv top` as a user runs it, against `kubectl mtv sandbox` with a `migrate` running in a third process: the
 * snapshot lists the DataVolumes the cluster is copying, --watch streams snapshots, and refusals are one line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TopJsonPlan } from '../../src/ui/live/top-table.js';
import { killAll, requireBuild, type SandboxProcess, start, startSandbox, until } from './plugin-fixture.js';

let dir: string;

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'kubectl-mtv-top-e2e-'));
});

afterEach(killAll);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const kube = (cluster: SandboxProcess) => ['--kubeconfig', cluster.kubeconfig];
const top = (cluster: SandboxProcess, ...args: string[]) => start(['top', ...kube(cluster), ...args], dir).done;

interface DataVolume {
  metadata: { name: string };
  status?: { phase?: string };
}

/** The plan's DataVolumes the cluster has not finished: created and not Succeeded. */
async function copying(cluster: SandboxProcess): Promise<string[]> {
  const dvs = await cluster.client.list<DataVolume>({
    group: 'cdi.kubevirt.io',
    version: 'v1beta1',
    plural: 'datavolumes',
    namespace: 'demo',
  });
  return dvs
    .filter((dv) => dv.status?.phase !== 'Succeeded')
    .map((dv) => dv.metadata.name)
    .sort();
}

describe('kubectl mtv top', () => {
  it('says nothing runs (exit 0), and refuses an unknown plan in one line (exit 1)', async () => {
    const cluster = await startSandbox(dir);
    const none = await top(cluster, '-n', 'openshift-mtv', '--once');
    expect(none).toMatchObject({
      code: 0,
      stdout: '',
      stderr: 'No kubectl-mtv migration is running in namespace "openshift-mtv".\n',
    });
    const json = await top(cluster, '-A', '--once', '-o', 'json');
    expect(JSON.parse(json.stdout)).toEqual({ plans: [] });
    const plan = await top(cluster, 'plan-z', '-n', 'openshift-mtv', '--once');
    expect(plan).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        'error: no kubectl-mtv migration of plan "plan-z" is running in namespace "openshift-mtv" ' +
        '(try: kubectl mtv top lists the running ones; kubectl mtv migrate PLAN starts one)\n',
    });
    const control = await top(cluster, '--control', '--once');
    expect(control.code).toBe(2);
    expect(control.stderr).toMatch(/^error: --control needs the live view on a terminal \(try: .*terminal.*\)\n$/);
  });

  it('--once -o json lists the DataVolumes the cluster is copying, with the runner, caps and queue', async () => {
    // slow enough that no disk finishes while the two are compared
    const cluster = await startSandbox(dir, '--speed', '4');
    const run = start(
      [
        'migrate',
        'plan-a',
        '-n',
        'openshift-mtv',
        ...kube(cluster),
        '--allow-powered-on',
        '--max-inflight',
        '6',
        '--adaptive',
      ],
      dir,
    );
    let plans: TopJsonPlan[] = [];
    await until(
      async () => {
        const snap = await top(cluster, '-n', 'openshift-mtv', '--once', '-o', 'json');
        plans = (JSON.parse(snap.stdout) as { plans: TopJsonPlan[] }).plans;
        return plans[0]?.inFlight.length === 6 && plans[0].learned !== undefined;
      },
      20_000,
      'six disks in flight in the snapshot, and the hosts adaptive admission learned',
    );
    const [plan] = plans;
    expect(Object.keys(plan).slice(0, 11)).toEqual([
      'plan',
      'namespace',
      'holder',
      'policy',
      'cap',
      'paused',
      'inFlight',
      'queued',
      'completed',
      'stuck',
      expect.any(String),
    ]);
    expect(plan).toMatchObject({ plan: 'plan-a', namespace: 'openshift-mtv', policy: 'disk', cap: 6, paused: false });
    expect(plan.holder).toMatch(/^.+@.+\/\d+$/);
    expect(plan.inFlight.map((d) => d.name).sort()).toEqual(await copying(cluster));
    for (const disk of plan.inFlight) {
      expect(Object.keys(disk)).toEqual(['vm', 'index', 'name', 'host', 'bytes', 'progress', 'rate']);
    }
    // adaptive admission (--adaptive) holds each host at what it learned, under the cap
    expect(plan.queued[0]).toEqual({
      vm: expect.any(String),
      index: expect.any(Number),
      bytes: expect.any(Number),
      reason: expect.stringMatching(/^cap 6\/6$|^host \S+ at \d+\/\d+ \(learned\)$/),
    });
    const learned = plan.learned;
    if (!learned) throw new Error('no learned hosts');
    expect(learned.hostsTotal).toBe(learned.hosts.length);
    for (const host of new Set(plan.inFlight.map((d) => d.host))) {
      expect(learned.hosts.map((h) => h.name)).toContain(host);
    }
    expect(learned.hosts.reduce((sum, h) => sum + h.inFlight, 0)).toBe(6);
    for (const host of learned.hosts) {
      expect(Object.keys(host)).toEqual(['name', 'inFlight', 'limit', 'phase', 'bandwidth', 'throughput']);
      expect(host.limit).toBeGreaterThanOrEqual(1);
      expect(['climbing', 'holding', 'probing']).toContain(host.phase);
    }

    // the table says the same in kubectl's columns
    const table = await top(cluster, 'plan-a', '-n', 'openshift-mtv', '--once');
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAMESPACE\s+PLAN\s+HOLDER\s+POLICY\s+IN FLIGHT/);
    expect(table.stdout.split('\n')[1]).toMatch(/^openshift-mtv\s+plan-a\s+\S+\s+disk\s+6\/6\s/);
    expect(table.stdout).toMatch(/\nopenshift-mtv\/plan-a: \d+ hosts?.*\nNAME +IN FLIGHT +LIMIT +THROUGHPUT +PHASE\n/);

    // --watch streams one JSON snapshot per line
    const watch = start(['top', ...kube(cluster), '-n', 'openshift-mtv', '--watch'], dir);
    await until(() => watch.stdout().split('\n').length > 2, 10_000, 'two --watch lines');
    const lines = watch.stdout().trim().split('\n').slice(0, 2);
    for (const line of lines) expect((JSON.parse(line) as { plans: TopJsonPlan[] }).plans[0].plan).toBe('plan-a');
    // the run ends: its last status says how, and --watch keeps it (the Lease is gone, the outcome stays)
    run.child.kill('SIGINT');
    expect((await run.done).code).toBe(130);
    await until(() => watch.stdout().includes('"outcome":"interrupted"'), 10_000, 'the outcome on --watch');
    const last = JSON.parse(watch.stdout().trim().split('\n').at(-1) as string) as { plans: TopJsonPlan[] };
    expect(last.plans).toHaveLength(1);
    expect(last.plans[0]).toMatchObject({ plan: 'plan-a', outcome: 'interrupted', stale: null });
    watch.child.kill('SIGINT');
    expect((await watch.done).code).toBe(0);
  });
});
