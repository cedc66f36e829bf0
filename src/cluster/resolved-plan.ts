import type { DestinationKind } from './destination.js';
import type { DetectedRelease } from './mtv-release.js';
/**
 * A Forklift Plan resolved against the cluster and the inventory: everything `migrate` needs to build DataVolumes
 * and to schedule them, and nothing more. Sizes in bytes. Produced by the plan resolver, consumed by the DataVolume
 * builder and the runner.
 */

/** One disk of a plan VM, as the inventory reports it, with the storage class its datastore maps to. */
export interface ResolvedDisk {
  /**
   * 0-based position in the release's disk order (disk-order.ts): Forklift's disk-index. -1 for a shared disk of a
   * plan that does not migrate shared disks (Forklift removes those before numbering; it is not copied).
   */
  index: number;
  /** Inventory device key. */
  key: number;
  /** Backing file, `[datastore] vm/vm.vmdk`: the vddk backingFile and Forklift's disk-source. */
  file: string;
  /** Inventory datastore id. */
  datastoreId: string;
  /** Capacity in bytes (what CDI copies). */
  capacity: number;
  shared: boolean;
  /** The StorageMap's destination for this datastore. */
  storageClass: string;
  accessMode?: string;
  volumeMode?: string;
  /** `scsi`, `sata`, `ide` or `nvme`, when the inventory says (disk serials, buses). */
  bus?: string;
  /** The disk's serial (the VMDK uuid the inventory serves from 2.9), when it has one. */
  serial?: string;
}

export interface ResolvedVm {
  /** Inventory id (vmID label). */
  id: string;
  name: string;
  /** BIOS uuid (`config.uuid`). */
  uuid: string;
  /** vCenter's instance uuid (`config.instanceUuid`), when the inventory gives it (MTV 2.11+). */
  instanceUuid?: string;
  /** ESXi host id from the inventory (the engine's host). */
  host: string;
  /** The inventory's power state when the plan was resolved. */
  powerState: string;
  /**
   * The power state recorded before a run shut the source down (--power-off-source, source-power-record.ts): what the
   * new VM's runStrategy follows, and the DataVolumes carry. Absent: nothing recorded, `powerState` stands.
   */
  restorePowerState?: string;
  /** The run powers the source off before copying it (--power-off-source): it will not be running beside its copy. */
  poweredOffByRun?: true;
  disks: ResolvedDisk[];
  /** The plan VM's own pvcNameTemplate (spec.vms[].pvcNameTemplate), which wins over the plan's. */
  pvcNameTemplate?: string;
  /** The name Forklift gave the VM in the target cluster (plan status.migration.vms[].newName), when it did. */
  newName?: string;
  /**
   * Where CDI's importers read this VM's disks when not through vCenter: its ESXi host, which has a Ready Host CR
   * (esxi-hosts.ts). Absent: vCenter, the Provider's URL and fingerprint, with the plan's vddkSecret.
   */
  esxi?: EsxiEndpoint;
  /**
   * What the KubeVirt VirtualMachine is built from (vm-creation.md §1-2): absent with --disks-only, where no VM is
   * made.
   */
  config?: ResolvedVmConfig;
}

/** A source VM's configuration and its target, as the inventory, the plan and the NetworkMap give them. */
export interface ResolvedVmConfig {
  /** The VirtualMachine's name in the target namespace: targetName, an earlier newName, or the release's DNS-1123 cleanup. */
  targetName: string;
  /** targetName differs from the source name: the release's rename annotations go on the VM. */
  renamed: boolean;
  cpuCount: number;
  coresPerSocket: number;
  memoryMB: number;
  firmware: 'bios' | 'efi';
  secureBoot: boolean;
  tpmEnabled: boolean;
  nestedHVEnabled: boolean;
  /** `config.uuid`-derived serial is built by the builder; this is the inventory's guestId / guest full name. */
  guestId: string;
  guestName: string;
  /** The VM's ESXi host's time zone name (host config.dateTimeInfo.timeZone.name), when it has one. */
  timezone?: string;
  /** Inventory diskEnableUuid (disk.EnableUUID): serials of SCSI disks go to the guest (2.9-2.12). */
  diskEnableUuid: boolean;
  /** The VM's NICs in inventory order, each with where the NetworkMap sends it. */
  nics: ResolvedNic[];
  /** spec.vms[].rootDisk (`/dev/sdb`), when set. */
  rootDisk?: string;
  /** spec.vms[].targetPowerState, else spec.targetPowerState (2.9+): on, off or auto. */
  targetPowerState?: 'on' | 'off' | 'auto';
  /** spec.vms[].enableNestedVirtualization, else the plan's (2.10+), when set. */
  enableNestedVirtualization?: boolean;
}

