/**
 * The KubeVirt VirtualMachine of a plan VM, built the way Forklift builds it after the disks are copied (kubevirt.go
 * virtualMachine / emptyVm, adapter/vsphere/builder.go VirtualMachine: mapDisks, mapFirmware, mapCPU, mapMemory,
 * mapClock, mapInput, mapTpm, mapNetworks), per MTV release: no preference, instancetype or template (Raw Copy finds
 * none: vm-creation.md §3), PVC volumes, and labels of our own so that no Forklift cleanup selects it. Pure: no clock,
 * no I/O. vm-creation.md §1-2 is the fact base; each rule names the release branch it was read in.
 */
import { planVmLabels, storageQuantity } from './datavolume-builder.js';
import { atLeastRelease, type MtvRelease } from './mtv-release.js';
import type { ResolvedDisk, ResolvedNic, ResolvedPlan, ResolvedVm, ResolvedVmConfig } from './resolved-plan.js';

/** The PVC a copied disk ended in: its own DataVolume's, or (shared disk) the one of the DataVolume that copied it. */
export interface VmDiskClaim {
  diskIndex: number;
  /** The disk's backing file (the DataVolume's forklift.konveyor.io/disk-source). */
  file: string;
  claimName: string;
}

export type RunStrategy = 'Always' | 'Halted';

export interface BuildVmInput {
  claims: VmDiskClaim[];
  runStrategy: RunStrategy;
  /**
   * The serial in the `VMware-42 2c ...` form (2.10+ with FEATURE_VMWARE_SYSTEM_SERIAL_NUMBER on OpenShift >= 4.20,
   * builder.go getSystemSerial). Default: the BIOS uuid, which every release uses below OpenShift 4.20 and which
   * every KubeVirt accepts; kubectl-mtv cannot read the controller's OPENSHIFT_VERSION.
   */
  vmwareSystemSerial?: boolean;
}

export interface VmDisk {
  name: string;
  disk: { bus: 'virtio' | 'sata' };
  bootOrder?: number;
  serial?: string;
  shareable?: boolean;
  cache?: 'none';
}

export interface VmInterface {
  name: string;
  model: 'virtio' | 'e1000e';
  macAddress: string;
  pciAddress?: string;
  masquerade?: Record<string, never>;
  bridge?: Record<string, never>;
}

export interface VmNetwork {
  name: string;
  pod?: Record<string, never>;
  multus?: { networkName: string };
}

/** A kubevirt.io/v1 VirtualMachine as kubectl-mtv creates it (validated against KubeVirt's CRD in the tests). */
export interface VirtualMachineManifest {
  apiVersion: 'kubevirt.io/v1';
  kind: 'VirtualMachine';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    runStrategy: RunStrategy;
    template: {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
      spec: {
        nodeSelector?: Record<string, string>;
        affinity?: unknown;
        domain: {
          cpu: { sockets: number; cores: number; features?: { name: 'vmx' | 'svm'; policy: 'optional' | 'disable' }[] };
          /** A BinarySI quantity, as Go writes it ("4Gi", "1536Mi"). */
          memory: { guest: string };
          firmware: { serial: string; bootloader: { efi: { secureBoot: boolean } } | { bios: Record<string, never> } };
          features?: { smm: { enabled: true } };
          clock?: { timezone: string };
          devices: {
            disks: VmDisk[];
            interfaces: VmInterface[];
            inputs: { type: 'tablet'; name: 'tablet'; bus: 'virtio' | 'usb' }[];
            tpm?: { persistent: true } | { enabled: false };
          };
        };
        networks: VmNetwork[];
        volumes: { name: string; persistentVolumeClaim: { claimName: string } }[];
      };
    };
  };
}

/** kubevirt.go AnnDisplayName / AnnOriginalID (2.9+); 2.8 wrote the source name as AnnOriginalName. */
const ANNOTATION = {
  displayName: 'openshift.io/display-name',
  originalName: 'original-name',
  originalId: 'original-ID',
} as const;

