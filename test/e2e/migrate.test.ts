/**
 * `kubectl mtv migrate` and `clean` as a user runs them: the built plugin against `kubectl mtv sandbox` in another
 * process. Refusals exit 2 in one line with nothing created; dry runs create nothing; a full run transfers every disk
 * once under the cap, in the makespan `simulate` predicts; Ctrl-C exits 130; `clean --stuck --yes` deletes only the
 * stuck disks' DataVolumes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateScenario } from '@kubectl-mtv/engine';
import type { SandboxStats } from '@kubectl-mtv/sandbox';
import { DEFAULT_SANDBOX_SCENARIO } from '@kubectl-mtv/sandbox';
import { needs, systemTool } from '@kubectl-mtv/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { RunEvent, RunSummary } from '../../src/runner/run-events.js';
import { byClass, parseXml } from '../ui/svg-tree.js';
import {
  bin,
  type Finished,
  killAll,
  requireBuild,
  type SandboxProcess,
  start as startPlugin,
  startSandbox,
} from './plugin-fixture.js';

const bash = systemTool('bash');
const DISKS = DEFAULT_SANDBOX_SCENARIO.vms.reduce((sum, vm) => sum + vm.disks.length, 0);
const CAP = 20;

let dir: string;

/** Runs the plugin in the test's directory. */
const start = (args: string[]) => startPlugin(args, dir);

/** Runs the plugin to the end. */
function plugin(...args: string[]): Promise<Finished> {
  return start(args).done;
}

/** `kubectl mtv sandbox` in the background (2000x unless `extra` sets --speed); resolves once it serves. */
function sandbox(...extra: string[]): Promise<SandboxProcess> {
  return startSandbox(dir, ...(extra.includes('--speed') ? [] : ['--speed', '2000']), ...extra);
}

const migrateArgs = (cluster: SandboxProcess, ...args: string[]) => [
  'migrate',
  'plan-a',
  '-n',
  'openshift-mtv',
  '--kubeconfig',
  cluster.kubeconfig,
  ...args,
];

const stats = (cluster: SandboxProcess) => cluster.client.transport.request<SandboxStats>('GET', '/sandbox/v1/stats');

interface DataVolume {
  metadata: { name: string; annotations?: Record<string, string> };
  status?: { phase?: string };
}

const dataVolumes = async (cluster: SandboxProcess) =>
  cluster.client.list<DataVolume>({
    group: 'cdi.kubevirt.io',
    version: 'v1beta1',
    plural: 'datavolumes',
    namespace: 'demo',
  });

/** Nothing written: no create, update, patch or delete reached the API server, and no DataVolume exists. */
async function expectNothingCreated(cluster: SandboxProcess): Promise<void> {
  const { byVerb } = (await stats(cluster)).requests;
  // SelfSubjectAccessReviews are creates that store nothing
  const reviews = (await stats(cluster)).requests.byResource['selfsubjectaccessreviews.authorization.k8s.io'] ?? 0;
  expect((byVerb.create ?? 0) - reviews).toBe(0);
  expect(byVerb.update ?? 0).toBe(0);
  expect(byVerb.patch ?? 0).toBe(0);
  expect(byVerb.delete ?? 0).toBe(0);
  expect(await dataVolumes(cluster)).toEqual([]);
}

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'kubectl-mtv-migrate-e2e-'));
});

