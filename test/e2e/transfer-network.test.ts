/**
 * The plan's transfer network as a user meets it: the built plugin against `kubectl mtv sandbox --mtv-version X` in
 * another process, its plan patched to name the seeded NetworkAttachmentDefinition demo/transfer-net. Every
 * DataVolume carries the release's annotation; a NAD the user may not read stops the run with exit 3, creating nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import { killAll, requireBuild, type SandboxProcess, start, startSandbox } from './plugin-fixture.js';

let dir: string;

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'e2e-transfer-network-'));
});

afterEach(() => killAll());

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const SCENARIO = `
hosts: [{name: esx-01}]
vms:
  - {name: db-01, host: esx-01, disks: [{size: 1Gi}, {size: 1Gi}]}
  - {name: web-01, host: esx-01, disks: [{size: 1Gi}]}
`;

async function sandbox(release: string, ...more: string[]): Promise<SandboxProcess> {
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, SCENARIO);
  const cluster = await startSandbox(dir, '--speed', '2000', '--scenario', file, '--mtv-version', release, ...more);
  await cluster.client.mergePatch(inNamespace(RESOURCES.plans, 'openshift-mtv'), 'plan-a', {
    spec: { transferNetwork: { namespace: 'demo', name: 'transfer-net' } },
  });
  return cluster;
}

const migrate = (cluster: SandboxProcess, ...args: string[]) =>
  start(['migrate', 'plan-a', '-n', 'openshift-mtv', '--kubeconfig', cluster.kubeconfig, ...args], dir).done;

interface DataVolume {
  metadata: { annotations: Record<string, string> };
  status?: { phase?: string };
}
const dataVolumes = (cluster: SandboxProcess) =>
  cluster.client.list<DataVolume>(inNamespace(RESOURCES.dataVolumes, 'demo'));

describe('kubectl mtv migrate: the transfer network', () => {
  it.each([
    ['2.12', ['--disks-only']],
    ['2.8', ['--disks-only']],
  ])('%s: every DataVolume carries the networks annotation with the default route', async (release, extra) => {
    const cluster = await sandbox(release);
    const run = await migrate(cluster, '-o', 'json', ...extra);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'completed', transferred: 3 });
    const dvs = await dataVolumes(cluster);
    expect(dvs).toHaveLength(3);
    for (const dv of dvs) {
      expect(dv.metadata.annotations['k8s.v1.cni.cncf.io/networks']).toBe(
        '[{"name":"transfer-net","namespace":"demo","default-route":["192.168.100.1"]}]',
      );
      expect(dv.status?.phase).toBe('Succeeded');
    }
  });

  it('a NAD the user may not read: exit 3 naming the permission, nothing created', async () => {
    const cluster = await sandbox('2.12', '--deny', 'get:network-attachment-definitions.k8s.cni.cncf.io');
    const run = await migrate(cluster);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(
      'error: context "mtv-sandbox" lacks permissions: get network-attachment-definitions.k8s.cni.cncf.io in ' +
        '"demo" (try: ask a cluster admin for these verbs (kubectl auth can-i --list -n demo))\n',
    );
    expect(await dataVolumes(cluster)).toEqual([]);
    const secrets = await cluster.client.list(inNamespace(RESOURCES.secrets, 'demo'));
    expect(secrets).toEqual([]);
  });
});