/** The template annotations 2.9+ sets to "" when missing (kubevirt.go virtualMachine kubevirtWorkloadAnn). */
const WORKLOAD_ANNOTATIONS = ['vm.kubevirt.io/flavor', 'vm.kubevirt.io/os', 'vm.kubevirt.io/workload'] as const;

const MIB = 1024 * 1024;

type TemplateSpec = VirtualMachineManifest['spec']['template']['spec'];
type Domain = TemplateSpec['domain'];

/** The plan VM's VirtualMachine, as MTV `plan.mtvRelease.release` builds it, on the claims its disks were copied to. */
export function buildVirtualMachine(plan: ResolvedPlan, vm: ResolvedVm, input: BuildVmInput): VirtualMachineManifest {
  const config = vm.config;
  if (!config) throw new Error(`VM "${vm.name}" (${vm.id}) has no resolved configuration to build a VirtualMachine of`);
  const release = plan.mtvRelease.release;
  const settings = plan.vmSettings;
  const v29 = atLeastRelease(release, '2.9');
  const v210 = atLeastRelease(release, '2.10');
  // vsphere/utils.go useCompatibilityModeBus (2.9+): Raw Copy keeps the guest's own drivers, so SATA, e1000e, usb
  const compat = v29 && settings?.skipGuestConversion === true && settings.useCompatibilityMode;
  const { disks, volumes } = mapDisks(release, vm, config, input.claims, compat);
  const { interfaces, networks } = mapNetworks(release, config, compat);
  const name = config.targetName;
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: {
      name,
      namespace: plan.plan.targetNamespace,
      labels: {
        // ours only (planVmLabels): the runner finds the VM again by them, after a kill -9 too
        ...planVmLabels(plan.plan, vm.id),
        // kubevirt.go setVmLabels (2.9+): vSphere always requires conversion
        ...(v29 && { guestConverted: String(!(settings?.skipGuestConversion ?? false)) }),
      },
      ...(config.renamed && {
        annotations: {
          [v29 ? ANNOTATION.displayName : ANNOTATION.originalName]: vm.name,
          [ANNOTATION.originalId]: vm.id,
        },
      }),
    },
    spec: {
      runStrategy: input.runStrategy,
      template: {
        metadata: {
          // 2.10+ merges spec.targetLabels first; `app` is set after them and wins
          labels: { ...(v210 && settings?.targetLabels), app: name },
          ...(v29 && { annotations: Object.fromEntries(WORKLOAD_ANNOTATIONS.map((key) => [key, ''])) }),
        },
        spec: {
          ...(v210 && settings?.targetNodeSelector && Object.keys(settings.targetNodeSelector).length > 0
            ? { nodeSelector: { ...settings.targetNodeSelector } }
            : {}),
          ...(v210 &&
            settings?.targetAffinity !== undefined &&
            settings.targetAffinity !== null && { affinity: settings.targetAffinity }),
          domain: {
            cpu: mapCpu(release, vm, config),
            memory: { guest: storageQuantity(config.memoryMB * MIB) },
            ...mapFirmware(release, vm, config, input.vmwareSystemSerial ?? false),
            ...(config.timezone && { clock: { timezone: config.timezone } }),
            devices: {
              disks,
              interfaces,
              inputs: [{ type: 'tablet', name: 'tablet', bus: compat ? 'usb' : 'virtio' }],
              // builder.go mapTpm: 2.9+ turns an absent vTPM off explicitly (MTV-2014); 2.8 leaves it unset
              ...(config.tpmEnabled
                ? { tpm: { persistent: true } }
                : v29 && { tpm: { enabled: false } as { enabled: false } }),
            },
          },
          networks,
          volumes,
        },
      },
    },
  } satisfies VirtualMachineManifest;
}

