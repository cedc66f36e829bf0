/**
 * Guest conversion through Forklift's Conversion CR (MTV 2.12): after CDI has copied a VM's disks, one Conversion of
 * type InPlace per VM asks Forklift's conversion controller to run virt-v2v-in-place on those PVCs (V2V_inPlace=1)
 * in a pod it creates itself, under its own service account and SCC, in the plan's target namespace. kubectl-mtv
 * only creates the Conversion and reads its status; it never makes the pod.
 *
 * Followed (kubev2v/forklift release-2.12):
 * - pkg/apis/forklift/v1beta1/conversion.go: the API (spec, phases Pending/Running/Succeeded/Failed/Canceled, stages);
 * - pkg/controller/plan/kubevirt.go EnsureConversion + resolveConversionResources: what the plan migrator puts in a
 *   Conversion for a VM (namespace, spec fields, disks from podVolumeMounts + DiskRefsFromVolumes);
 * - pkg/controller/conversion (controller.go Reconcile, validation.go, pipeline.go, ensurer.go, context/doc.go
 *   PodConfigFromSpec): what the controller does with it. It reconciles every Conversion of every namespace: no label,
 *   owner or annotation is required (predicate.go), so ours carry our labels only, never Forklift's selector keys
 *   (FORKLIFT_SELECTOR_KEYS): Forklift's DeleteAllConversions selects by `plan` + `vmID`. The pod it makes copies the
 *   Conversion's labels and adds `conversion=<name>`, so the name must also be a valid label value (63 characters).
 */
import { DV_LABEL, FORKLIFT_SELECTOR_KEYS, planVmLabels } from './datavolume-builder.js';
import { OPERATOR_NAMESPACES } from './inventory-client.js';
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-errors.js';
import { atLeastRelease, type MtvRelease } from './mtv-release.js';
import type { ResolvedConversion, ResolvedDisk, ResolvedPlan, ResolvedVm } from './resolved-plan.js';
import { apiVersionOf, inNamespace, RESOURCES, type ResourceRef } from './resource-types.js';

/** Whether the cluster runs Conversion CRs for kubectl-mtv, and what its ForkliftController says about them. */
export interface ConversionSupport {
  available: boolean;
  /**
   * feature_use_conversion_cr as the ForkliftController sets it: `unknown` when no ForkliftController can be read
   * (403, 404) or on a release without the feature.
   */
  feature: 'on' | 'off' | 'unknown';
  /** Why (not) available, as a clause for messages: `MTV 2.11 has no Conversion CR (MTV 2.12+)`. */
  why: string;
  /** The ForkliftController's settings a Conversion carries; absent when none could be read. */
  controller?: ControllerConversionSettings;
}

/** ForkliftController spec fields that reach the virt-v2v pod (operator deployment-controller.yml.j2 env). */
export interface ControllerConversionSettings {
  /** `namespace/name` of the ForkliftController read. */
  ref: string;
  /** virt_v2v_extra_args, as the controller turns VIRT_V2V_EXTRA_ARGS into V2V_extra_args (a JSON list). */
  extraArgs: string;
  /** virt_v2v_inspector_extra_args, the same way. */
  inspectorExtraArgs: string;
  /** virt_v2v_dont_request_kvm (settings shouldRequestKVM). */
  dontRequestKvm: boolean;
  /** controller_migration_service_account (MIGRATION_SERVICE_ACCOUNT), when set. */
  serviceAccount?: string;
}

interface ForkliftControllerObject {
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}

/**
 * Whether `release` and the cluster's ForkliftController let kubectl-mtv convert through Conversion CRs: MTV 2.12+
 * and feature_use_conversion_cr not off. The ForkliftController is looked for in the plan's namespace, then in the
 * operator's (openshift-mtv, konveyor-forklift). The operator's default is on (roles/forkliftcontroller/defaults
 * main.yml `feature_use_conversion_cr: true`; settings/features.go getEnvBool(FEATURE_USE_CONVERSION_CR, true)), so
 * a ForkliftController that cannot be read (403, 404) leaves it `unknown` and available.
 * Note: the controller reconciles Conversions whatever the feature says (pkg/controller/controller.go MainControllers
 * registers conversion.Add unconditionally); the feature switches only how Forklift's own plans convert. An
 * administrator who turned it off is still followed.
 */
