/**
 * The VirtualMachine builder: Forklift's VirtualMachine for a resolved plan VM, per MTV release (vm-creation.md §1-2),
 * on hand-built plans. The oracle from outside: KubeVirt's VirtualMachine CRD in ../shared/crds/kubevirt validates
 * every manifest built here (crdOracle, strict about unknown fields).
 */

import { crdOracle, needs, SHARED_CRDS } from '@kubectl-mtv/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORKLIFT_SELECTOR_KEYS } from '../../src/cluster/datavolume-builder.js';
import { MTV_RELEASES, type MtvRelease } from '../../src/cluster/mtv-release.js';
import { virtualMachineSelector } from '../../src/cluster/plan-virtual-machines.js';
import type {
  ResolvedDisk,
  ResolvedNic,
  ResolvedPlan,
  ResolvedVm,
  ResolvedVmConfig,
  ResolvedVmSettings,
} from '../../src/cluster/resolved-plan.js';
import {
  bootDiskNumber,
  buildVirtualMachine,
  detachedSharedDisks,
  isWindows,
  runStrategyFor,
  uuidToVmwareSerial,
  type VirtualMachineManifest,
  type VmDiskClaim,
} from '../../src/cluster/vm-builder.js';

const PLAN_UID = '6f1c2a4e-1b2c-4d5e-8f90-0123456789ab';
const UUID = '422c6a2a-5ea9-1083-39f3-3b140fffb444';
const Gi = 2 ** 30;

/** Every manifest a test builds, validated against the CRD at the end. */
const built: [string, VirtualMachineManifest][] = [];

function disk(index: number, overrides: Partial<ResolvedDisk> = {}): ResolvedDisk {
  return {
    index,
    key: 2000 + index,
    file: `[ds-1] web-01/web-01_${index}.vmdk`,
    datastoreId: 'datastore-1',
    capacity: 10 * Gi,
    shared: false,
    storageClass: 'standard',
    bus: 'scsi',
    ...overrides,
  };
}

function podNic(mac = '00:50:56:aa:00:01', overrides: Partial<ResolvedNic> = {}): ResolvedNic {
  return { mac, networkId: 'network-1', networkName: 'VM Network', destination: { type: 'pod' }, ...overrides };
}

function multusNic(mac: string, name: string, overrides: Partial<ResolvedNic> = {}): ResolvedNic {
  return {
    mac,
    networkId: `dvportgroup-${name}`,
    networkName: name,
    destination: { type: 'multus', namespace: 'demo', name },
    ...overrides,
  };
}

function config(overrides: Partial<ResolvedVmConfig> = {}): ResolvedVmConfig {
  return {
    targetName: 'web-01',
    renamed: false,
    cpuCount: 4,
    coresPerSocket: 2,
    memoryMB: 4096,
    firmware: 'bios',
    secureBoot: false,
    tpmEnabled: false,
    nestedHVEnabled: false,
    guestId: 'rhel9_64Guest',
    guestName: 'Red Hat Enterprise Linux 9 (64-bit)',
    diskEnableUuid: false,
    nics: [podNic()],
    ...overrides,
  };
}

function vm(configOverrides: Partial<ResolvedVmConfig> = {}, disks: ResolvedDisk[] = [disk(0)]): ResolvedVm {
  return {
    id: 'vm-101',
    name: 'web-01',
    uuid: UUID,
    host: 'host-1',
    powerState: 'poweredOn',
    disks,
    config: config(configOverrides),
  };
}

function plan(release: MtvRelease, settings: Partial<ResolvedVmSettings> = {}): ResolvedPlan {
  return {
    plan: {
      name: 'plan-a',
      namespace: 'openshift-mtv',
      uid: PLAN_UID,
      targetNamespace: 'demo',
      migrateSharedDisks: true,
      pvcNameTemplateUseGenerateName: true,
    },
    mtvRelease: { release, source: 'schema' },
    vddkUuid: { kind: 'instance', cdiVersion: 'v1.66.0' },
    destination: { kind: 'host' },
    provider: { name: 'vcenter', namespace: 'openshift-mtv', uid: 'p-uid', url: 'https://vc/sdk', fingerprint: 'AA' },
    vddkImage: 'registry.local/vddk:1',
    vddkSecret: 'my-vddk',
    vddkSecretSource: { kind: 'given' },
    vms: [],
    vmSettings: {
      skipGuestConversion: false,
      useCompatibilityMode: true,
      networkMap: 'openshift-mtv/net',
      ...settings,
    },
  };
}

/** A claim for each copied disk of `of`, named after the disk index. */
function claimsOf(of: ResolvedVm): VmDiskClaim[] {
  return of.disks
    .filter((d) => d.index >= 0)
    .map((d) => ({ diskIndex: d.index, file: d.file, claimName: `plan-a-vm-101-${d.index}` }));
}