/** builder.go mapCPU: sockets by integer division; nested virtualization per release. */
function mapCpu(release: MtvRelease, vm: ResolvedVm, config: ResolvedVmConfig): Domain['cpu'] {
  if (!Number.isInteger(config.coresPerSocket) || config.coresPerSocket < 1) {
    throw new Error(
      `VM "${vm.name}" (${vm.id}) has ${config.coresPerSocket} cores per socket: sockets cannot be counted`,
    );
  }
  const cpu = { sockets: Math.floor(config.cpuCount / config.coresPerSocket), cores: config.coresPerSocket };
  // 2.8: none. 2.9: nestedHVEnabled -> vmx/svm optional. 2.10+: context/migration.go NestedVirtualizationSetting,
  // the VM's enableNestedVirtualization, else the plan's, else nestedHVEnabled; false -> disable.
  let nested: boolean | undefined;
  if (atLeastRelease(release, '2.10'))
    nested = config.enableNestedVirtualization ?? (config.nestedHVEnabled || undefined);
  else if (release === '2.9') nested = config.nestedHVEnabled || undefined;
  if (nested === undefined) return cpu;
  const policy = nested ? 'optional' : 'disable';
  return {
    ...cpu,
    features: [
      { name: 'vmx', policy },
      { name: 'svm', policy },
    ],
  };
}

/** builder.go mapFirmware: the serial; EFI with its Secure Boot (and SMM when on), else BIOS. */
function mapFirmware(
  release: MtvRelease,
  vm: ResolvedVm,
  config: ResolvedVmConfig,
  vmwareSerial: boolean,
): Pick<Domain, 'firmware' | 'features'> {
  const serial = vmwareSerial && atLeastRelease(release, '2.10') ? uuidToVmwareSerial(vm.uuid) : vm.uuid;
  if (config.firmware !== 'efi') return { firmware: { serial, bootloader: { bios: {} } } };
  return {
    firmware: { serial, bootloader: { efi: { secureBoot: config.secureBoot } } },
    ...(config.secureBoot && { features: { smm: { enabled: true } } }),
  };
}

/**
 * vsphere/uuid_to_vmware_serial.go UUIDToVMwareSerial (2.10+): `422c6a2a-5ea9-1083-39f3-3b140fffb444` ->
 * `VMware-42 2c 6a 2a 5e a9 10 83-39 f3 3b 14 0f ff b4 44`; anything that is not a uuid is kept as it is.
 */
export function uuidToVmwareSerial(uuid: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(uuid)) return uuid;
  const pairs = uuid.replaceAll('-', '').toLowerCase().match(/../g) ?? [];
  return `VMware-${pairs.slice(0, 8).join(' ')}-${pairs.slice(8).join(' ')}`;
}

/** builder.go backingFilePattern / trimBackingFileName: a snapshot's `-000001.vmdk` names the base disk. */
function trimBackingFileName(file: string): string {
  return file.replace(/-\d{6}.vmdk/g, '.vmdk');
}

/**
 * The VM's disks in the release's order (ResolvedDisk.index), then the shared disks the plan does not migrate that
 * have a claim (builder.go VirtualMachine findSharedPVCs: one without a PVC is removed from the VM). Forklift sorts
 * those in among the others by bus and key; they carry no position here (index -1), so they come last.
 */
function vmDisks(vm: ResolvedVm, claims: ReadonlyMap<string, VmDiskClaim>): ResolvedDisk[] {
  const copied = vm.disks.filter((disk) => disk.index >= 0).sort((a, b) => a.index - b.index);
  const attached = vm.disks.filter((disk) => disk.index < 0 && claims.has(trimBackingFileName(disk.file)));
  return [...copied, ...attached];
}