afterEach(killAll);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('kubectl mtv migrate', () => {
  it('refuses an unknown plan, powered-on VMs and a missing VDDK Secret in one line each, exit 2, nothing created', async () => {
    const cluster = await sandbox();
    const cases: [string[], string][] = [
      [
        ['migrate', 'plan-z', '-n', 'openshift-mtv', '--kubeconfig', cluster.kubeconfig],
        'error: plan "plan-z" not found in namespace "openshift-mtv" (try: kubectl get plans -A)',
      ],
      [
        migrateArgs(cluster),
        'error: plan "plan-a" has 8 VMs powered on: web-01, web-02, web-03, web-04, web-05, web-06, web-07, web-08 ' +
          '(try: pass --power-off-source to shut them down through vCenter before their disks copy (as MTV does), power them off, or pass --allow-powered-on to copy them crash-consistently)',
      ],
      [
        migrateArgs(cluster, '--allow-powered-on', '--vddk-secret', 'my-vddk'),
        'error: plan "plan-a": the VDDK Secret "my-vddk" (--vddk-secret) does not exist in namespace "demo" ' +
          '(try: create it with the keys accessKeyId and secretKey (and cacert), or leave --vddk-secret out)',
      ],
    ];
    for (const [args, line] of cases) {
      const run = await plugin(...args);
      expect({ code: run.code, stderr: run.stderr, stdout: run.stdout }).toEqual({
        code: 2,
        stderr: `${line}\n`,
        stdout: '',
      });
    }
    await expectNothingCreated(cluster);
  });

  it.each([
    [['--max-inflight', '0'], 'error: --max-inflight: "0" must be a whole number from 1 to 100000'],
    [['--timeout', '90'], 'error: --timeout: "90" is not a duration (e.g. 45s, 90m, 2h, 1h30m, or 0 for no timeout)'],
    [['--policy', 'legacy'], 'error: --policy: "legacy" is not a policy (choose from disk, gang, forklift)'],
    [['--dry-run=both'], 'error: --dry-run: "both" is not a dry-run mode (choose from client, server)'],
    [
      ['-o', 'yaml'],
      'error: --output: "yaml" prints the DataVolumes: only with --dry-run=client or --dry-run=server ' +
        '(try: add --dry-run, or for a run choose from table, ndjson, json)',
    ],
    [
      ['--report', '/nonexistent-dir/run.svg'],
      'error: cannot write the schedule picture "/nonexistent-dir/run.svg": its directory does not exist ' +
        '(try: pass a file in a writable directory, e.g. --report schedule.svg)',
    ],
  ])('refuses %j in one line with exit 2 before it reads the kubeconfig', async (args, line) => {
    const run = await plugin('migrate', 'plan-a', '--kubeconfig', join(dir, 'absent'), ...args);
    expect({ code: run.code, stderr: run.stderr, stdout: run.stdout }).toEqual({
      code: 2,
      stderr: `${line}\n`,
      stdout: '',
    });
  });

  it('--dry-run=client prints the schedule and every DataVolume as YAML, and creates nothing', async () => {
    const cluster = await sandbox();
    const run = await plugin(...migrateArgs(cluster, '--allow-powered-on', '--dry-run=client'));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^# Schedule: policy disk, order largest, at most 20 in flight\.\n/);
    const documents = parseAllDocuments(run.stdout);
    const manifests = (Array.isArray(documents) ? documents : [documents])
      .map((doc) => doc.toJS())
      .filter((doc) => doc !== null);
    expect(manifests).toHaveLength(DISKS);
    expect(new Set(manifests.map((m) => m.kind))).toEqual(new Set(['DataVolume']));
    expect(new Set(manifests.map((m) => m.metadata.name)).size).toBe(DISKS);
    // the cap's worth of disks start at once, and the largest first
    expect(run.stdout.match(/ at once /g)).toHaveLength(CAP);
    expect(run.stderr).toContain("the controller's MAX_VM_INFLIGHT is 20 per host (a per-host figure, not used");
    await expectNothingCreated(cluster);
  });

  it('--dry-run=server sends every DataVolume with dryRun=All and creates nothing', async () => {
    const cluster = await sandbox();
    const run = await plugin(...migrateArgs(cluster, '--allow-powered-on', '--dry-run=server'));
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(DISKS);
    for (const line of lines) expect(line).toMatch(/^datavolume\.cdi\.kubevirt\.io\/\S+ created \(server dry run\)$/);
    expect(await dataVolumes(cluster)).toEqual([]);
    expect((await stats(cluster)).imports.started).toBe(0);
  });

  it('transfers every disk of plan-a once, under the cap, in the makespan simulate predicts (-o ndjson, --no-adaptive)', async () => {
    const cluster = await sandbox();
    const report = join(dir, 'run.svg');
    // --no-adaptive: the engine's schedule as `simulate` computes it, run as planned. At 2000x a whole run is a few
    // seconds and one sandbox tick is 200 simulated seconds, too coarse for adaptive admission to measure anything
    // (test/e2e/migrate-adaptive.test.ts runs it at 100x)
    const run = await plugin(
      ...migrateArgs(cluster, '--allow-powered-on', '--no-adaptive', '-o', 'ndjson', '--report', report),
    );
    expect(run.stderr).toContain('completed: 92/92 disks transferred');
    expect(run.stderr).toContain(`wrote ${report} (2 charts: planned, this run)`);
    expect(run.code).toBe(0);
    // the picture: the engine's plan and the run as it happened, every disk a bar in each
    const charts = byClass(parseXml(readFileSync(report, 'utf8')), 'g', 'chart');
    expect(charts.map((chart) => byClass(chart, 'text', 'title')[0].text)).toEqual([
      expect.stringMatching(/^planned — makespan \S+ \(1\.\d\dx lower bound\)$/),
      expect.stringMatching(/^this run — completed, 92 disks in \S+$/),
    ]);
    for (const chart of charts) expect(byClass(chart, 'rect', 'disk')).toHaveLength(DISKS);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RunEvent);
    expect(events[0].type).toBe('plan');
    expect(events.at(-1)?.type).toBe('summary');
    for (const event of events) expect(Number.isNaN(Date.parse(event.time))).toBe(false);
    const summary = (events.at(-1) as { summary: RunSummary }).summary;
    expect(summary).toMatchObject({ outcome: 'completed', disks: DISKS, transferred: DISKS, stuck: 0, failed: 0 });
    expect(events.filter((e) => e.type === 'started')).toHaveLength(DISKS);
    // every VM made and as the plan asks; the VMs whose source runs are Halted
    const vmCount = DEFAULT_SANDBOX_SCENARIO.vms.length;
    expect(summary.vms?.map((vm) => vm.state)).toEqual(Array(vmCount).fill('ready'));
    expect(events.filter((e) => e.type === 'vm-created')).toHaveLength(vmCount);
    expect(summary.vms?.filter((vm) => vm.runStrategy === 'Always').map((vm) => vm.status)).toEqual(
      Array(6).fill('Running'),
    );
    // what a finished migration leaves: the VMs, each owning its PVCs; no DataVolume
    expect(await dataVolumes(cluster)).toEqual([]);
    const claims = await cluster.client.list<{ metadata: { ownerReferences?: { kind: string }[] } }>({
      version: 'v1',
      plural: 'persistentvolumeclaims',
      namespace: 'demo',
    });
    expect(claims).toHaveLength(DISKS);
    for (const claim of claims) expect(claim.metadata.ownerReferences?.map((o) => o.kind)).toEqual(['VirtualMachine']);
    const { imports } = await stats(cluster);
    expect(imports.started).toBe(DISKS);
    expect(imports.peak).toBeLessThanOrEqual(CAP);
    const makespan = (imports.lastEndSeconds ?? 0) - (imports.firstStartSeconds ?? 0);
    const simulated = simulateScenario(DEFAULT_SANDBOX_SCENARIO, {
      policy: 'disk',
      maxInFlight: CAP,
      order: 'largest',
    });
    expect(Math.abs(makespan / simulated.makespanSeconds - 1)).toBeLessThanOrEqual(0.05);

    // a re-run adopts the cluster's state: nothing new is created
    const again = await plugin(...migrateArgs(cluster, '--allow-powered-on', '-o', 'json'));
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: 'completed', transferred: DISKS });
    expect((JSON.parse(again.stdout) as RunSummary).vms?.every((vm) => vm.state === 'ready')).toBe(true);
    expect((await stats(cluster)).imports.started).toBe(DISKS);
  });

  it('stops admitting on SIGINT, leaves running transfers alone, releases the Lease and exits 130', async () => {
    const cluster = await sandbox('--speed', '20');
    const run = start(migrateArgs(cluster, '--allow-powered-on', '-o', 'ndjson'));
    await new Promise<void>((resolve) => {
      run.child.stdout.on('data', () => {
        if (run.stdout().includes('"type":"started"')) resolve();
      });
    });
    run.child.kill('SIGINT');
    const end = await run.done;
    expect(end.code).toBe(130);
    const summary = (JSON.parse(end.stdout.trim().split('\n').at(-1) as string) as { summary: RunSummary }).summary;
    expect(summary.outcome).toBe('interrupted');
    expect(summary.notStarted).toBeGreaterThan(0);
    expect(summary.inFlight).toBeGreaterThan(0);
    const dvs = await dataVolumes(cluster);
    expect(dvs.length).toBeGreaterThan(0);
    expect(dvs.length).toBeLessThanOrEqual(CAP);
    const lease = await cluster.client.get(
      { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespace: 'openshift-mtv' },
      'kubectl-mtv-plan-a',
    );
    expect(lease).toBeUndefined();
  });
});