interface Case {
  release?: MtvRelease;
  settings?: Partial<ResolvedVmSettings>;
  config?: Partial<ResolvedVmConfig>;
  disks?: ResolvedDisk[];
  claims?: VmDiskClaim[];
  runStrategy?: 'Always' | 'Halted';
  vmwareSystemSerial?: boolean;
}

function build(c: Case = {}): VirtualMachineManifest {
  const release = c.release ?? '2.12';
  const resolved = vm(c.config, c.disks);
  const manifest = buildVirtualMachine(plan(release, c.settings), resolved, {
    claims: c.claims ?? claimsOf(resolved),
    runStrategy: c.runStrategy ?? 'Halted',
    ...(c.vmwareSystemSerial !== undefined && { vmwareSystemSerial: c.vmwareSystemSerial }),
  });
  built.push([`${release} ${JSON.stringify(c)}`, manifest]);
  return manifest;
}

const domainOf = (m: VirtualMachineManifest) => m.spec.template.spec.domain;
const RAW_COPY = { skipGuestConversion: true, useCompatibilityMode: true };

describe('buildVirtualMachine: metadata', () => {
  it('names the VM by its target name in the target namespace, as kubevirt.io/v1', () => {
    const m = build({ config: { targetName: 'web-01-renamed', renamed: true } });
    expect(m.apiVersion).toBe('kubevirt.io/v1');
    expect(m.kind).toBe('VirtualMachine');
    expect(m.metadata.name).toBe('web-01-renamed');
    expect(m.metadata.namespace).toBe('demo');
  });

  it.each([
    ['2.8', {}],
    ['2.9', { guestConverted: 'true' }],
    ['2.12', { guestConverted: 'true' }],
  ] as const)('labels an MTV %s VM with our keys only (plus Forklift guestConverted from 2.9)', (release, extra) => {
    expect(build({ release }).metadata.labels).toEqual({
      'kubectl-mtv.konveyor.io/plan-uid': PLAN_UID,
      'kubectl-mtv.konveyor.io/plan-name': 'plan-a',
      'kubectl-mtv.konveyor.io/plan-namespace': 'openshift-mtv',
      'kubectl-mtv.konveyor.io/vm-id': 'vm-101',
      'app.kubernetes.io/managed-by': 'kubectl-mtv',
      ...extra,
    });
  });

  it('labels a Raw Copy VM guestConverted=false (2.9+)', () => {
    expect(build({ release: '2.9', settings: RAW_COPY }).metadata.labels.guestConverted).toBe('false');
    expect(build({ release: '2.12', settings: RAW_COPY }).metadata.labels.guestConverted).toBe('false');
  });

  it("carries none of the label keys Forklift's deletes select by, in any release", () => {
    for (const release of MTV_RELEASES) {
      const m = build({ release, config: { renamed: true, targetName: 'web-01-x' } });
      const keys = [...Object.keys(m.metadata.labels), ...Object.keys(m.spec.template.metadata.labels)];
      expect(keys.filter((key) => (FORKLIFT_SELECTOR_KEYS as readonly string[]).includes(key))).toEqual([]);
    }
  });

  it('is found again by virtualMachineSelector(plan uid, vm id): every term of the selector is one of its labels', () => {
    const m = build();
    const selector = virtualMachineSelector(PLAN_UID, 'vm-101');
    expect(selector).toBe(
      `kubectl-mtv.konveyor.io/plan-uid=${PLAN_UID},app.kubernetes.io/managed-by=kubectl-mtv,kubectl-mtv.konveyor.io/vm-id=vm-101`,
    );
    for (const term of selector.split(',')) {
      const [key, value] = term.split('=');
      expect(m.metadata.labels[key], term).toBe(value);
    }
    expect(virtualMachineSelector(PLAN_UID, 'vm-102')).not.toBe(selector);
  });

  it('annotates a renamed VM with the source name: original-name on 2.8, openshift.io/display-name from 2.9', () => {
    const renamed = { targetName: 'web-01-x', renamed: true };
    expect(build({ release: '2.8', config: renamed }).metadata.annotations).toEqual({
      'original-name': 'web-01',
      'original-ID': 'vm-101',
    });
    for (const release of ['2.9', '2.12'] as const) {
      expect(build({ release, config: renamed }).metadata.annotations).toEqual({
        'openshift.io/display-name': 'web-01',
        'original-ID': 'vm-101',
      });
    }
    expect(build({ release: '2.12' }).metadata).not.toHaveProperty('annotations');
  });

  it('sets the given run strategy and never `running`', () => {
    expect(build({ runStrategy: 'Always' }).spec).toMatchObject({ runStrategy: 'Always' });
    const halted = build({ release: '2.8', runStrategy: 'Halted' });
    expect(halted.spec.runStrategy).toBe('Halted');
    expect(halted.spec).not.toHaveProperty('running');
  });
});