/** The shared disks of `vm` the plan does not migrate and no claim holds: they get no disk on the VM (Forklift logs them). */
export function detachedSharedDisks(vm: ResolvedVm, claims: readonly VmDiskClaim[]): ResolvedDisk[] {
  const byFile = claimsByFile(claims);
  return vm.disks.filter((disk) => disk.index < 0 && !byFile.has(trimBackingFileName(disk.file)));
}

/** Claims by trimmed backing file; the last one wins, as in mapDisks' pvcMap. */
function claimsByFile(claims: readonly VmDiskClaim[]): Map<string, VmDiskClaim> {
  return new Map(claims.map((claim) => [trimBackingFileName(claim.file), claim]));
}

/**
 * builder.go mapDisks: `vol-<i>` PVC volumes matched by backing file (not by index), the bus, the SCSI serial
 * (2.9+), shared disks shareable without cache, and bootOrder 1 on the root disk.
 */
function mapDisks(
  release: MtvRelease,
  vm: ResolvedVm,
  config: ResolvedVmConfig,
  claims: readonly VmDiskClaim[],
  compat: boolean,
): { disks: VmDisk[]; volumes: TemplateSpec['volumes'] } {
  const byFile = claimsByFile(claims);
  const disks: VmDisk[] = [];
  const volumes: TemplateSpec['volumes'] = [];
  for (const [i, disk] of vmDisks(vm, byFile).entries()) {
    const claim = byFile.get(trimBackingFileName(disk.file));
    if (!claim) {
      throw new Error(`VM "${vm.name}" (${vm.id}) disk ${disk.index} (${disk.file}) has no copied claim to attach`);
    }
    const name = `vol-${i}`;
    volumes.push({ name, persistentVolumeClaim: { claimName: claim.claimName } });
    disks.push({
      name,
      disk: { bus: compat ? 'sata' : 'virtio' },
      // 2.9+: the guest saw the serial only on SCSI with disk.EnableUUID
      ...(atLeastRelease(release, '2.9') &&
        config.diskEnableUuid &&
        disk.bus === 'scsi' &&
        disk.serial && { serial: disk.serial }),
      ...(disk.shared && { shareable: true, cache: 'none' as const }),
    });
  }
  if (disks.length === 0) throw new Error(`VM "${vm.name}" (${vm.id}) has no disk to attach`);
  const boot = bootDiskNumber(config.rootDisk ?? '');
  // Out of range, 2.9+ logs and marks no disk (the firmware then tries the disks in order) and 2.8 fails on the index:
  // the first disk, so that every VM has exactly one boot disk.
  disks[boot >= 0 && boot < disks.length ? boot : 0].bootOrder = 1;
  return { disks, volumes };
}

/**
 * util/utils.go GetBootDiskNumber: `/dev/sdX` -> X - 'a' (the first letter after the prefix); anything else -> 0.
 * May be negative (an upper-case letter) or past the last disk: the caller checks.
 */
export function bootDiskNumber(rootDisk: string): number {
  const prefix = '/dev/sd';
  if (!rootDisk.startsWith(prefix) || rootDisk.length <= prefix.length) return 0;
  const letter = /[A-Za-z]/.exec(rootDisk.slice(prefix.length))?.[0];
  if (letter === undefined) return 0;
  const number = letter.charCodeAt(0) - 'a'.charCodeAt(0) + 1;
  return number === 0 ? 0 : number - 1;
}

/**
 * builder.go mapNetworks: `net-<n>` per NIC the NetworkMap sends somewhere (ignored NICs skipped), pod -> masquerade,
 * multus -> bridge, the NIC's MAC; 2.12+ its PCI address. 2.9+ walks the NICs; 2.8 walks the map's pairs, then the
 * NICs of each, which is the NIC order sorted by pair when the resolver says each NIC's pair.
 */
