/**
 * The DataVolume builder: Forklift's DataVolumes for a resolved plan. The oracles come from outside: the CDI CRD in
 * ../shared/crds validates every manifest, and the sandbox API server (CRD schema + CDI's webhook rules) accepts every
 * one in dryRun=All through client-node.
 */

import { parseQuantity } from '@kubectl-mtv/engine';
import { DEFAULT_SANDBOX_SCENARIO, type Sandbox, SEED_NAMES, startSandbox } from '@kubectl-mtv/sandbox';
import { crdOracle, needs, SHARED_CRDS } from '@kubectl-mtv/test-support';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDataVolumes,
  buildPlanDataVolumes,
  DV_LABEL,
  dataVolumeSelector,
  FORKLIFT_SELECTOR_KEYS,
  isDataVolumeName,
  storageQuantity,
} from '../../src/cluster/datavolume-builder.js';
import type { MtvRelease } from '../../src/cluster/mtv-release.js';
import { renderPvcNameTemplate } from '../../src/cluster/pvc-name-template.js';
import type { ResolvedDisk, ResolvedPlan, ResolvedVm } from '../../src/cluster/resolved-plan.js';
import { ExitCode, UserError } from '../../src/errors.js';

const Gi = 2 ** 30;
const Mi = 2 ** 20;
const PLAN_UID = '6f1c2a4e-1b2c-4d5e-8f90-0123456789ab';

function disk(index: number, overrides: Partial<ResolvedDisk> = {}): ResolvedDisk {
  return {
    index,
    key: 2000 + index,
    file: `[ds-1] vm/vm_${index}.vmdk`,
    datastoreId: 'datastore-1',
    capacity: 10 * Gi,
    shared: false,
    storageClass: 'standard',
    ...overrides,
  };
}

function vm(id: string, name: string, disks: ResolvedDisk[], host = 'host-1'): ResolvedVm {
  return { id, name, uuid: `4201-${id}`, host, powerState: 'poweredOff', disks };
}

function plan(vms: ResolvedVm[], overrides: Partial<ResolvedPlan['plan']> = {}): ResolvedPlan {
  return {
    plan: {
      name: 'plan-a',
      namespace: SEED_NAMES.forkliftNamespace,
      uid: PLAN_UID,
      targetNamespace: SEED_NAMES.targetNamespace,
      migrateSharedDisks: true,
      pvcNameTemplateUseGenerateName: true,
      ...overrides,
    },
    mtvRelease: { release: '2.12', source: 'schema' },
    vddkUuid: { kind: 'instance', cdiVersion: 'v1.66.0' },
    destination: { kind: 'host' },
    provider: {
      name: SEED_NAMES.sourceProvider,
      namespace: SEED_NAMES.forkliftNamespace,
      uid: 'b0b0b0b0-0000-4000-8000-000000000001',
      url: 'https://vcenter.example.com/sdk',
      fingerprint: 'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD',
    },
    vddkImage: SEED_NAMES.vddkInitImage,
    vddkSecret: 'my-vddk',
    vddkSecretSource: { kind: 'given' },
    vms,
  };
}

/** A plan with a bit of everything: two hosts, a shared disk, an odd size, access and volume modes, long names. */
function mixedPlan(overrides: Partial<ResolvedPlan['plan']> = {}): ResolvedPlan {
  const shared = { shared: true, file: '[ds-2] shared/quorum.vmdk', capacity: 1 * Gi };
  return plan(
    [
      vm('vm-101', 'web-01', [disk(0, { capacity: 40 * Gi }), disk(1, { ...shared })]),
      vm('vm-102', 'Database_Server.Primary', [
        disk(0, { capacity: 500 * Gi, accessMode: 'ReadWriteMany', volumeMode: 'Block', storageClass: 'ceph-rbd' }),
        disk(1, { capacity: 3 * Gi + 12345, accessMode: 'ReadWriteOnce' }),
        disk(2, { ...shared }),
      ]),
      vm('vm-103', 'application-server-frontend-01', [disk(0)], 'host-2'),
      vm('vm-104', 'application-server-frontend-02', [disk(0)], 'host-2'),
    ],
    overrides,
  );
}