describe('buildVirtualMachine: template metadata and scheduling', () => {
  it('labels the template app=<name>; 2.8 sets no template annotations, 2.9+ the three vm.kubevirt.io ones, empty', () => {
    const old = build({ release: '2.8' }).spec.template.metadata;
    expect(old).toEqual({ labels: { app: 'web-01' } });
    expect(build({ release: '2.9' }).spec.template.metadata).toEqual({
      labels: { app: 'web-01' },
      annotations: { 'vm.kubevirt.io/flavor': '', 'vm.kubevirt.io/os': '', 'vm.kubevirt.io/workload': '' },
    });
  });

  it('merges targetLabels from 2.10, with app winning over a target label of that name', () => {
    const settings = { targetLabels: { team: 'web', app: 'other' } };
    expect(build({ release: '2.9', settings }).spec.template.metadata.labels).toEqual({ app: 'web-01' });
    expect(build({ release: '2.10', settings }).spec.template.metadata.labels).toEqual({ team: 'web', app: 'web-01' });
    expect(build({ release: '2.12', settings }).spec.template.metadata.labels).toEqual({ team: 'web', app: 'web-01' });
  });

  it('sets nodeSelector and affinity from 2.10 only', () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
        },
      },
    };
    const settings = { targetNodeSelector: { 'node-role.kubernetes.io/worker': '' }, targetAffinity: affinity };
    const older = build({ release: '2.9', settings }).spec.template.spec;
    expect(older).not.toHaveProperty('nodeSelector');
    expect(older).not.toHaveProperty('affinity');
    for (const release of ['2.10', '2.12'] as const) {
      const spec = build({ release, settings }).spec.template.spec;
      expect(spec.nodeSelector).toEqual({ 'node-role.kubernetes.io/worker': '' });
      expect(spec.affinity).toEqual(affinity);
    }
    expect(build({ release: '2.12', settings: { targetNodeSelector: {} } }).spec.template.spec).not.toHaveProperty(
      'nodeSelector',
    );
  });
});