function mapNetworks(
  release: MtvRelease,
  config: ResolvedVmConfig,
  compat: boolean,
): { interfaces: VmInterface[]; networks: VmNetwork[] } {
  let nics = config.nics.filter((nic) => nic.destination.type !== 'ignored');
  if (release === '2.8' && nics.every((nic) => nic.networkMapPair !== undefined)) {
    nics = [...nics].sort((a, b) => (a.networkMapPair ?? 0) - (b.networkMapPair ?? 0));
  }
  const interfaces: VmInterface[] = [];
  const networks: VmNetwork[] = [];
  for (const [n, nic] of nics.entries()) {
    const name = `net-${n}`;
    const base: VmInterface = {
      name,
      model: compat ? 'e1000e' : 'virtio',
      macAddress: nic.mac,
      ...(atLeastRelease(release, '2.12') && nic.pciAddress && { pciAddress: nic.pciAddress }),
    };
    const { network, binding } = networkOf(nic);
    networks.push({ name, ...network });
    interfaces.push({ ...base, ...binding });
  }
  return { interfaces, networks };
}

function networkOf(nic: ResolvedNic): { network: Omit<VmNetwork, 'name'>; binding: Partial<VmInterface> } {
  const destination = nic.destination;
  if (destination.type === 'multus') {
    // path.Join(namespace, name)
    const networkName = [destination.namespace, destination.name].filter(Boolean).join('/');
    return { network: { multus: { networkName } }, binding: { bridge: {} } };
  }
  return { network: { pod: {} }, binding: { masquerade: {} } };
}

/** Whether Forklift takes the guest for Windows (web/vsphere/vm.go IsWindows, 2.12): "win" in the guest id or name. */
export function isWindows(config: Pick<ResolvedVmConfig, 'guestId' | 'guestName'>): boolean {
  return config.guestId.toLowerCase().includes('win') || config.guestName.toLowerCase().includes('win');
}

export interface RunStrategyOptions {
  /** FEATURE_WINDOWS_WAIT_FOR_REBOOT (2.12+, default true): a Windows guest is started unless the target is off. */
  windowsWaitForReboot?: boolean;
  /**
   * The source VM is powered on now (a run with --allow-powered-on): the VM is made Halted whatever the rules say,
   * since two running copies would share MACs and IPs. Forklift powers the source off first and has no such case.
   */
  sourceRunning?: boolean;
}

/**
 * kubevirt.go determineRunStrategy (2.9+) / virtualMachine (2.8): whether the VM starts once made. `sourcePowerState`
 * is the source VM's state stored when the run first started (Forklift's restorePowerState): 'poweredOn',
 * 'poweredOff' or 'suspended' (which Forklift stores as Unknown: not on).
 */
export function runStrategyFor(
  release: MtvRelease,
  config: Pick<ResolvedVmConfig, 'targetPowerState' | 'guestId' | 'guestName'>,
  sourcePowerState: string,
  options: RunStrategyOptions = {},
): { runStrategy: RunStrategy; why: string } {
  if (options.sourceRunning) {
    return {
      runStrategy: 'Halted',
      why: 'the source VM is still powered on: two running copies would share MACs and IPs',
    };
  }
  const wasOn = sourcePowerState === 'poweredOn';
  const bySource = (): { runStrategy: RunStrategy; why: string } => ({
    runStrategy: wasOn ? 'Always' : 'Halted',
    why: `the source VM was ${sourcePowerState} when the run started`,
  });
  // 2.8 has no targetPowerState
  if (!atLeastRelease(release, '2.9')) return bySource();
  const target = config.targetPowerState;
  if (
    atLeastRelease(release, '2.12') &&
    (options.windowsWaitForReboot ?? true) &&
    target !== 'off' &&
    isWindows(config)
  ) {
    return {
      runStrategy: 'Always',
      why: `MTV ${release} starts a Windows guest (${config.guestId || config.guestName}) unless its target power state is off`,
    };
  }
  if (target === 'on') return { runStrategy: 'Always', why: 'its target power state is on' };
  if (target === 'off') return { runStrategy: 'Halted', why: 'its target power state is off' };
  return bySource();
}
