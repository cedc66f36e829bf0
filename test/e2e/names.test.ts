/**
 * Identity and names as a user meets them: the built plugin against `kubectl mtv sandbox --mtv-version X` in another
 * process. A VM with an NVMe disk is refused on 2.8 (which would drop the disk); a PVC left over with a DataVolume's
 * name is refused before anything is created; the DataVolumes carry MTV's disk order and names.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidFromName } from '@kubectl-mtv/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import { killAll, requireBuild, type SandboxProcess, start, startSandbox } from './plugin-fixture.js';

let dir: string;

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'e2e-names-'));
});

afterEach(() => killAll());

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const SCENARIO = `
hosts: [{name: esx-01}]
vms:
  - name: mixed-01
    host: esx-01
    disks:
      - {size: 1Gi, bus: scsi, controller: 1}
      - {size: 1Gi, bus: scsi, controller: 0}
      - {size: 1Gi, bus: sata}
      - {size: 1Gi, bus: nvme}
`;

async function sandbox(release: string, ...more: string[]): Promise<SandboxProcess> {
  const file = join(dir, `scenario-${release}.yaml`);
  writeFileSync(file, SCENARIO);
  return startSandbox(dir, '--speed', '2000', '--scenario', file, '--mtv-version', release, ...more);
}

const migrate = (cluster: SandboxProcess, ...args: string[]) =>
  start(['migrate', 'plan-a', '-n', 'openshift-mtv', '--kubeconfig', cluster.kubeconfig, '--disks-only', ...args], dir)
    .done;

interface DataVolume {
  metadata: { name: string; annotations: Record<string, string> };
  spec: { source: { vddk: { backingFile: string; uuid: string } } };
  status?: { phase?: string };
}
const dataVolumes = (cluster: SandboxProcess) =>
  cluster.client.list<DataVolume>(inNamespace(RESOURCES.dataVolumes, 'demo'));

describe('kubectl mtv migrate: identity and names', () => {
  it('2.8: refuses a VM with an NVMe disk, exit 2, creating nothing', async () => {
    const cluster = await sandbox('2.8');
    const run = await migrate(cluster);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: plan "plan-a" has NVMe disks, which MTV 2.8 leaves out of a VM\'s disks (it copies SATA, IDE and SCSI ' +
        'only): mixed-01 (nvme bus, [ds-1] mixed-01/mixed-01_3.vmdk) (try: move those VMs to a plan of their own on ' +
        'MTV 2.10 or later (--mtv-version is read from the cluster), or remove them from the plan)\n',
    );
    expect(await dataVolumes(cluster)).toEqual([]);
  });

  it('2.12: numbers disks SATA first, then by controller, and names them <plan>-<vm id>-xxxxx', async () => {
    const cluster = await sandbox('2.12');
    const run = await migrate(cluster, '-o', 'json');
    expect(run.code, run.stderr).toBe(0);
    const byIndex = (await dataVolumes(cluster))
      .map((dv) => [Number(dv.metadata.annotations['forklift.konveyor.io/disk-index']), dv])
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, dv]) => dv as DataVolume);
    expect(byIndex.map((dv) => dv.spec.source.vddk.backingFile)).toEqual([
      '[ds-1] mixed-01/mixed-01_2.vmdk',
      '[ds-1] mixed-01/mixed-01_1.vmdk',
      '[ds-1] mixed-01/mixed-01.vmdk',
      '[ds-1] mixed-01/mixed-01_3.vmdk',
    ]);
    for (const dv of byIndex) expect(dv.metadata.name).toMatch(/^plan-a-vm-1-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('refuses a PVC left over with a DataVolume name, exit 2, before creating any DataVolume', async () => {
    const cluster = await sandbox('2.12');
    const dry = await migrate(cluster, '--dry-run=server');
    expect(dry.code, dry.stderr).toBe(0);
    const name = /datavolume\.cdi\.kubevirt\.io\/(\S+) created/.exec(dry.stdout)?.[1] ?? '';
    await cluster.client.create(inNamespace(RESOURCES.persistentVolumeClaims, 'demo'), {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace: 'demo' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    const run = await migrate(cluster);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `error: plan "plan-a": a PVC in namespace "demo" already has the name of its DataVolumes, which CDI refuses: ` +
        `${name} (no owner) (try: delete what is left over (kubectl delete pvc ${name} -n demo), or name the disks ` +
        'otherwise with spec.pvcNameTemplate)\n',
    );
    expect(await dataVolumes(cluster)).toEqual([]);
  });

  it.each([
    ['2.12', 'v1.66.0', [], 'instance', ''],
    ['2.12', 'v4.20.16', [], 'instance', ''],
    ['2.12', 'v4.20.15', [], 'bios', ''],
    ['2.12', 'v1.65.0', [], 'bios', ''],
    ['2.11', 'v1.66.0', [], 'bios', ''],
    [
      '2.12',
      'v1.66.0',
      ['--deny', 'list:cdis.cdi.kubevirt.io'],
      'bios',
      "warning: CDI's importer will find each VM by its BIOS uuid, which clones share: CDI's version is unknown: " +
        'listing cdis.cdi.kubevirt.io cluster-wide is forbidden (MTV 2.12 uses the instance uuid where CDI supports it)\n',
    ],
  ] as const)(
    'MTV %s, CDI %s %j: names the VM by its %s uuid, and every copy finishes',
    async (release, cdi, deny, uuid, warning) => {
      const cluster = await sandbox(release, '--cdi-version', cdi, ...deny);
      const run = await migrate(cluster, '-o', 'json');
      expect(run.code, run.stderr).toBe(0);
      expect(
        run.stderr
          .split('\n')
          .filter((line) => line.startsWith('warning: '))
          .join('\n'),
      ).toBe(warning.trim());
      const dvs = await dataVolumes(cluster);
      expect(dvs).toHaveLength(4);
      for (const dv of dvs) {
        expect(dv.spec.source.vddk.uuid).toBe(uuidFromName('mixed-01', uuid));
        expect(dv.status?.phase).toBe('Succeeded');
      }
    },
  );
});