export async function conversionSupport(
  host: KubeClient,
  namespace: string,
  release: MtvRelease,
): Promise<ConversionSupport> {
  if (!atLeastRelease(release, '2.12')) {
    return {
      available: false,
      feature: 'unknown',
      why: `MTV ${release} has no Conversion CR (it arrives in MTV 2.12)`,
    };
  }
  const found = await readForkliftController(host, namespace);
  if (!found) {
    return {
      available: true,
      feature: 'unknown',
      why: `MTV ${release} converts through Conversion CRs (no ForkliftController could be read: feature_use_conversion_cr taken as its default, true)`,
    };
  }
  const spec = found.spec ?? {};
  const ref = `${found.metadata.namespace ?? namespace}/${found.metadata.name}`;
  const controller: ControllerConversionSettings = {
    ref,
    extraArgs: extraArgsJson(spec.virt_v2v_extra_args),
    inspectorExtraArgs: extraArgsJson(spec.virt_v2v_inspector_extra_args),
    dontRequestKvm: ansibleBool(spec.virt_v2v_dont_request_kvm) === true,
    ...(typeof spec.controller_migration_service_account === 'string' &&
      spec.controller_migration_service_account !== '' && {
        serviceAccount: spec.controller_migration_service_account,
      }),
  };
  const raw = spec.feature_use_conversion_cr;
  if (raw !== undefined && ansibleBool(raw) === false) {
    return {
      available: false,
      feature: 'off',
      why: `ForkliftController "${ref}" sets feature_use_conversion_cr: "${String(raw)}" (MTV ${release} then converts without Conversion CRs)`,
      controller,
    };
  }
  return {
    available: true,
    feature: 'on',
    why: `MTV ${release} converts through Conversion CRs (ForkliftController "${ref}": feature_use_conversion_cr ${raw === undefined ? 'unset, default true' : `"${String(raw)}"`})`,
    controller,
  };
}

/** The first ForkliftController of the plan's namespace, else of the operator's; undefined when none can be read. */
async function readForkliftController(
  client: KubeClient,
  namespace: string,
): Promise<ForkliftControllerObject | undefined> {
  for (const candidate of [...new Set([namespace, ...OPERATOR_NAMESPACES])]) {
    try {
      const [controller] = await client.list<ForkliftControllerObject>(
        inNamespace(RESOURCES.forkliftControllers, candidate),
      );
      if (controller) return controller;
    } catch (error) {
      if (error instanceof KubeApiError && (error.status === 403 || error.status === 404)) continue;
      throw error;
    }
  }
  return undefined;
}

/** Ansible's `bool` filter, as the operator's templates apply it: yes/on/1/true (any case) are true. */
function ansibleBool(value: unknown): boolean | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  return ['yes', 'on', '1', 'true', 'y', 't'].includes(String(value).trim().toLowerCase());
}

/** settings/migration.go: VIRT_V2V_EXTRA_ARGS split on white space and JSON-encoded; "[]" when empty. */
function extraArgsJson(value: unknown): string {
  const fields = typeof value === 'string' ? value.split(/\s+/).filter((field) => field !== '') : [];
  return JSON.stringify(fields);
}

/**
 * Our Conversion's name for a plan VM: `<plan>-<vm id>-<plan uid prefix>`, the same on every run (a re-run after a
 * kill finds it). At most 63 characters: the controller copies it into the pod label `conversion` (context/doc.go
 * PodConfigFromSpec), and a label value longer than that keeps the pod from being created.
 */
export function conversionName(plan: { name: string; uid: string }, vmId: string): string {
  const dns = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '');
  const uid = plan.uid.replace(/[^a-z0-9]/g, '').slice(0, 8) || 'plan';
  const vm = dns(vmId).slice(0, 20) || 'vm';
  const suffix = `-${vm}-${uid}`;
  const planPart = dns(plan.name)
    .slice(0, 63 - suffix.length)
    .replace(/-+$/, '');
  return `${planPart || 'plan'}${suffix}`;
}

/** One copied disk of a VM: its Forklift disk index, backing file and the PVC CDI filled. */
export interface ConversionClaim {
  diskIndex: number;
  file: string;
  claimName: string;
  /** The PVC's spec.volumeMode, when the caller read it; else the storage map's, else Filesystem. */
  volumeMode?: string;
}

/** A Conversion CR as kubectl-mtv creates it (forklift.konveyor.io/v1beta1, release-2.12 schema). */
export interface ConversionManifest {
  apiVersion: string;
  kind: 'Conversion';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    type: 'InPlace';
    targetNamespace: string;
    destination: { name: string; namespace: string };
    vm: { id: string; name: string };
    disks: { name: string; namespace: string; volumeMode: string; mountPath?: string; devicePath?: string }[];
    connection: { secret: { name: string; namespace: string } };
    diskEncryption?: { type: 'Clevis' };
    image?: string;
    xfsCompatibility?: boolean;
    settings: Record<string, string>;
    vddkImage?: string;
    localMigration?: boolean;
    podSettings: {
      generateName: string;
      serviceAccount?: string;
      affinity?: unknown;
      nodeSelector?: Record<string, string>;
      transferNetworkAnnotations?: Record<string, string>;
      requestKVM?: boolean;
    };
  };
}