/** One NIC of a source VM and its NetworkMap destination. */
export interface ResolvedNic {
  /** Lowercase MAC, as the inventory gives it. */
  mac: string;
  /** Inventory network id (and name, for messages). */
  networkId: string;
  networkName: string;
  /** Where the NetworkMap sends it: the pod network, a Multus NetworkAttachmentDefinition, or nowhere. */
  destination: { type: 'pod' } | { type: 'multus'; namespace: string; name: string } | { type: 'ignored' };
  /**
   * The position in the NetworkMap's spec.map of the pair that sends it, when known: MTV 2.8 orders a VM's interfaces
   * by map pair, not by NIC (builder.go mapNetworks); absent, the builder keeps inventory order.
   */
  networkMapPair?: number;
  /** The inventory's PCI address for the NIC (MTV 2.12+, from the VMware slot): 2.12 puts it on the interface. */
  pciAddress?: string;
}

/** The plan's settings that shape every VirtualMachine (vm-creation.md), read from the Plan per release. */
export interface ResolvedVmSettings {
  /** spec.skipGuestConversion (2.9+). */
  skipGuestConversion: boolean;
  /** spec.useCompatibilityMode (CRD default true, 2.9+): with skipGuestConversion, SATA disks, e1000e NICs, usb tablet. */
  useCompatibilityMode: boolean;
  /** spec.targetLabels (2.10+), merged into the template's labels. */
  targetLabels?: Record<string, string>;
  /** spec.targetNodeSelector (2.10+). */
  targetNodeSelector?: Record<string, string>;
  /** spec.targetAffinity (2.10+), as the plan gives it. */
  targetAffinity?: unknown;
  /** The NetworkMap the plan names (`namespace/name`), for messages. */
  networkMap: string;
}

/** A vddk source that reads from an ESXi host directly (Forklift builder.go applyHostsConfig). */
export interface EsxiEndpoint {
  /** `https://<Host spec.ipAddress>/sdk`, as the release writes it. */
  url: string;
  /** The inventory host's certificate thumbprint. */
  thumbprint: string;
  /** The VDDK Secret its DataVolumes name: one of the plan's esxiSecrets. */
  secret: string;
  /** The inventory host's id and name. */
  hostId: string;
  hostName: string;
  /** The Host CR, `namespace/name`. */
  hostCr: string;
}

export interface ResolvedPlan {
  plan: {
    name: string;
    namespace: string;
    uid: string;
    targetNamespace: string;
    /** spec.pvcNameTemplate, when the plan sets one. */
    pvcNameTemplate?: string;
    /** spec.pvcNameTemplateUseGenerateName (CRD default true): a template's output is a generateName prefix. */
    pvcNameTemplateUseGenerateName: boolean;
    /** spec.migrateSharedDisks (default true). */
    migrateSharedDisks: boolean;
  };
  provider: {
    name: string;
    namespace: string;
    uid: string;
    /** vCenter SDK URL (Provider spec.url). */
    url: string;
    /** Provider status.fingerprint (vddk thumbprint). */
    fingerprint: string;
    /** Provider spec.secret: the vCenter credentials (read only for --power-off-source, vcenter-endpoint.ts). */
    secret?: { name?: string; namespace?: string };
  };
  /** The VDDK init image: Provider settings.vddkInitImage, else CDI's v2v-vmware ConfigMap. */
  vddkImage: string;
  /** The Secret in the target namespace that every vddk source names: the user's (keys checked), or ours to make. */
  vddkSecret: string;
  /** `given`: --vddk-secret; `provider`: made by the run from this Provider Secret (vddk-secret.ts). */
  vddkSecretSource: VddkSecretSource;
  /**
   * The VDDK Secrets the run makes for the ESXi hosts plan VMs are read from (vms[].esxi), one per host; absent when
   * no plan VM's host has a Ready Host CR.
   */
  esxiSecrets?: EsxiVddkSecret[];
  /** The plan's VMs in plan order. */
  vms: ResolvedVm[];
  /** The controller's per-host MAX_VM_INFLIGHT, when a ForkliftController says it (shown, never reused silently). */
  controllerMaxInFlight?: number;
  /**
   * A warm plan (spec.warm, or spec.type warm from 2.10: IsWarm): copied in precopy rounds up to a cutover.
   * `controllerPrecopyIntervalMinutes`: the ForkliftController's controller_precopy_interval, when readable.
   */
  warm?: { controllerPrecopyIntervalMinutes?: number };
  /** The cluster the DataVolumes go to: the host cluster, or a remote one (destination.ts). */
  destination: DestinationKind;
  /** Which uuid the vddk sources name their VM by (vddk-uuid.ts): the instance uuid where CDI finds VMs by it. */
  vddkUuid: VddkUuid;
  /** The cluster's MTV release, and whether it was read from its Plan schema or given (--mtv-version). */
  mtvRelease: DetectedRelease;
  /** With --disks-only, why the copied disks still need a guest conversion (none is run); absent otherwise. */
  disksOnly?: string;
  /** spec.transferNetwork, when the plan names one: what the release puts on every DataVolume for it. */
  transferNetwork?: ResolvedTransferNetwork;
  /** What every VirtualMachine is built with; absent with --disks-only (no VM is made). */
  vmSettings?: ResolvedVmSettings;
  /**
   * How the copied disks are converted before the VMs are made (a Conversion CR, MTV 2.12+), when the plan needs a
   * guest conversion; absent for Raw Copy plans.
   */
  conversion?: ResolvedConversion;
  /** What the user should know before the run starts (stderr, `warning: ` lines); absent when nothing. */
  warnings?: string[];
}