describe('kubectl mtv migrate while another run holds the plan', () => {
  it('exits 5 in one line naming the holder, and creates nothing more', async () => {
    const cluster = await sandbox('--speed', '20');
    const first = start(migrateArgs(cluster, '--allow-powered-on', '-o', 'ndjson'));
    await new Promise<void>((resolve) => {
      first.child.stdout.on('data', () => {
        if (first.stdout().includes('"type":"started"')) resolve();
      });
    });
    const before = (await dataVolumes(cluster)).length;
    const second = await plugin(...migrateArgs(cluster, '--allow-powered-on'));
    expect(second.code).toBe(5);
    expect(second.stderr.split('\n')).toHaveLength(2);
    expect(second.stderr).toMatch(/^error: plan "plan-a" is being migrated by \S+@\S+\/\d+ \(lease kubectl-mtv-plan-a/);
    expect(second.stdout).toBe('');
    first.child.kill('SIGTERM');
    expect((await first.done).code).toBe(143);
    expect((await dataVolumes(cluster)).length).toBeLessThanOrEqual(Math.max(before, CAP));
  });
});

describe('kubectl mtv migrate on MTV 2.8', () => {
  it('refuses a plan that needs a conversion after the copy (no Raw Copy), and copies it with --disks-only', async () => {
    const cluster = await sandbox('--mtv-version', '2.8');
    const refused = await plugin(...migrateArgs(cluster, '--allow-powered-on'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'error: plan "plan-a" needs a guest conversion after the copy (every copy on MTV 2.8, which has no Raw Copy ' +
        'mode), and MTV 2.8 has no Conversion CR (it arrives in MTV 2.12) (try: --disks-only copies the disks ' +
        'anyway: no VM can be made from them without the conversion (MTV 2.9+ has Raw Copy))\n',
    );
    expect(await dataVolumes(cluster)).toHaveLength(0);
    const copied = await plugin(...migrateArgs(cluster, '--allow-powered-on', '--disks-only', '-o', 'json'));
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stderr).toContain('warning: plan "plan-a" needs a guest conversion after the copy');
    expect(copied.stderr).toMatch(/plan openshift-mtv\/plan-a \(MTV 2\.8\)/);
    expect((JSON.parse(copied.stdout) as RunSummary).transferred).toBe(DISKS);
  });
});

describe('kubectl mtv migrate: a VM that does not come up', () => {
  it('exits 1 naming the VM KubeVirt reports in error; every other VM is made', async () => {
    const cluster = await sandbox('--fail-vm', 'app-01');
    const run = await plugin(...migrateArgs(cluster, '--allow-powered-on', '-o', 'json'));
    expect(run.code, run.stderr).toBe(1);
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(summary).toMatchObject({ outcome: 'completed', transferred: DISKS });
    expect(summary.vms?.find((vm) => vm.vm === 'app-01')).toMatchObject({ state: 'failed', name: 'app-01' });
    expect(summary.vms?.filter((vm) => vm.state === 'ready')).toHaveLength(DEFAULT_SANDBOX_SCENARIO.vms.length - 1);
    expect(run.stderr).toMatch(/ failed VM app-01: KubeVirt reports CrashLoopBackOff/);
    expect(run.stderr).toContain(`completed: ${DISKS}/${DISKS} disks transferred, 14/15 VMs ready, 1 failed in `);
  });
});

describe('kubectl mtv migrate --timeout', () => {
  it('stops admitting when the timeout is reached and exits 4', async () => {
    const cluster = await sandbox('--speed', '20');
    const run = await plugin(...migrateArgs(cluster, '--allow-powered-on', '--timeout', '1s', '-o', 'json'));
    expect(run.code).toBe(4);
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(summary).toMatchObject({ outcome: 'timeout' });
    expect(summary.notStarted).toBeGreaterThan(0);
    expect(run.stderr).toContain('--timeout reached');
  });
});

describe('kubectl mtv clean', () => {
  it('lists the stuck DataVolumes, and with --yes deletes only those', async () => {
    const cluster = await sandbox('--fail-disk', 'app-01/1');
    const run = await plugin(
      ...migrateArgs(cluster, '--allow-powered-on', '--disks-only', '--max-restarts', '2', '-o', 'json'),
    );
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(summary).toMatchObject({ stuck: 1, transferred: DISKS - 1 });
    const stuck = summary.problems[0].disk.name;

    const cleanArgs = ['clean', 'plan-a', '-n', 'openshift-mtv', '--kubeconfig', cluster.kubeconfig, '--stuck'];
    const listed = await plugin(...cleanArgs);
    expect(listed.code).toBe(0);
    // the VM as migrate names it (app-01), not its inventory id; one DataVolume, in the singular
    expect(listed.stdout.split('\n')[1]).toMatch(new RegExp(`^${stuck}\\s+${summary.problems[0].disk.vm}\\s+1\\s`));
    expect(summary.problems[0].disk.vm).toBe('app-01');
    expect(listed.stdout.trim().split('\n')).toHaveLength(2);
    expect(listed.stderr).toBe(
      '1 stuck DataVolume of plan "plan-a" in namespace "demo"; deleting a DataVolume deletes its PVC and the disk copied into it (pass --yes to delete it)\n',
    );
    expect(await dataVolumes(cluster)).toHaveLength(DISKS);

    // the run left the VDDK Secrets, vCenter's and esx-01's (app-01 is read from its Ready Host); once the stuck
    // disk's DataVolume is deleted, no DataVolume needs them
    const secrets = () =>
      cluster.client.list<{ metadata: { name: string } }>({ version: 'v1', plural: 'secrets', namespace: 'demo' });
    const [secret, hostSecret] = (await secrets()).map((item) => item.metadata.name).sort();
    expect(secret).toMatch(/^plan-a-vddk-[0-9a-f]{8}$/);
    expect(hostSecret).toBe(`${secret}-host-1`);
    const deleted = await plugin(...cleanArgs, '--yes');
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe(
      `datavolume.cdi.kubevirt.io/${stuck} deleted\nsecret/${secret} deleted\nsecret/${hostSecret} deleted\n`,
    );
    expect(deleted.stderr).toBe(
      '1 stuck DataVolume of plan "plan-a" in namespace "demo" deleted, with its PVC and the disk copied into it\n' +
        `the plan's VDDK Secret demo/${secret} deleted: no DataVolume needs it\n` +
        `the plan's VDDK Secret demo/${hostSecret} deleted: no DataVolume needs it\n`,
    );
    expect(await secrets()).toEqual([]);
    const left = await dataVolumes(cluster);
    expect(left).toHaveLength(DISKS - 1);
    expect(left.map((dv) => dv.metadata.name)).not.toContain(stuck);
    expect(left.every((dv) => dv.status?.phase === 'Succeeded')).toBe(true);
  });

  it('deletes them all and exits 141 when its output is closed (`clean --yes | head -1`)', needs(bash), async () => {
    const cluster = await sandbox();
    const run = await plugin(...migrateArgs(cluster, '--allow-powered-on', '--disks-only', '-o', 'json'));
    expect(run.code).toBe(0);
    // a real pipe whose reader (head) exits after the first line; clean's own exit status is written to a file
    const status = join(dir, 'clean-status');
    const clean = `${process.execPath} ${bin} clean plan-a -n openshift-mtv --kubeconfig ${cluster.kubeconfig} --yes`;
    const shell = startPlugin([], dir, {
      command: bash.path(),
      args: ['-c', `${clean} | head -1 > /dev/null; echo "\${PIPESTATUS[0]}" > ${status}`],
    });
    const end = await shell.done;
    expect(readFileSync(status, 'utf8').trim(), end.stderr).toBe('141');
    expect(await dataVolumes(cluster)).toHaveLength(0);
  });
});
