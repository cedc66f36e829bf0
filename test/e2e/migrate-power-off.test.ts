/**
 * `kubectl mtv migrate --power-off-source` as a user runs it, against `kubectl mtv sandbox` in another process and its
 * vCenter: a vCenter that cannot be reached is exit 3 naming its URL with nothing created; a run shuts each powered-on
 * source down through the sandbox's vCenter before its first DataVolume, records its state, and makes its VM Running;
 * the inventory then reports the sources off; `clean --yes` deletes the record, naming the VMs that stay off.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SANDBOX_SCENARIO } from '@kubectl-mtv/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryClient } from '../../src/cluster/inventory-client.js';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import type { RunEvent } from '../../src/runner/run-events.js';
import { killAll, requireBuild, type SandboxProcess, start, startSandbox } from './plugin-fixture.js';

const NS = 'openshift-mtv';
const POWERED_ON = DEFAULT_SANDBOX_SCENARIO.vms.filter((vm) => vm.powerState === 'poweredOn').map((vm) => vm.name);

let dir: string;
let cluster: SandboxProcess;

interface Provider {
  metadata: { uid: string };
  spec: { url: string };
}

const provider = () => cluster.client.get<Provider>(inNamespace(RESOURCES.providers, NS), 'vsphere-a');
const plugin = (...args: string[]) => start([...args, '-n', NS, '--kubeconfig', cluster.kubeconfig], dir).done;

beforeAll(async () => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'kubectl-mtv-power-off-e2e-'));
  cluster = await startSandbox(dir, '--speed', '2000');
});

afterAll(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubectl mtv migrate --power-off-source', () => {
  it('has powered-on VMs to shut down in the default sandbox', () => {
    expect(POWERED_ON.length).toBeGreaterThan(0);
  });

  it('is exit 3 naming the vCenter URL when it cannot be reached, before anything is created', async () => {
    const before = await provider();
    const url = before?.spec.url ?? '';
    const dead = 'https://127.0.0.1:1/sdk';
    const path = `/apis/forklift.konveyor.io/v1beta1/namespaces/${NS}/providers/vsphere-a`;
    const patch = (value: string) =>
      cluster.client.transport.request('PATCH', path, {
        body: { spec: { url: value } },
        contentType: 'application/merge-patch+json',
      });
    await patch(dead);
    try {
      const run = await plugin('migrate', 'plan-a', '--power-off-source');
      expect(run.code).toBe(3);
      const lines = run.stderr.trim().split('\n');
      expect(lines.at(-1)).toMatch(
        /^error: vCenter https:\/\/127\.0\.0\.1:1\/sdk cannot be reached: connection refused/,
      );
      expect(run.stderr).toContain('--power-off-source talks to the source Provider');
    } finally {
      await patch(url);
    }
    expect(await cluster.client.list(inNamespace(RESOURCES.dataVolumes, 'demo'))).toEqual([]);
    const configMaps = await cluster.client.list<{ metadata: { name: string } }>(inNamespace(RESOURCES.configMaps, NS));
    expect(configMaps.filter((object) => object.metadata.name.startsWith('plan-a-power-'))).toEqual([]);
  });

  it('--dry-run=client says which sources a run would shut down, and shuts none down', async () => {
    const run = await plugin('migrate', 'plan-a', '--power-off-source', '--dry-run=client');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      `a run shuts down the source VMs ${POWERED_ON.join(', ')} through vCenter https://127.0.0.1:`,
    );
    expect(run.stderr).toMatch(/its power state recorded first in ConfigMap openshift-mtv\/plan-a-power-[a-z0-9]{8}\n/);
    const inventory = new InventoryClient(cluster.client, { env: {} });
    const vms = await inventory.vsphereVms((await provider())?.metadata.uid ?? '');
    expect(vms.filter((vm) => POWERED_ON.includes(vm.name)).map((vm) => vm.powerState)).toEqual(
      POWERED_ON.map(() => 'poweredOn'),
    );
    const configMaps = await cluster.client.list<{ metadata: { name: string } }>(inNamespace(RESOURCES.configMaps, NS));
    expect(configMaps.filter((object) => object.metadata.name.startsWith('plan-a-power-'))).toEqual([]);
  });

  it('shuts each running source down before its disks copy and makes its VM Running; clean --yes deletes the record', async () => {
    const run = await plugin('migrate', 'plan-a', '--power-off-source', '-o', 'ndjson', '--no-tui');
    expect(run.stderr).not.toContain('error:');
    expect(run.code).toBe(0);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RunEvent);
    for (const vm of POWERED_ON) {
      const off = events.findIndex((e) => e.type === 'source-power' && e.vm === vm && e.phase === 'off');
      const asked = events.findIndex((e) => e.type === 'source-power' && e.vm === vm && e.phase === 'requested');
      const started = events.findIndex((e) => e.type === 'started' && e.disk.vm === vm);
      expect(asked, vm).toBeGreaterThan(-1);
      expect(off, vm).toBeGreaterThan(asked);
      expect(started, vm).toBeGreaterThan(off);
    }
    // no VM that was off was touched
    const touched = events.flatMap((e) => (e.type === 'source-power' ? [e.vm] : []));
    expect([...new Set(touched)].sort()).toEqual([...POWERED_ON].sort());
    const summary = events.at(-1);
    expect(summary?.type).toBe('summary');
    const vms = summary?.type === 'summary' ? (summary.summary.vms ?? []) : [];
    for (const name of POWERED_ON) {
      expect(vms.find((vm) => vm.vm === name)).toMatchObject({ state: 'ready', runStrategy: 'Always' });
      expect(vms.find((vm) => vm.vm === name)?.haltedSourceOn).toBeUndefined();
    }

    // the sources are off now, as the inventory (the same VMs as the vCenter) reports them
    const source = await provider();
    const inventory = new InventoryClient(cluster.client, { env: {} });
    const now = await inventory.vsphereVms(source?.metadata.uid ?? '');
    expect(now.filter((vm) => POWERED_ON.includes(vm.name)).map((vm) => vm.powerState)).toEqual(
      POWERED_ON.map(() => 'poweredOff'),
    );

    // the record, in the plan's namespace: every plan VM, the web VMs as they were
    const configMaps = await cluster.client.list<{ metadata: { name: string }; data?: Record<string, string> }>(
      inNamespace(RESOURCES.configMaps, NS),
    );
    const record = configMaps.find((object) => object.metadata.name.startsWith('plan-a-power-'));
    const byName = new Map(now.map((vm) => [vm.id, vm.name]));
    const on = Object.entries(record?.data ?? {})
      .filter(([, state]) => state === 'poweredOn')
      .map(([id]) => byName.get(id));
    expect(on.sort()).toEqual([...POWERED_ON].sort());

    const cleaned = await plugin('clean', 'plan-a', '--yes');
    expect(cleaned.code).toBe(0);
    expect(cleaned.stderr).toContain(`the plan's power-state record ${NS}/${record?.metadata.name} deleted`);
    expect(cleaned.stderr).toContain(
      `${[...POWERED_ON].sort().join(', ')} were powered on before migrate shut them down`,
    );
    expect(
      await cluster.client.get(inNamespace(RESOURCES.configMaps, NS), record?.metadata.name ?? ''),
    ).toBeUndefined();
  });
});