describe('buildVirtualMachine: CPU, memory, firmware, clock, input, TPM', () => {
  it('counts sockets by integer division and sets cores per socket', () => {
    expect(domainOf(build({ config: { cpuCount: 8, coresPerSocket: 2 } })).cpu).toEqual({ sockets: 4, cores: 2 });
    expect(domainOf(build({ release: '2.8', config: { cpuCount: 6, coresPerSocket: 4 } })).cpu).toEqual({
      sockets: 1,
      cores: 4,
    });
    expect(() => build({ config: { coresPerSocket: 0 } })).toThrow(/0 cores per socket/);
  });

  it.each([
    ['2.8', { nestedHVEnabled: true }, undefined],
    ['2.9', { nestedHVEnabled: true }, 'optional'],
    ['2.9', { nestedHVEnabled: true, enableNestedVirtualization: false }, 'optional'],
    ['2.9', { nestedHVEnabled: false, enableNestedVirtualization: true }, undefined],
    ['2.10', { nestedHVEnabled: true }, 'optional'],
    ['2.10', { nestedHVEnabled: true, enableNestedVirtualization: false }, 'disable'],
    ['2.12', { nestedHVEnabled: false, enableNestedVirtualization: true }, 'optional'],
    ['2.12', { nestedHVEnabled: false }, undefined],
  ] as const)('on %s with %j sets vmx/svm %s', (release, cpuConfig, policy) => {
    const { cpu } = domainOf(build({ release, config: cpuConfig }));
    if (policy === undefined) expect(cpu).not.toHaveProperty('features');
    else
      expect(cpu.features).toEqual([
        { name: 'vmx', policy },
        { name: 'svm', policy },
      ]);
  });

  it('gives the guest memoryMB as a BinarySI quantity, as Go writes it', () => {
    expect(domainOf(build({ release: '2.8', config: { memoryMB: 4096 } })).memory).toEqual({ guest: '4Gi' });
    expect(domainOf(build({ config: { memoryMB: 1536 } })).memory).toEqual({ guest: '1536Mi' });
  });

  it('boots BIOS with the BIOS uuid as serial, and no features', () => {
    const domain = domainOf(build({ release: '2.8' }));
    expect(domain.firmware).toEqual({ serial: UUID, bootloader: { bios: {} } });
    expect(domain).not.toHaveProperty('features');
  });

  it('boots EFI with its Secure Boot; SMM on only with Secure Boot', () => {
    for (const release of ['2.8', '2.12'] as const) {
      const secure = domainOf(build({ release, config: { firmware: 'efi', secureBoot: true } }));
      expect(secure.firmware.bootloader).toEqual({ efi: { secureBoot: true } });
      expect(secure.features).toEqual({ smm: { enabled: true } });
      const plain = domainOf(build({ release, config: { firmware: 'efi', secureBoot: false } }));
      expect(plain.firmware.bootloader).toEqual({ efi: { secureBoot: false } });
      expect(plain).not.toHaveProperty('features');
    }
    // Secure Boot without EFI is BIOS, without SMM
    const bios = domainOf(build({ config: { firmware: 'bios', secureBoot: true } }));
    expect(bios.firmware.bootloader).toEqual({ bios: {} });
    expect(bios).not.toHaveProperty('features');
  });

  it("uses the VMware serial form only when asked and on 2.10+, as Forklift's getSystemSerial", () => {
    expect(domainOf(build({ release: '2.12' })).firmware.serial).toBe(UUID);
    expect(domainOf(build({ release: '2.12', vmwareSystemSerial: true })).firmware.serial).toBe(
      'VMware-42 2c 6a 2a 5e a9 10 83-39 f3 3b 14 0f ff b4 44',
    );
    expect(domainOf(build({ release: '2.10', vmwareSystemSerial: true })).firmware.serial).toMatch(/^VMware-42 2c/);
    expect(domainOf(build({ release: '2.9', vmwareSystemSerial: true })).firmware.serial).toBe(UUID);
    expect(uuidToVmwareSerial('422C6A2A-5EA9-1083-39F3-3B140FFFB444')).toBe(
      'VMware-42 2c 6a 2a 5e a9 10 83-39 f3 3b 14 0f ff b4 44',
    );
    expect(uuidToVmwareSerial('not-a-uuid')).toBe('not-a-uuid');
  });

  it("sets the clock's timezone to the host's when it has one", () => {
    expect(domainOf(build({ release: '2.8', config: { timezone: 'Europe/Berlin' } })).clock).toEqual({
      timezone: 'Europe/Berlin',
    });
    expect(domainOf(build({ config: { timezone: 'UTC' } })).clock).toEqual({ timezone: 'UTC' });
    expect(domainOf(build())).not.toHaveProperty('clock');
  });

  it.each([
    ['2.8', RAW_COPY, 'virtio'],
    ['2.9', RAW_COPY, 'usb'],
    ['2.12', RAW_COPY, 'usb'],
    ['2.12', { skipGuestConversion: true, useCompatibilityMode: false }, 'virtio'],
    ['2.12', { skipGuestConversion: false, useCompatibilityMode: true }, 'virtio'],
  ] as const)('on %s with %j gives the tablet bus %s', (release, settings, bus) => {
    expect(domainOf(build({ release, settings })).devices.inputs).toEqual([{ type: 'tablet', name: 'tablet', bus }]);
  });

  it('keeps a vTPM persistent; without one 2.8 sets no TPM and 2.9+ disables it', () => {
    expect(domainOf(build({ release: '2.8', config: { tpmEnabled: true } })).devices.tpm).toEqual({ persistent: true });
    expect(domainOf(build({ release: '2.12', config: { tpmEnabled: true } })).devices.tpm).toEqual({
      persistent: true,
    });
    expect(domainOf(build({ release: '2.8' })).devices).not.toHaveProperty('tpm');
    expect(domainOf(build({ release: '2.9' })).devices.tpm).toEqual({ enabled: false });
    expect(domainOf(build({ release: '2.12' })).devices.tpm).toEqual({ enabled: false });
  });
});