/**
 * Forklift's default convertor affinity (kubevirt.go getConvertorAffinity): spread virt-v2v pods over nodes. The pod
 * carries `forklift.app=virt-v2v` whoever made the Conversion (builder.go BuildVirtV2vConversionPod).
 */
export const DEFAULT_CONVERTOR_AFFINITY = {
  podAntiAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      {
        weight: 100,
        podAffinityTerm: {
          namespaceSelector: {},
          topologyKey: 'kubernetes.io/hostname',
          labelSelector: { matchExpressions: [{ key: 'forklift.app', operator: 'In', values: ['virt-v2v'] }] },
        },
      },
    ],
  },
};

/** libvirt's bus order (web/vsphere/vm.go SortedDisksAsLibvirt): SCSI, SATA, IDE, NVMe. */
const AS_LIBVIRT = ['scsi', 'sata', 'ide', 'nvme'];

/**
 * The VM's disks in the order virt-v2v-in-place meets them: Forklift builds the VM with sortVolumesByLibvirt
 * (kubevirt.go getVMVolumes -> virtualMachine(vm, true) -> builder.go mapDisks SortedDisksAsLibvirt) and mounts the
 * i-th volume at /mnt/disks/disk<i> or /dev/block<i> (podVolumeMounts). Within a bus libvirt and VMware (2.11+) sort
 * alike (controller key, unit, key), so the VMware order of the disk index, regrouped by bus, is libvirt's. A shared
 * disk the plan does not copy (index -1) still has a volume of the VM (a PVC of an earlier plan) and takes its place.
 */
export function libvirtDiskOrder(disks: readonly ResolvedDisk[]): ResolvedDisk[] {
  const inVmwareOrder = [...disks].sort((a, b) => order(a) - order(b));
  // a disk without a known bus (never one the resolver lets through) keeps its place after the others
  return [
    ...AS_LIBVIRT.flatMap((bus) => inVmwareOrder.filter((disk) => disk.bus === bus)),
    ...inVmwareOrder.filter((disk) => !AS_LIBVIRT.includes(disk.bus ?? '')),
  ];
}

/** A copied disk by its index; a shared disk left out (-1) after them, in inventory order. */
function order(disk: ResolvedDisk): number {
  return disk.index >= 0 ? disk.index : Number.MAX_SAFE_INTEGER;
}

/**
 * The Conversion for one VM, as release-2.12 kubevirt.go EnsureConversion builds it for a CDI-copied VM
 * (ResolveConversionType: no virt-v2v transfer -> InPlace), with our deterministic name and our labels instead of
 * Forklift's generateName `<plan>-<vm id>-` and its selector labels. `claims` are the VM's PVCs, one per copied disk.
 * Left out: LUKS diskEncryption and customization scripts (the resolver refuses those plans), extraVolumes/extraMounts
 * of OVA and Hyper-V storage (not vSphere), annotations (a primary UDN's open ports, not modelled).
 */
export function buildConversion(
  plan: ResolvedPlan,
  vm: ResolvedVm,
  claims: readonly ConversionClaim[],
): ConversionManifest {
  const conversion = plan.conversion;
  if (!conversion) throw new Error(`buildConversion: plan "${plan.plan.name}" has no resolved conversion`);
  const own = conversion.vms[vm.id];
  if (!own) throw new Error(`buildConversion: VM ${vm.id} of plan "${plan.plan.name}" has no resolved conversion`);
  const target = plan.plan.targetNamespace;
  const disks: ConversionManifest['spec']['disks'] = [];
  libvirtDiskOrder(vm.disks).forEach((disk, position) => {
    const claim =
      claims.find((candidate) => candidate.diskIndex === disk.index && disk.index >= 0) ??
      claims.find((candidate) => candidate.file === disk.file);
    if (!claim) return;
    const volumeMode = claim.volumeMode ?? disk.volumeMode ?? 'Filesystem';
    disks.push({
      name: claim.claimName,
      namespace: target,
      volumeMode,
      ...(volumeMode === 'Block'
        ? { devicePath: `/dev/block${position}` }
        : { mountPath: `/mnt/disks/disk${position}` }),
    });
  });
  if (disks.length !== claims.length) {
    throw new Error(
      `buildConversion: VM ${vm.id}: ${claims.length - disks.length} of its claims match none of its disks`,
    );
  }
  const settings: Record<string, string> = { ...own.settings };
  const rootDisk = vm.config?.rootDisk;
  if (rootDisk) settings.V2V_RootDisk = rootDisk;
  // kubevirt.go resolveConversionResources: V2V_NewName when Forklift renamed the VM (status newName)
  const newName = vm.config ? (vm.config.renamed ? vm.config.targetName : undefined) : vm.newName;
  if (newName) settings.V2V_NewName = newName;
  return {
    apiVersion: apiVersionOf(RESOURCES.conversions),
    kind: 'Conversion',
    metadata: {
      name: conversionName(plan.plan, vm.id),
      namespace: conversion.namespace,
      labels: { ...foreignFree(conversion.convertorLabels), ...planVmLabels(plan.plan, vm.id) },
    },
    spec: {
      type: 'InPlace',
      targetNamespace: target,
      destination: conversion.destination,
      vm: { id: vm.id, name: vm.name },
      disks,
      connection: { secret: { name: own.secret, namespace: target } },
      ...(own.clevis && { diskEncryption: { type: 'Clevis' as const } }),
      ...(conversion.image && { image: conversion.image }),
      // Go's omitempty drops false booleans
      ...(conversion.xfsCompatibility && { xfsCompatibility: true }),
      settings,
      ...(plan.vddkImage && { vddkImage: plan.vddkImage }),
      ...(conversion.localMigration && { localMigration: true }),
      podSettings: {
        // kubevirt.go getGeneratedName
        generateName: `${plan.plan.name}-${vm.id}-`,
        ...(conversion.serviceAccount && { serviceAccount: conversion.serviceAccount }),
        affinity: conversion.affinity ?? DEFAULT_CONVERTOR_AFFINITY,
        ...(conversion.nodeSelector && { nodeSelector: conversion.nodeSelector }),
        ...(plan.transferNetwork && { transferNetworkAnnotations: plan.transferNetwork.annotations }),
        // omitempty drops false, and the CRD then defaults requestKVM to true: Forklift's false never arrives
        ...(conversion.requestKVM && { requestKVM: true }),
      },
    },
  };
}