describe('buildDataVolumes', () => {
  it("carries none of the label keys Forklift's deletes select by, on any DataVolume", () => {
    for (const dv of buildDataVolumes(mixedPlan())) {
      const keys = Object.keys(dv.manifest.metadata.labels);
      expect(
        keys.filter((key) => (FORKLIFT_SELECTOR_KEYS as readonly string[]).includes(key)),
        dv.manifest.metadata.name,
      ).toEqual([]);
      expect(dv.manifest.metadata.labels[DV_LABEL.planUid]).toBe(PLAN_UID);
    }
  });

  it('builds one DataVolume per disk in plan order, with the storage, vddk source, labels and annotations exactly', () => {
    const dvs = buildDataVolumes(plan([vm('vm-7', 'web-01', [disk(1, { capacity: 500 * Gi }), disk(0)])]));
    expect(dvs.map((dv) => [dv.vmId, dv.diskIndex])).toEqual([
      ['vm-7', 0],
      ['vm-7', 1],
    ]);
    expect(dvs[1]).toEqual({
      vmId: 'vm-7',
      vmName: 'web-01',
      diskIndex: 1,
      bytes: 500 * Gi,
      host: 'host-1',
      manifest: {
        apiVersion: 'cdi.kubevirt.io/v1beta1',
        kind: 'DataVolume',
        metadata: {
          name: expect.stringMatching(/^plan-a-vm-7-[bcdfghjklmnpqrstvwxz2456789]{5}$/),
          namespace: 'demo',
          labels: {
            'kubectl-mtv.konveyor.io/plan-uid': PLAN_UID,
            'kubectl-mtv.konveyor.io/plan-name': 'plan-a',
            'kubectl-mtv.konveyor.io/plan-namespace': 'openshift-mtv',
            'kubectl-mtv.konveyor.io/vm-id': 'vm-7',
            'kubectl-mtv.konveyor.io/disk-index': '1',
            'app.kubernetes.io/managed-by': 'kubectl-mtv',
          },
          annotations: {
            'forklift.konveyor.io/disk-source': '[ds-1] vm/vm_1.vmdk',
            'forklift.konveyor.io/disk-index': '1',
            'cdi.kubevirt.io/storage.deleteAfterCompletion': 'false',
            'cdi.kubevirt.io/storage.bind.immediate.requested': 'true',
            'kubectl-mtv.konveyor.io/source-power-state': 'poweredOff',
          },
        },
        spec: {
          storage: { resources: { requests: { storage: '500Gi' } }, storageClassName: 'standard' },
          source: {
            vddk: {
              url: 'https://vcenter.example.com/sdk',
              uuid: '4201-vm-7',
              backingFile: '[ds-1] vm/vm_1.vmdk',
              thumbprint: 'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD',
              secretRef: 'my-vddk',
              initImageURL: 'registry.sandbox.local/kubev2v/vddk:sandbox',
            },
          },
        },
      },
    });
    expect(dataVolumeSelector(PLAN_UID)).toBe(
      `kubectl-mtv.konveyor.io/plan-uid=${PLAN_UID},app.kubernetes.io/managed-by=kubectl-mtv`,
    );
  });

  it('sets accessModes and volumeMode only when the storage map does', () => {
    const dvs = buildDataVolumes(mixedPlan());
    const database = dvs.filter((dv) => dv.vmId === 'vm-102');
    expect(database[0].manifest.spec.storage).toEqual({
      resources: { requests: { storage: '500Gi' } },
      storageClassName: 'ceph-rbd',
      accessModes: ['ReadWriteMany'],
      volumeMode: 'Block',
    });
    expect(database[1].manifest.spec.storage).not.toHaveProperty('volumeMode');
    expect(database[1].manifest.spec.storage.accessModes).toEqual(['ReadWriteOnce']);
    expect(dvs[0].manifest.spec.storage).not.toHaveProperty('accessModes');
  });

  it.each([
    [500 * Gi, '500Gi'],
    [500 * Gi + 1, '512001Mi'],
    [3 * Gi + 12345, '3073Mi'],
    [1.5 * Gi, '1536Mi'],
    [1, '1Mi'],
    [Mi, '1Mi'],
    [2 ** 40, '1Ti'],
    [0, '0'],
  ])('requests %d bytes as "%s": the capacity rounded up to the next MiB', (bytes, quantity) => {
    expect(storageQuantity(bytes)).toBe(quantity);
    expect(parseQuantity(quantity) % Mi).toBe(0);
    expect(parseQuantity(quantity) - bytes).toBeGreaterThanOrEqual(0);
    expect(parseQuantity(quantity) - bytes).toBeLessThan(Mi);
  });

  it('refuses a capacity that is not a whole number of bytes (a resolver bug, not user input)', () => {
    expect(() => storageQuantity(1.5)).toThrow('disk capacity 1.5 is not a whole number of bytes');
    expect(() => storageQuantity(-1)).toThrow(Error);
  });

  it('reports bytes (the capacity) and the host of every disk', () => {
    const dvs = buildDataVolumes(mixedPlan());
    expect(dvs.map((dv) => [dv.manifest.metadata.name, dv.bytes, dv.host])).toEqual([
      [expect.stringMatching(/^plan-a-vm-101-[bcdfghjklmnpqrstvwxz2456789]{5}$/), 40 * Gi, 'host-1'],
      [expect.stringMatching(/^plan-a-vm-101-[bcdfghjklmnpqrstvwxz2456789]{5}$/), 1 * Gi, 'host-1'],
      [expect.stringMatching(/^plan-a-vm-102-[bcdfghjklmnpqrstvwxz2456789]{5}$/), 500 * Gi, 'host-1'],
      [expect.stringMatching(/^plan-a-vm-102-[bcdfghjklmnpqrstvwxz2456789]{5}$/), 3 * Gi + 12345, 'host-1'],
      [expect.stringMatching(/^plan-a-vm-103-[bcdfghjklmnpqrstvwxz2456789]{5}$/), 10 * Gi, 'host-2'],
      [expect.stringMatching(/^plan-a-vm-104-[bcdfghjklmnpqrstvwxz2456789]{5}$/), 10 * Gi, 'host-2'],
    ]);
  });

  it('names a disk as MTV does without a template: generateName <plan>-<vm id>-, 5 characters of its alphabet', () => {
    // kubevirt.go getGeneratedName; the 5 characters are the disk's, not random, so a re-run finds its DataVolume
    const names = buildDataVolumes(mixedPlan()).map((dv) => dv.manifest.metadata.name);
    expect(buildDataVolumes(mixedPlan()).map((dv) => dv.manifest.metadata.name)).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
    const long = plan([vm('vm-9', 'x', [disk(0)])], { name: 'p'.repeat(70) });
    // the API server cuts a generateName prefix to 58 characters
    expect(buildDataVolumes(long)[0].manifest.metadata.name).toMatch(/^p{58}[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('gives the same names for the same plan, and names that are unique DNS-1123 labels', () => {
    const first = buildDataVolumes(mixedPlan()).map((dv) => dv.manifest.metadata.name);
    const second = buildDataVolumes(mixedPlan()).map((dv) => dv.manifest.metadata.name);
    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
    for (const name of first) expect(isDataVolumeName(name), name).toBe(true);
  });

  it('keeps names unique, DNS-1123 and deterministic for any plan (property)', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9 ._-]{0,80}$/);
    const arbitraryVm = fc.record({
      id: fc.stringMatching(/^vm-[0-9]{1,4}$/),
      name,
      disks: fc.integer({ min: 1, max: 4 }),
    });
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,70}[a-z0-9])?$/),
        fc.array(arbitraryVm, { minLength: 1, maxLength: 8 }),
        (planName, vms) => {
          const resolved = plan(
            vms.map((v, i) =>
              vm(
                v.id,
                v.name,
                Array.from({ length: v.disks }, (_, d) => disk(d, { file: `[ds] ${i}/${d}.vmdk` })),
              ),
            ),
            { name: planName },
          );
          const names = buildDataVolumes(resolved).map((dv) => dv.manifest.metadata.name);
          expect(new Set(names).size).toBe(names.length);
          for (const n of names) expect(isDataVolumeName(n), n).toBe(true);
          expect(buildDataVolumes(resolved).map((dv) => dv.manifest.metadata.name)).toEqual(names);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('copies a shared disk once, in the first VM that has it, and says which DataVolume copies it for the others', () => {
    const result = buildPlanDataVolumes(mixedPlan());
    const shared = result.dataVolumes.filter((dv) => dv.sharedKey);
    expect(shared.map((dv) => [dv.vmId, dv.diskIndex, dv.sharedKey])).toEqual([
      ['vm-101', 1, '[ds-2] shared/quorum.vmdk'],
    ]);
    expect(shared[0].manifest.metadata.labels.shareable).toBe('true');
    expect(
      result.dataVolumes.filter((dv) => !dv.sharedKey).every((dv) => !('shareable' in dv.manifest.metadata.labels)),
    ).toBe(true);
    expect(result.skipped).toEqual([
      {
        vmId: 'vm-102',
        vmName: 'Database_Server.Primary',
        diskIndex: 2,
        file: '[ds-2] shared/quorum.vmdk',
        reason: 'shared-copied-once',
        copiedBy: result.dataVolumes[1].manifest.metadata.name,
      },
    ]);
    expect(buildDataVolumes(mixedPlan())).toHaveLength(6);
  });

  it('copies no shared disk at all when the plan does not migrate shared disks, and lists each as skipped', () => {
    const result = buildPlanDataVolumes(mixedPlan({ migrateSharedDisks: false }));
    expect(result.dataVolumes.some((dv) => dv.sharedKey)).toBe(false);
    expect(result.dataVolumes).toHaveLength(5);
    expect(result.skipped.map((s) => [s.vmId, s.diskIndex, s.reason])).toEqual([
      ['vm-101', 1, 'shared-not-migrated'],
      ['vm-102', 2, 'shared-not-migrated'],
    ]);
  });
});

describe('the vddk uuid', () => {
  const clones = () => [
    { ...vm('vm-1', 'clone-a', [disk(0)]), uuid: '4201-same', instanceUuid: '5001-a' },
    { ...vm('vm-2', 'clone-b', [disk(0, { file: '[ds-1] b/b.vmdk' })]), uuid: '4201-same', instanceUuid: '5001-b' },
    vm('vm-3', 'old', [disk(0, { file: '[ds-1] c/c.vmdk' })]),
  ];
  const uuids = (built: ReturnType<typeof buildPlanDataVolumes>) =>
    built.dataVolumes.map((dv) => dv.manifest.spec.source.vddk.uuid);

  it('is the instance uuid where the plan chose it and the inventory has one, else the BIOS uuid; no note', () => {
    const built = buildPlanDataVolumes(plan(clones()));
    expect(uuids(built)).toEqual(['5001-a', '5001-b', '4201-vm-3']);
    expect(built.notes).toEqual([]);
  });

  it('is the BIOS uuid otherwise, with a note for VMs that share one and one when CDI could not be read', () => {
    const bios = { ...plan(clones()), vddkUuid: { kind: 'bios', why: 'no CDI installation found', unknownCdi: true } };
    const built = buildPlanDataVolumes(bios as ResolvedPlan);
    expect(uuids(built)).toEqual(['4201-same', '4201-same', '4201-vm-3']);
    expect(built.notes).toEqual([
      "CDI's importer will find each VM by its BIOS uuid, which clones share: no CDI installation found (MTV 2.12 uses the instance uuid where CDI supports it)",
      "VMs clone-a, clone-b share BIOS uuid 4201-same: CDI's importer may copy one's disks for another; give each its own BIOS uuid (uuid.bios) in vCenter first",
    ]);
  });
});

describe('spec.pvcNameTemplate', () => {
  const templated = (template: string, overrides: Partial<ResolvedPlan['plan']> = {}) =>
    buildDataVolumes(mixedPlan({ pvcNameTemplate: template, ...overrides })).map((dv) => dv.manifest.metadata.name);
  const exact = { pvcNameTemplateUseGenerateName: false };

  it('names DataVolumes by the template, over Forklift variables and functions (pvcNameTemplateUseGenerateName false)', () => {
    const names = templated('{{.PlanName}}-{{.TargetVmName | replace "." "-" | trunc 20}}-{{.DiskIndex}}', exact);
    expect(names).toEqual([
      'plan-a-web-01-0',
      'plan-a-web-01-1',
      'plan-a-database-server-prim-0',
      'plan-a-database-server-prim-1',
      'plan-a-application-server-f-0',
      expect.stringMatching(/^plan-a-application-server-f-0-[0-9a-f]{6}$/),
    ]);
  });

  it('uses the output as a generateName prefix by default (pvcNameTemplateUseGenerateName defaults to true)', () => {
    const names = templated('{{.PlanName}}-{{.DiskIndex}}');
    expect(names[0]).toMatch(/^plan-a-0-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(names[2]).toMatch(/^plan-a-0-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(names[0]).not.toBe(names[2]);
  });

  it("prefers the plan VM's own template to the plan's (getPVCNameTemplate)", () => {
    const resolved = mixedPlan({ pvcNameTemplate: '{{.PlanName}}-{{.DiskIndex}}', ...exact });
    resolved.vms[0] = { ...resolved.vms[0], pvcNameTemplate: 'own-{{.DiskIndex}}' };
    expect(
      buildDataVolumes(resolved)
        .map((dv) => dv.manifest.metadata.name)
        .slice(0, 3),
    ).toEqual(['own-0', 'own-1', 'plan-a-0']);
  });

  it('renders conditionals, comparisons, Sprig string functions and printf like Go templates', () => {
    const data = {
      VmName: 'Web_01',
      TargetVmName: 'web-01',
      PlanName: 'plan-a',
      DiskIndex: 2,
      RootDiskIndex: 0,
      Shared: true,
      FileName: 'web_01_1.vmdk',
      WinDriveLetter: '',
    };
    const cases: [string, string][] = [
      ['{{if eq .DiskIndex .RootDiskIndex}}root{{else}}data-{{.DiskIndex}}{{end}}', 'data-2'],
      ['{{if .Shared}}shared-{{end}}{{trunc 30 .VmName | lower}}-{{.DiskIndex}}', 'shared-web_01-2'],
      ['{{if lt .DiskIndex 1}}a{{else if eq .DiskIndex 2}}b{{else}}c{{end}}', 'b'],
      ['{{.FileName | trimSuffix ".vmdk" | replace "_" "-"}}', 'web-01-1'],
      ['{{printf "%s-%03d" .TargetVmName .DiskIndex}}', 'web-01-002'],
      ['{{- .TargetVmName -}} - {{- add1 .DiskIndex}}', 'web-01-3'],
      ['{{.TargetVmName -}} - {{add1 .DiskIndex}}', 'web-01- 3'],
      ['{{trunc -2 .PlanName}}{{upper "x" | lower}}{{mustRegexReplaceAll "[^a-z]" .VmName ""}}', '-axeb'],
      ['{{if and .Shared (not (eq .WinDriveLetter ""))}}y{{else}}n{{end}}', 'n'],
      ['{{/* a comment */}}{{.PlanName}}', 'plan-a'],
    ];
    for (const [template, expected] of cases) expect(renderPvcNameTemplate(template, data), template).toBe(expected);
  });

  it('refuses an unknown variable with a UserError, exit 2, naming the plan, the release and the template', () => {
    const attempt = () => buildDataVolumes(mixedPlan({ pvcNameTemplate: '{{.VMName}}-{{.DiskIndex}}' }));
    expect(attempt).toThrow(UserError);
    try {
      attempt();
    } catch (error) {
      const userError = error as UserError;
      expect(userError.exitCode).toBe(ExitCode.usage);
      expect(userError.message).toBe(
        'plan "plan-a" in namespace "openshift-mtv": spec.pvcNameTemplate "{{.VMName}}-{{.DiskIndex}}" is not valid on MTV 2.12: unknown variable .VMName',
      );
      expect(userError.hint).toContain('.VmName, .TargetVmName, .PlanName, .DiskIndex, .RootDiskIndex, .Shared');
    }
    // .VmId exists on Forklift's main branch only, in no release
    expect(() => buildDataVolumes(mixedPlan({ pvcNameTemplate: '{{.VmId}}' }))).toThrow('unknown variable .VmId');
  });

  it.each([
    ['{{.VmName | shout}}', 'function "shout" not defined'],
    ['{{if .Shared}}x', 'unclosed {{if}}: missing {{end}}'],
    ['{{.PlanName', 'unclosed action: "{{" without "}}"'],
    ['{{end}}', 'unexpected {{end}}'],
    ['{{range .PlanName}}x{{end}}', '{{range}} is not supported'],
    ['{{$x := 1}}', 'unexpected "$x"'],
    ['{{.PlanName.Foo}}', 'unknown variable .PlanName.Foo'],
    ['{{if false}}{{.Nope}}{{end}}x', 'unknown variable .Nope'],
  ])('refuses %s: %s', (template, reason) => {
    expect(() => buildDataVolumes(mixedPlan({ pvcNameTemplate: template }))).toThrow(reason);
    expect(() => buildDataVolumes(mixedPlan({ pvcNameTemplate: template }))).toThrow(UserError);
  });

  it('keeps the default name, with a note, when the output is not a DNS-1123 label (Forklift logs it and goes on)', () => {
    const built = buildPlanDataVolumes(mixedPlan({ pvcNameTemplate: '{{.VmName}}-{{.DiskIndex}}' }));
    expect(built.dataVolumes[2].manifest.metadata.name).toMatch(/^plan-a-vm-102-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(built.dataVolumes[0].manifest.metadata.name).toMatch(/^web-01-0-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(built.notes).toEqual([
      'plan "plan-a" spec.pvcNameTemplate "{{.VmName}}-{{.DiskIndex}}" for VM "Database_Server.Primary" disk 0 ' +
        'renders "Database_Server.Primary-0", which is not a DNS-1123 label: named plan-a-vm-102-..., as MTV 2.12 does',
      'plan "plan-a" spec.pvcNameTemplate "{{.VmName}}-{{.DiskIndex}}" for VM "Database_Server.Primary" disk 1 ' +
        'renders "Database_Server.Primary-1", which is not a DNS-1123 label: named plan-a-vm-102-..., as MTV 2.12 does',
    ]);
  });

  it('keeps the default name, with a note, when the template fails to run', () => {
    const built = buildPlanDataVolumes(mixedPlan({ pvcNameTemplate: '{{div 10 .RootDiskIndex}}' }));
    expect(built.dataVolumes[0].manifest.metadata.name).toMatch(/^plan-a-vm-101-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(built.notes[0]).toContain('fails (division by zero)');
  });

  it('falls back to the default name when the template renders nothing, as Forklift does', () => {
    expect(templated('{{if false}}x{{end}}')).toEqual(
      buildDataVolumes(mixedPlan()).map((dv) => dv.manifest.metadata.name),
    );
  });

  it('makes colliding template names unique with a stable suffix', () => {
    const names = templated('{{.PlanName}}', exact);
    expect(names[0]).toBe('plan-a');
    expect(new Set(names).size).toBe(names.length);
    for (const name of names.slice(1)) expect(name).toMatch(/^plan-a-[0-9a-f]{6}$/);
    expect(templated('{{.PlanName}}', exact)).toEqual(names);
  });
});

describe('PVC name templates on each MTV release', () => {
  const on = (release: MtvRelease, template: string) => {
    const resolved = mixedPlan({ pvcNameTemplate: template, pvcNameTemplateUseGenerateName: false });
    return buildPlanDataVolumes({ ...resolved, mtvRelease: { release, source: 'schema' } });
  };

  it('2.8 has no Sprig functions: a template using one is refused, naming the release', () => {
    expect(() => on('2.8', '{{trunc 5 .VmName}}')).toThrow(
      'spec.pvcNameTemplate "{{trunc 5 .VmName}}" is not valid on MTV 2.8: function "trunc" not defined',
    );
    expect(on('2.9', '{{trunc 5 .VmName | lower}}-{{.DiskIndex}}').dataVolumes[0].manifest.metadata.name).toBe(
      'web-0-0',
    );
  });

  it('2.8 and 2.9 know only their own variables (no .TargetVmName before 2.10, no .Shared before 2.9)', () => {
    expect(() => on('2.8', '{{.Shared}}')).toThrow('unknown variable .Shared');
    expect(() => on('2.9', '{{.TargetVmName}}')).toThrow('unknown variable .TargetVmName');
    expect(on('2.10', '{{.TargetVmName}}-{{.DiskIndex}}').dataVolumes[0].manifest.metadata.name).toBe('web-01-0');
  });

  it('2.8 and 2.9 give .VmName as the safe name (dots become dashes when it is no label), 2.10+ as vSphere has it', () => {
    const resolved = plan([vm('vm-5', 'db.prod', [disk(0)])], {
      pvcNameTemplate: '{{.VmName}}-{{.DiskIndex}}',
      pvcNameTemplateUseGenerateName: false,
    });
    const name = (release: MtvRelease) =>
      buildPlanDataVolumes({ ...resolved, mtvRelease: { release, source: 'schema' } }).dataVolumes[0].manifest.metadata
        .name;
    expect(name('2.8')).toBe('db-prod-0');
    expect(name('2.9')).toBe('db-prod-0');
    // 2.10+: "db.prod-0" is no DNS-1123 label, so MTV keeps its default generateName
    expect(name('2.10')).toMatch(/^plan-a-vm-5-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('2.8 falls back to <plan>-<vmID>- for an output that is not a label, as every later release does', () => {
    const built = on('2.8', '{{.PlanName}}_{{.DiskIndex}}');
    expect(built.dataVolumes[0].manifest.metadata.name).toMatch(/^plan-a-vm-101-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(built.notes[0]).toContain('named plan-a-vm-101-..., as MTV 2.8 does');
  });
});

describe('the DataVolumes against the outside oracles', () => {
  let sandbox: Sandbox;
  let api: CustomObjectsApi;
  const CDI = { group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datavolumes' };
  const plans = () => [
    mixedPlan(),
    mixedPlan({ migrateSharedDisks: false }),
    mixedPlan({ pvcNameTemplate: '{{trunc 10 .TargetVmName | replace "." "-"}}-{{.DiskIndex}}' }),
    plan(
      DEFAULT_SANDBOX_SCENARIO.vms.map((v, i) =>
        vm(
          `vm-${i + 1}`,
          v.name,
          v.disks.map((d, index) =>
            disk(index, { capacity: d.size, file: `[${d.datastore}] ${v.name}/${v.name}_${index}.vmdk` }),
          ),
          v.host,
        ),
      ),
    ),
  ];

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: DEFAULT_SANDBOX_SCENARIO, insecureHttp: true });
    const kc = new KubeConfig();
    kc.loadFromString(sandbox.kubeconfigText);
    api = kc.makeApiClient(CustomObjectsApi);
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('validates every manifest against the DataVolume CRD schema in ../shared/crds', needs(SHARED_CRDS), () => {
    const validate = crdOracle().get('cdi.kubevirt.io/v1beta1/DataVolume');
    expect(validate).toBeDefined();
    let checked = 0;
    for (const resolved of plans()) {
      for (const dv of buildDataVolumes(resolved)) {
        expect(validate?.(dv.manifest), JSON.stringify(validate?.errors)).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('has the sandbox API server (CRD schema and CDI webhook) accept every manifest in dryRun=All, storing none', async () => {
    let accepted = 0;
    for (const resolved of plans()) {
      for (const dv of buildDataVolumes(resolved)) {
        const created = (await api.createNamespacedCustomObject({
          ...CDI,
          namespace: dv.manifest.metadata.namespace,
          body: dv.manifest,
          dryRun: 'All',
        })) as { metadata: { name: string; uid?: string } };
        expect(created.metadata.name).toBe(dv.manifest.metadata.name);
        accepted++;
      }
    }
    expect(accepted).toBeGreaterThan(100);
    const listed = (await api.listNamespacedCustomObject({ ...CDI, namespace: 'demo' })) as { items: unknown[] };
    expect(listed.items).toEqual([]);
  });

  it('would see the webhook refuse a manifest the builder never makes (an empty thumbprint)', async () => {
    const [dv] = buildDataVolumes(mixedPlan());
    const broken = structuredClone(dv.manifest);
    broken.spec.source.vddk.thumbprint = '';
    await expect(
      api.createNamespacedCustomObject({ ...CDI, namespace: 'demo', body: broken, dryRun: 'All' }),
    ).rejects.toMatchObject({ code: 422, body: expect.stringContaining('datavolume-validate.cdi.kubevirt.io') });
  });
});