describe('buildVirtualMachine: disks and volumes', () => {
  const three = [disk(2, { bus: 'scsi' }), disk(0, { bus: 'sata' }), disk(1, { bus: 'scsi' })];

  it('attaches the claims in disk-index order as vol-<i>, bootOrder 1 on the first disk', () => {
    for (const release of ['2.8', '2.12'] as const) {
      const spec = build({ release, disks: three }).spec.template.spec;
      expect(spec.volumes).toEqual([
        { name: 'vol-0', persistentVolumeClaim: { claimName: 'plan-a-vm-101-0' } },
        { name: 'vol-1', persistentVolumeClaim: { claimName: 'plan-a-vm-101-1' } },
        { name: 'vol-2', persistentVolumeClaim: { claimName: 'plan-a-vm-101-2' } },
      ]);
      expect(spec.domain.devices.disks).toEqual([
        { name: 'vol-0', disk: { bus: 'virtio' }, bootOrder: 1 },
        { name: 'vol-1', disk: { bus: 'virtio' } },
        { name: 'vol-2', disk: { bus: 'virtio' } },
      ]);
    }
  });

  it('matches claims by backing file, not by index, trimming a snapshot suffix as Forklift does', () => {
    const disks = [disk(0, { file: '[ds-1] web-01/web-01-000002.vmdk' }), disk(1)];
    const claims = [
      { diskIndex: 7, file: '[ds-1] web-01/web-01_1.vmdk', claimName: 'second' },
      { diskIndex: 9, file: '[ds-1] web-01/web-01.vmdk', claimName: 'first' },
    ];
    expect(build({ disks, claims }).spec.template.spec.volumes.map((v) => v.persistentVolumeClaim.claimName)).toEqual([
      'first',
      'second',
    ]);
  });

  it('refuses a copied disk without a claim, naming the disk', () => {
    expect(() => build({ disks: [disk(0), disk(1)], claims: claimsOf(vm({}, [disk(0)])) })).toThrow(
      'VM "web-01" (vm-101) disk 1 ([ds-1] web-01/web-01_1.vmdk) has no copied claim to attach',
    );
    expect(() => build({ disks: [], claims: [] })).toThrow('has no disk to attach');
  });

  it('uses SATA disks in compatibility mode (2.9+ Raw Copy), virtio otherwise', () => {
    const bus = (c: Case) => domainOf(build(c)).devices.disks.map((d) => d.disk.bus);
    expect(bus({ release: '2.12', settings: RAW_COPY, disks: three })).toEqual(['sata', 'sata', 'sata']);
    expect(bus({ release: '2.9', settings: RAW_COPY })).toEqual(['sata']);
    expect(bus({ release: '2.8', settings: RAW_COPY })).toEqual(['virtio']);
    expect(bus({ release: '2.12', settings: { ...RAW_COPY, useCompatibilityMode: false } })).toEqual(['virtio']);
  });

  it('gives a SCSI disk its serial when disk.EnableUUID is on, from 2.9', () => {
    const disks = [
      disk(0, { bus: 'scsi', serial: '6000c29a1b2c3d4e' }),
      disk(1, { bus: 'sata', serial: 'sata-serial' }),
      disk(2, { bus: 'scsi' }),
    ];
    const serials = (c: Case) => domainOf(build({ disks, ...c })).devices.disks.map((d) => d.serial);
    expect(serials({ release: '2.12', config: { diskEnableUuid: true } })).toEqual([
      '6000c29a1b2c3d4e',
      undefined,
      undefined,
    ]);
    expect(serials({ release: '2.9', config: { diskEnableUuid: true } })).toEqual([
      '6000c29a1b2c3d4e',
      undefined,
      undefined,
    ]);
    expect(serials({ release: '2.12', config: { diskEnableUuid: false } })).toEqual([undefined, undefined, undefined]);
    expect(serials({ release: '2.8', config: { diskEnableUuid: true } })).toEqual([undefined, undefined, undefined]);
  });

  it('makes a shared disk shareable without cache', () => {
    for (const release of ['2.8', '2.12'] as const) {
      const disks = domainOf(build({ release, disks: [disk(0), disk(1, { shared: true })] })).devices.disks;
      expect(disks[1]).toEqual({ name: 'vol-1', disk: { bus: 'virtio' }, shareable: true, cache: 'none' });
      expect(disks[0]).not.toHaveProperty('shareable');
    }
  });

  it('attaches a shared disk the plan does not migrate only when a claim holds it, after the copied disks', () => {
    const quorum = disk(-1, { shared: true, file: '[ds-2] shared/quorum.vmdk', key: 1999 });
    const disks = [quorum, disk(0)];
    const copied = [{ diskIndex: 0, file: disk(0).file, claimName: 'own' }];
    const without = build({ disks, claims: copied }).spec.template.spec;
    expect(without.volumes.map((v) => v.persistentVolumeClaim.claimName)).toEqual(['own']);
    expect(detachedSharedDisks(vm({}, disks), copied)).toEqual([quorum]);

    const claims = [...copied, { diskIndex: 1, file: quorum.file, claimName: 'plan-b-vm-9-1' }];
    const withClaim = build({ disks, claims }).spec.template.spec;
    expect(withClaim.volumes.map((v) => v.persistentVolumeClaim.claimName)).toEqual(['own', 'plan-b-vm-9-1']);
    expect(withClaim.domain.devices.disks[1]).toEqual({
      name: 'vol-1',
      disk: { bus: 'virtio' },
      shareable: true,
      cache: 'none',
    });
    expect(detachedSharedDisks(vm({}, disks), claims)).toEqual([]);
  });

  it.each([
    ['2.8', '/dev/sdb', 1],
    ['2.12', '/dev/sdb', 1],
    ['2.12', '/dev/sdc', 2],
    ['2.12', '/dev/vdb', 0],
    ['2.9', '/dev/sdz', 0],
    ['2.12', '/dev/sdz', 0],
    ['2.8', '/dev/sdz', 0],
    ['2.12', '/dev/sdB', 0],
  ] as const)('on %s boots rootDisk %s from disk %s', (release, rootDisk, boot) => {
    const disks = domainOf(build({ release, disks: three, config: { rootDisk } })).devices.disks;
    expect(disks.flatMap((d, i) => (d.bootOrder === 1 ? [i] : []))).toEqual([boot]);
    expect(disks.filter((d) => d.bootOrder !== undefined && d.bootOrder !== 1)).toEqual([]);
  });

  it.each([
    ['/dev/sda', 0],
    ['/dev/sdc', 2],
    ['/dev/sd1b', 1],
    ['/dev/sd', 0],
    ['/dev/sd1', 0],
    ['sdb', 0],
    ['', 0],
    ['/dev/sdA', -32],
  ] as const)("reads rootDisk %j as Forklift's GetBootDiskNumber: %d", (rootDisk, number) => {
    expect(bootDiskNumber(rootDisk)).toBe(number);
  });
});

