/**
 * `kubectl mtv simulate --from-cluster PLAN` as a user types it: the help lists it, it is refused beside --scenario
 * and a connection flag without it is refused, and against `kubectl mtv sandbox` it says what it simulated and what
 * it assumed of each host; a plan not found is one line and exit 2.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, kubectlMtv, requireBuild, type SandboxProcess, start, startSandbox } from './plugin-fixture.js';

let dir: string;

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'kubectl-mtv-from-cluster-e2e-'));
});

afterAll(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubectl mtv simulate --from-cluster', () => {
  it('is in the help, with the connection flags and an example', () => {
    const run = kubectlMtv('simulate', '--help');
    expect(run.status).toBe(0);
    for (const flag of ['--from-cluster=PLAN', '--namespace=NS', '--kubeconfig=FILE', '--inventory-url=URL']) {
      expect(run.stdout).toContain(flag);
    }
    expect(run.stdout).toContain('kubectl mtv simulate --from-cluster plan-a -n openshift-mtv');
  });

  it('is refused beside --scenario, and a connection flag without it, with exit 2 and one line', () => {
    const both = kubectlMtv('simulate', '--from-cluster', 'plan-a', '--scenario', 'examples/seed-10x10.yaml');
    expect(both.status).toBe(2);
    expect(both.stdout).toBe('');
    expect(both.stderr).toMatch(/^error: --from-cluster cannot also be provided when using --scenario.*\n$/);
    const stray = kubectlMtv('simulate', '--scenario', 'examples/seed-10x10.yaml', '-n', 'openshift-mtv');
    expect(stray.status).toBe(2);
    expect(stray.stderr).toBe("error: --namespace: applies with --from-cluster, to a plan's cluster\n");
  });

  describe('against the sandbox', () => {
    let sandbox: SandboxProcess;
    beforeAll(async () => {
      sandbox = await startSandbox(dir);
    });

    const simulate = (...args: string[]) =>
      start(['simulate', '-n', 'openshift-mtv', '--kubeconfig', sandbox.kubeconfig, ...args], dir).done;

    it('names the plan and says each host is unknown without a record', async () => {
      const run = await simulate('--from-cluster', 'plan-a', '--policy', 'disk');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^POLICY\s+CAP\s+MAKESPAN/);
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^note: no learned throughput for provider "vsphere-a"/);
      expect(lines[1]).toMatch(
        /^plan openshift-mtv\/plan-a \(cold\): 15 VMs, 92 disks, [\d.]+ TiB, hosts host-1, host-2$/,
      );
      expect(lines[2]).toMatch(/^bandwidth: host-1 unknown \(uncapped\), host-2 unknown \(uncapped\); importers/);
    });

    it('says a plan not found in one line, with exit 2', async () => {
      const run = await simulate('--from-cluster', 'no-such-plan');
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        'error: plan "no-such-plan" not found in namespace "openshift-mtv" (try: kubectl get plans -A)\n',
      );
    });
  });
});