/**
 * A guest conversion run through Forklift's Conversion CR (2.12+): what Forklift release-2.12
 * pkg/controller/plan/kubevirt.go EnsureConversion puts in each VM's Conversion, read once per plan (conversion.ts
 * builds the manifests; conversion-settings.ts reads the per-VM part).
 */
export interface ResolvedConversion {
  /** Where the Conversions go: the plan's namespace, on the host cluster (EnsureConversion: r.Plan.Namespace). */
  namespace: string;
  /** spec.destination: the plan's destination Provider, which the conversion controller builds its client from. */
  destination: { name: string; namespace: string };
  /** spec.localMigration: the destination is the host cluster (Provider.IsHost). */
  localMigration: boolean;
  /** spec.image: the plan's spec.virtV2vImage; absent: the controller's own default (GetVirtV2vImage). */
  image?: string;
  /** spec.xfsCompatibility: the plan's spec.xfsCompatibility. */
  xfsCompatibility: boolean;
  /** podSettings.serviceAccount: the plan's spec.serviceAccount, else the controller's migration service account. */
  serviceAccount?: string;
  /** podSettings.nodeSelector: the plan's spec.convertorNodeSelector. */
  nodeSelector?: Record<string, string>;
  /** podSettings.affinity: the plan's spec.convertorAffinity; absent: Forklift's default anti-affinity. */
  affinity?: unknown;
  /** podSettings.requestKVM: false only when the ForkliftController sets virt_v2v_dont_request_kvm. */
  requestKVM: boolean;
  /** The plan's spec.convertorLabels, which Forklift copies onto the Conversion (and so onto its pod). */
  convertorLabels?: Record<string, string>;
  /** The Conversion CR's availability, as conversionSupport found it. */
  support: { feature: 'on' | 'off' | 'unknown'; why: string };
  /** Per plan VM (by inventory id): its connection Secret and the V2V_ settings of the virt-v2v pod. */
  vms: Record<string, ResolvedVmConversion>;
}

/** One VM's part of its Conversion (conversion-settings.ts). */
export interface ResolvedVmConversion {
  /**
   * spec.connection.secret, in the target namespace: the VDDK Secret the VM's DataVolumes name (Forklift uses its v2v
   * Secret, which holds the same keys: Builder.Secret accessKeyId, secretKey, cacert).
   */
  secret: string;
  /** spec.settings: vSphere Builder.PodEnvironment (V2V_vmName, V2V_libvirtURL, V2V_fingerprint, ...). */
  settings: Record<string, string>;
  /** spec.diskEncryption Clevis: the plan VM sets nbdeClevis (LUKS passphrase VMs are refused). */
  clevis?: boolean;
}

/** The plan's transfer network (transfer-network.ts): the NAD, and the annotations CDI copies to each importer pod. */
export interface ResolvedTransferNetwork {
  /** `namespace/name` of the NetworkAttachmentDefinition. */
  ref: string;
  annotations: Record<string, string>;
}

/** Where the VDDK Secret comes from: the user's own (`--vddk-secret`), or made from the source Provider's. */
export type VddkSecretSource = { kind: 'given' } | { kind: 'provider'; name: string; namespace: string };

/**
 * A VDDK Secret the run makes for one ESXi host (vddk-secret.ts): the user and password from the Host CR's Secret,
 * the CA from the Provider's, as Forklift's Builder.Secret takes them.
 */
export interface EsxiVddkSecret {
  /** Its name in the target namespace. */
  name: string;
  /** The Host CR's spec.secret. */
  from: { name: string; namespace: string };
  /** The Provider Secret the CA comes from. */
  provider: { name: string; namespace: string };
  /** The ESXi host (inventory name) and its Host CR (`namespace/name`), for the messages. */
  hostName: string;
  hostCr: string;
}

/** The uuid every vddk source of the plan names its VM by, and why (chosen in vddk-uuid.ts). */
export type VddkUuid =
  | { kind: 'instance'; cdiVersion: string }
  | {
      kind: 'bios';
      why: string;
      /** CDI's version could not be read (no `list` on cdis cluster-wide, none served): a warning, not a refusal. */
      unknownCdi?: boolean;
    };