describe('buildVirtualMachine: networks', () => {
  const nics = [
    podNic('00:50:56:aa:00:01'),
    multusNic('00:50:56:aa:00:02', 'ignored-net', { destination: { type: 'ignored' } }),
    multusNic('00:50:56:aa:00:03', 'vlan-10'),
  ];

  it('maps pod to masquerade and multus to bridge, net-<n> over the NICs not ignored', () => {
    for (const release of ['2.8', '2.9', '2.12'] as const) {
      const spec = build({ release, config: { nics } }).spec.template.spec;
      expect(spec.networks).toEqual([
        { name: 'net-0', pod: {} },
        { name: 'net-1', multus: { networkName: 'demo/vlan-10' } },
      ]);
      expect(spec.domain.devices.interfaces).toEqual([
        { name: 'net-0', model: 'virtio', macAddress: '00:50:56:aa:00:01', masquerade: {} },
        { name: 'net-1', model: 'virtio', macAddress: '00:50:56:aa:00:03', bridge: {} },
      ]);
    }
  });

  it('uses e1000e in compatibility mode (2.9+ Raw Copy)', () => {
    const models = (c: Case) => domainOf(build({ config: { nics }, ...c })).devices.interfaces.map((i) => i.model);
    expect(models({ release: '2.12', settings: RAW_COPY })).toEqual(['e1000e', 'e1000e']);
    expect(models({ release: '2.9', settings: RAW_COPY })).toEqual(['e1000e', 'e1000e']);
    expect(models({ release: '2.8', settings: RAW_COPY })).toEqual(['virtio', 'virtio']);
  });

  it("puts the NIC's PCI address on the interface from 2.12", () => {
    const withPci = [podNic('00:50:56:aa:00:01', { pciAddress: '0000:03:00.0' })];
    expect(domainOf(build({ release: '2.12', config: { nics: withPci } })).devices.interfaces[0].pciAddress).toBe(
      '0000:03:00.0',
    );
    expect(domainOf(build({ release: '2.11', config: { nics: withPci } })).devices.interfaces[0]).not.toHaveProperty(
      'pciAddress',
    );
  });

  it('orders interfaces by NetworkMap pair on 2.8 when the pairs are known, by NIC from 2.9', () => {
    const paired = [
      podNic('00:50:56:aa:00:01', { networkMapPair: 1 }),
      multusNic('00:50:56:aa:00:02', 'vlan-20', { networkMapPair: 0 }),
      podNic('00:50:56:aa:00:03', { networkMapPair: 1 }),
    ];
    const macs = (c: Case) =>
      domainOf(build({ config: { nics: paired }, ...c })).devices.interfaces.map((i) => i.macAddress);
    expect(macs({ release: '2.8' })).toEqual(['00:50:56:aa:00:02', '00:50:56:aa:00:01', '00:50:56:aa:00:03']);
    expect(macs({ release: '2.9' })).toEqual(['00:50:56:aa:00:01', '00:50:56:aa:00:02', '00:50:56:aa:00:03']);
    const unpaired = paired.map(({ networkMapPair: _, ...nic }) => nic);
    expect(
      domainOf(build({ release: '2.8', config: { nics: unpaired } })).devices.interfaces.map((i) => i.macAddress),
    ).toEqual(['00:50:56:aa:00:01', '00:50:56:aa:00:02', '00:50:56:aa:00:03']);
  });

  it('gives a VM without NICs, or with only ignored ones, no networks', () => {
    const spec = build({ config: { nics: [nics[1]] } }).spec.template.spec;
    expect(spec.networks).toEqual([]);
    expect(spec.domain.devices.interfaces).toEqual([]);
  });
});