/** The plan's convertorLabels without Forklift's selector keys or ours (ours are set after). */
function foreignFree(labels: ResolvedConversion['convertorLabels']): Record<string, string> {
  const forbidden = new Set<string>([...FORKLIFT_SELECTOR_KEYS, ...Object.values(DV_LABEL)]);
  return Object.fromEntries(Object.entries(labels ?? {}).filter(([key]) => !forbidden.has(key)));
}

/** Where a Conversion stands, for the runner. */
export interface ConversionState {
  phase: 'pending' | 'running' | 'succeeded' | 'failed';
  /** status.message, or the condition that explains a failure. */
  message?: string;
}

interface Condition {
  type?: string;
  status?: string;
  category?: string;
  message?: string;
}

/**
 * A Conversion's state from its status (controller.go Reconcile, resolvePhaseConditions; validation.go):
 * - no status or phase Pending: pending; but a Pending Conversion with a True Critical condition is blocked by the
 *   controller's validation (TargetNamespaceNotSet, DisksNotSet, ConnectionNotSet...) and never moves on: failed;
 * - Running: running, with the stage's message (`Conversion pod is running.`);
 * - Succeeded: succeeded; Failed: failed (`The conversion has failed: <error>`); Canceled: failed.
 */
export function readConversion(object: unknown): ConversionState {
  const status = ((object ?? {}) as { status?: { phase?: string; message?: string; conditions?: Condition[] } }).status;
  const message = status?.message || undefined;
  const conditions = status?.conditions ?? [];
  const critical = conditions.find((c) => c.status === 'True' && (c.category === 'Critical' || c.category === 'Error'));
  const said = (text: string | undefined) => (text ? { message: text } : {});
  switch (status?.phase) {
    case 'Succeeded':
      return { phase: 'succeeded', ...said(message) };
    case 'Failed':
      return { phase: 'failed', ...said(message ?? critical?.message) };
    case 'Canceled':
      return { phase: 'failed', ...said(message ?? 'The conversion has been canceled.') };
    case 'Running':
      return { phase: 'running', ...said(message) };
    default:
      if (critical) return { phase: 'failed', ...said(critical.message) };
      return { phase: 'pending', ...said(message) };
  }
}

/**
 * The typed operations on a plan's Conversions in their namespace (the plan's, on the host cluster): read one, create
 * one (a 409 is an earlier create that landed: read back), delete one (gone already is fine).
 */
export class PlanConversions {
  private readonly ref: ResourceRef;

  constructor(
    private readonly client: KubeClient,
    namespace: string,
  ) {
    this.ref = inNamespace(RESOURCES.conversions, namespace);
  }

  get(name: string): Promise<unknown> {
    return this.client.get<unknown>(this.ref, name);
  }

  async create(manifest: ConversionManifest): Promise<unknown> {
    try {
      return await this.client.create<unknown>(this.ref, manifest);
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
      return this.client.get<unknown>(this.ref, manifest.metadata.name);
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.client.delete(this.ref, name);
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 404)) throw error;
    }
  }
}