describe('buildVirtualMachine: purity', () => {
  it('builds the same manifest from the same input and changes no input', () => {
    const resolved = vm({ nics: [podNic(), multusNic('00:50:56:aa:00:09', 'vlan-10')] }, [disk(1), disk(0)]);
    const resolvedPlan = plan('2.12', { targetLabels: { a: 'b' } });
    const input = { claims: claimsOf(resolved), runStrategy: 'Always' as const };
    const before = structuredClone({ resolved, resolvedPlan, input });
    const first = buildVirtualMachine(resolvedPlan, resolved, input);
    expect(buildVirtualMachine(resolvedPlan, resolved, input)).toEqual(first);
    expect({ resolved, resolvedPlan, input }).toEqual(before);
  });

  it('refuses a VM without a resolved configuration (--disks-only)', () => {
    const { config: _, ...bare } = vm();
    expect(() => buildVirtualMachine(plan('2.12'), bare, { claims: [], runStrategy: 'Halted' })).toThrow(
      'VM "web-01" (vm-101) has no resolved configuration',
    );
  });
});

describe('runStrategyFor', () => {
  const linux = { guestId: 'rhel9_64Guest', guestName: 'Red Hat Enterprise Linux 9 (64-bit)' };
  const windows = { guestId: 'windows2019srv_64Guest', guestName: 'Microsoft Windows Server 2019 (64-bit)' };

  it.each([
    ['2.8', linux, undefined, 'poweredOn', 'Always'],
    ['2.8', linux, undefined, 'poweredOff', 'Halted'],
    ['2.8', linux, undefined, 'suspended', 'Halted'],
    ['2.8', linux, 'on', 'poweredOff', 'Halted'],
    ['2.8', windows, undefined, 'poweredOff', 'Halted'],
    ['2.9', linux, 'on', 'poweredOff', 'Always'],
    ['2.9', linux, 'off', 'poweredOn', 'Halted'],
    ['2.9', linux, 'auto', 'poweredOn', 'Always'],
    ['2.9', linux, 'auto', 'suspended', 'Halted'],
    ['2.9', linux, undefined, 'poweredOff', 'Halted'],
    ['2.11', windows, 'auto', 'poweredOff', 'Halted'],
    ['2.12', windows, 'auto', 'poweredOff', 'Always'],
    ['2.12', windows, undefined, 'suspended', 'Always'],
    ['2.12', windows, 'off', 'poweredOn', 'Halted'],
    ['2.12', linux, 'auto', 'poweredOff', 'Halted'],
    ['2.12', linux, 'on', 'poweredOff', 'Always'],
  ] as const)(
    'on %s for %j with target %s and a source %s: %s',
    (release, guest, targetPowerState, source, expected) => {
      const result = runStrategyFor(release, { ...guest, ...(targetPowerState && { targetPowerState }) }, source);
      expect(result.runStrategy).toBe(expected);
      expect(result.why.length).toBeGreaterThan(10);
    },
  );

  it('says why: the target power state, the source state, or the Windows rule', () => {
    expect(runStrategyFor('2.12', { ...linux, targetPowerState: 'on' }, 'poweredOff').why).toBe(
      'its target power state is on',
    );
    expect(runStrategyFor('2.9', linux, 'suspended').why).toBe('the source VM was suspended when the run started');
    expect(runStrategyFor('2.12', windows, 'poweredOff').why).toContain('Windows guest (windows2019srv_64Guest)');
  });

  it('makes the VM Halted whatever the rules say while its source is still powered on', () => {
    for (const release of MTV_RELEASES) {
      const result = runStrategyFor(release, { ...windows, targetPowerState: 'on' }, 'poweredOn', {
        sourceRunning: true,
      });
      expect(result).toEqual({
        runStrategy: 'Halted',
        why: 'the source VM is still powered on: two running copies would share MACs and IPs',
      });
    }
    expect(runStrategyFor('2.12', linux, 'poweredOn', { sourceRunning: false }).runStrategy).toBe('Always');
  });

  it('leaves the Windows rule out when FEATURE_WINDOWS_WAIT_FOR_REBOOT is off', () => {
    expect(runStrategyFor('2.12', windows, 'poweredOff', { windowsWaitForReboot: false }).runStrategy).toBe('Halted');
  });

  it.each([
    [{ guestId: 'windows2019srv_64Guest', guestName: '' }, true],
    [{ guestId: '', guestName: 'Microsoft Windows 11 (64-bit)' }, true],
    [{ guestId: 'WINNETSTANDARDGUEST', guestName: '' }, true],
    [{ guestId: 'rhel9_64Guest', guestName: 'Red Hat Enterprise Linux 9 (64-bit)' }, false],
    // Forklift matches the substring: a macOS guest id counts as Windows
    [{ guestId: 'darwin21_64Guest', guestName: 'Apple macOS 12 (64-bit)' }, true],
  ] as const)("isWindows(%j) is %s, as Forklift's IsWindows", (guest, expected) => {
    expect(isWindows(guest)).toBe(expected);
  });
});

describe('the VirtualMachine CRD in ../shared/crds/kubevirt', () => {
  /** The CRD compiled once (it is large). */
  let compiled: ReturnType<ReturnType<typeof crdOracle>['get']> | undefined;
  const oracle = () => {
    compiled ??= crdOracle().get('kubevirt.io/v1/VirtualMachine');
    return compiled;
  };

  /** A plan VM with every feature on or off, for the property. */
  const arbitraryCase = fc.record({
    release: fc.constantFrom(...MTV_RELEASES),
    rawCopy: fc.boolean(),
    efi: fc.boolean(),
    secureBoot: fc.boolean(),
    tpm: fc.boolean(),
    nested: fc.option(fc.boolean(), { nil: undefined }),
    timezone: fc.option(fc.constantFrom('UTC', 'Europe/Berlin'), { nil: undefined }),
    disks: fc.array(fc.record({ shared: fc.boolean(), bus: fc.constantFrom('scsi', 'sata', 'ide') }), {
      minLength: 1,
      maxLength: 5,
    }),
    nics: fc.array(fc.constantFrom('pod', 'multus', 'ignored'), { maxLength: 4 }),
    rootDisk: fc.option(fc.constantFrom('/dev/sda', '/dev/sdb', '/dev/sdq'), { nil: undefined }),
    labels: fc.boolean(),
  });

  it('validates every manifest built above, and arbitrary ones', needs(SHARED_CRDS), () => {
    const validate = oracle();
    expect(validate).toBeDefined();
    // what the tests above built (all of them when the file runs whole), and a VM with everything on per release
    for (const release of MTV_RELEASES) {
      build({
        release,
        settings: { ...RAW_COPY, targetLabels: { team: 'web' }, targetNodeSelector: { zone: 'a' } },
        config: {
          firmware: 'efi',
          secureBoot: true,
          tpmEnabled: true,
          timezone: 'UTC',
          diskEnableUuid: true,
          renamed: true,
        },
        disks: [disk(0, { serial: 's0' }), disk(1, { shared: true })],
      });
    }
    expect(built.length).toBeGreaterThanOrEqual(MTV_RELEASES.length);
    for (const [name, manifest] of built) {
      expect(validate?.(manifest), `${name}: ${JSON.stringify(validate?.errors)}`).toBe(true);
    }
    fc.assert(
      fc.property(arbitraryCase, (a) => {
        const manifest = build({
          release: a.release,
          settings: {
            skipGuestConversion: a.rawCopy,
            ...(a.labels && { targetLabels: { team: 'web' }, targetNodeSelector: { zone: 'a' } }),
          },
          config: {
            firmware: a.efi ? 'efi' : 'bios',
            secureBoot: a.secureBoot,
            tpmEnabled: a.tpm,
            nestedHVEnabled: a.nested ?? false,
            ...(a.nested !== undefined && { enableNestedVirtualization: a.nested }),
            ...(a.timezone && { timezone: a.timezone }),
            ...(a.rootDisk && { rootDisk: a.rootDisk }),
            diskEnableUuid: true,
            nics: a.nics.map((kind, i) => {
              const mac = `00:50:56:aa:01:0${i}`;
              if (kind === 'pod') return podNic(mac, { pciAddress: `0000:0${i}:00.0` });
              if (kind === 'multus') return multusNic(mac, `vlan-${i}`);
              return multusNic(mac, `ignored-${i}`, { destination: { type: 'ignored' } });
            }),
          },
          disks: a.disks.map((d, i) => disk(i, { ...d, serial: `serial-${i}` })),
        });
        expect(validate?.(manifest), JSON.stringify(validate?.errors)).toBe(true);
        const { domain, volumes, networks } = manifest.spec.template.spec;
        expect(domain.devices.disks.map((d) => d.name)).toEqual(volumes.map((v) => v.name));
        expect(domain.devices.interfaces.map((i) => i.name)).toEqual(networks.map((n) => n.name));
        expect(domain.devices.disks.filter((d) => d.bootOrder === 1).length).toBe(1);
      }),
      { numRuns: 200 },
    );
  });

  it(
    'would refuse a manifest the builder never makes (an unknown disk field, a claim without its name)',
    needs(SHARED_CRDS),
    () => {
      const validate = oracle();
      const good = build();
      expect(validate?.(good)).toBe(true);
      const unknownField = structuredClone(good) as unknown as {
        spec: { template: { spec: { domain: { devices: { disks: Record<string, unknown>[] } } } } };
      };
      unknownField.spec.template.spec.domain.devices.disks[0].bootIndex = 1;
      expect(validate?.(unknownField)).toBe(false);
      const noClaim = structuredClone(good) as unknown as { spec: { template: { spec: { volumes: unknown[] } } } };
      noClaim.spec.template.spec.volumes = [{ name: 'vol-0', persistentVolumeClaim: {} }];
      expect(validate?.(noClaim)).toBe(false);
    },
  );
});
