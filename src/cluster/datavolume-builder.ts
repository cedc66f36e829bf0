/**
 * The plan's CDI DataVolumes, built the way Forklift's vSphere builder builds them (pkg/controller/plan/adapter/vsphere
 * builder.go DataVolumes, and kubevirt.go's DataVolume template): one per disk to copy, `spec.storage` sized to the
 * capacity rounded up to 1 MiB, a vddk source, Forklift's labels and annotations, and a deterministic name, so that a
 * re-run or another workstation builds the very same objects. Pure: no clock, no I/O.
 */
import { createHash } from 'node:crypto';
import { ExitCode, UserError } from '../errors.js';
import { type PvcNameTemplateData, PvcNameTemplateError, parseTemplate, templateDialect } from './pvc-name-template.js';
import type { ResolvedDisk, ResolvedPlan, ResolvedVm } from './resolved-plan.js';

/**
 * The labels every DataVolume carries (CDI passes them to its PVC); the runner lists and watches by the plan's uid and
 * `app.kubernetes.io/managed-by`. Our own keys only: see FORKLIFT_SELECTOR_KEYS.
 */
export const DV_LABEL = {
  planUid: 'kubectl-mtv.konveyor.io/plan-uid',
  planName: 'kubectl-mtv.konveyor.io/plan-name',
  planNamespace: 'kubectl-mtv.konveyor.io/plan-namespace',
  vmId: 'kubectl-mtv.konveyor.io/vm-id',
  diskIndex: 'kubectl-mtv.konveyor.io/disk-index',
  managedBy: 'app.kubernetes.io/managed-by',
  /** Forklift marks a shared disk's DV and PVC so that VMs migrated later find the copy (no delete selects by it). */
  shareable: 'shareable',
} as const;

/**
 * The label keys Forklift's controllers select DataVolumes, PVCs, Secrets, ConfigMaps and VMs by when they delete them
 * (pkg/controller/plan/kubevirt.go planLabels/vmLabels/vddkLabels, getDVs, getPVCs, DeleteDataVolumes, DeleteSecret;
 * migration.go cleanup at every VM's start, Cancel, Archive; 2.12 controller.go cleanupOrphanedResources by plan-name
 * and plan-namespace in every namespace). Nothing kubectl-mtv creates carries one, so no Forklift cleanup, archive or
 * plan deletion can select, and delete, a disk it copied.
 */
export const FORKLIFT_SELECTOR_KEYS = [
  'migration',
  'plan',
  'vmID',
  'vmUUID',
  'resource',
  'use',
  'isDV',
  'plan-name',
  'plan-namespace',
  'forklift.app',
] as const;

export const MANAGED_BY = 'kubectl-mtv';

export const DV_ANNOTATION = {
  diskSource: 'forklift.konveyor.io/disk-source',
  diskIndex: 'forklift.konveyor.io/disk-index',
  deleteAfterCompletion: 'cdi.kubevirt.io/storage.deleteAfterCompletion',
  bindImmediate: 'cdi.kubevirt.io/storage.bind.immediate.requested',
  /**
   * The source VM's power state when the run that created this DataVolume resolved the plan: what the new VM's
   * runStrategy is decided from (Forklift's StorePowerState keeps it in the plan's status; ours stays in the cluster
   * with the disk, so a re-run on any workstation decides the same).
   */
  sourcePowerState: 'kubectl-mtv.konveyor.io/source-power-state',
} as const;

/**
 * The labels of everything a run makes for one plan VM (its DataVolumes, VirtualMachine and Conversion): the plan and
 * the VM, and kubectl-mtv as manager; none of FORKLIFT_SELECTOR_KEYS.
 */
export function planVmLabels(
  plan: { uid: string; name: string; namespace: string },
  vmId: string,
): Record<string, string> {
  return {
    [DV_LABEL.planUid]: plan.uid,
    [DV_LABEL.planName]: labelValue(plan.name),
    [DV_LABEL.planNamespace]: labelValue(plan.namespace),
    [DV_LABEL.vmId]: labelValue(vmId),
    [DV_LABEL.managedBy]: MANAGED_BY,
  };
}

/** The label selector of a plan's DataVolumes (plan uid), and of its VirtualMachines and Conversions. */
export function dataVolumeSelector(planUid: string): string {
  return `${DV_LABEL.planUid}=${planUid},${DV_LABEL.managedBy}=${MANAGED_BY}`;
}

export interface VddkSource {
  url: string;
  uuid: string;
  backingFile: string;
  thumbprint: string;
  secretRef: string;
  initImageURL: string;
}

export interface DataVolumeManifest {
  apiVersion: 'cdi.kubevirt.io/v1beta1';
  kind: 'DataVolume';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    storage: {
      resources: { requests: { storage: string } };
      storageClassName: string;
      accessModes?: string[];
      volumeMode?: string;
    };
    source: { vddk: VddkSource };
  };
}

/** One disk the plan copies, and the DataVolume that copies it. */
export interface DiskDataVolume {
  vmId: string;
  vmName: string;
  diskIndex: number;
  /** Bytes CDI copies (the disk's capacity). */
  bytes: number;
  /** ESXi host id the disk is read from. */
  host: string;
  /** A shared disk's backing file: the same file in another VM of the plan is this copy, not another. */
  sharedKey?: string;
  manifest: DataVolumeManifest;
}

/** A plan disk that gets no DataVolume, and why. */
export interface SkippedDisk {
  vmId: string;
  vmName: string;
  diskIndex: number;
  file: string;
  /** `shared-copied-once`: an earlier VM's DataVolume copies it; `shared-not-migrated`: plan.migrateSharedDisks is false. */
  reason: 'shared-copied-once' | 'shared-not-migrated';
  /** The DataVolume that copies it, for `shared-copied-once`. */
  copiedBy?: string;
}

export interface BuiltDataVolumes {
  dataVolumes: DiskDataVolume[];
  skipped: SkippedDisk[];
  /** Disks a name template could not name, named as MTV would instead (one line each, to show as warnings). */
  notes: string[];
}

const MIB = 1024 * 1024;
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const NAME_MAX = 63;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The plan's DataVolumes in plan order (VM order, then disk index). */
export function buildDataVolumes(plan: ResolvedPlan): DiskDataVolume[] {
  return buildPlanDataVolumes(plan).dataVolumes;
}

/** The plan's DataVolumes and the disks that get none (shared disks copied once, or not at all). */
export function buildPlanDataVolumes(plan: ResolvedPlan): BuiltDataVolumes {
  const dataVolumes: DiskDataVolume[] = [];
  const skipped: SkippedDisk[] = [];
  const notes: string[] = [];
  const names = new NameBook();
  const templates = new TemplateCache();
  // A shared disk is the same file in every VM that has it; the first VM's DataVolume copies it for all.
  const sharedCopies = new Map<string, string>();
  for (const vm of plan.vms) {
    for (const disk of [...vm.disks].sort((a, b) => a.index - b.index)) {
      const where = { vmId: vm.id, vmName: vm.name, diskIndex: disk.index, file: disk.file };
      if (disk.shared && !plan.plan.migrateSharedDisks) {
        skipped.push({ ...where, reason: 'shared-not-migrated' });
        continue;
      }
      const copiedBy = disk.shared ? sharedCopies.get(disk.file) : undefined;
      if (copiedBy) {
        skipped.push({ ...where, reason: 'shared-copied-once', copiedBy });
        continue;
      }
      const base = baseName(plan, vm, disk, templates);
      if (base.note) notes.push(base.note);
      const name = names.claim(base.name, `${vm.id}\0${disk.index}\0${disk.file}`);
      if (disk.shared) sharedCopies.set(disk.file, name);
      dataVolumes.push({
        vmId: vm.id,
        vmName: vm.name,
        diskIndex: disk.index,
        bytes: disk.capacity,
        host: vm.host,
        ...(disk.shared && { sharedKey: disk.file }),
        manifest: manifest(plan, vm, disk, name),
      });
    }
  }
  return { dataVolumes, skipped, notes: [...notes, ...biosUuidNotes(plan)] };
}

/** The uuid CDI's importer finds `vm` by: its instance uuid where the plan's choice allows and the inventory has one. */
export function vddkUuidOf(plan: ResolvedPlan, vm: ResolvedVm): string {
  return plan.vddkUuid.kind === 'instance' && vm.instanceUuid ? vm.instanceUuid : vm.uuid;
}

/**
 * Warnings when VMs are found by BIOS uuid: why CDI's version is unknown on a release that would use instance uuids,
 * and plan VMs whose BIOS uuids are the same (clones), of which CDI's importer may copy the wrong one's disks.
 */
function biosUuidNotes(plan: ResolvedPlan): string[] {
  const notes: string[] = [];
  if (plan.vddkUuid.kind === 'bios' && plan.vddkUuid.unknownCdi) {
    notes.push(
      `CDI's importer will find each VM by its BIOS uuid, which clones share: ${plan.vddkUuid.why} (MTV ${plan.mtvRelease.release} uses the instance uuid where CDI supports it)`,
    );
  }
  const byUuid = new Map<string, string[]>();
  for (const vm of plan.vms) {
    if (vddkUuidOf(plan, vm) !== vm.uuid) continue;
    byUuid.set(vm.uuid, [...(byUuid.get(vm.uuid) ?? []), vm.name]);
  }
  for (const [uuid, names] of byUuid) {
    if (names.length > 1) {
      notes.push(
        `VMs ${names.join(', ')} share BIOS uuid ${uuid}: CDI's importer may copy one's disks for another; give each its own BIOS uuid (uuid.bios) in vCenter first`,
      );
    }
  }
  return notes;
}

function manifest(plan: ResolvedPlan, vm: ResolvedVm, disk: ResolvedDisk, name: string): DataVolumeManifest {
  return {
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'DataVolume',
    metadata: {
      name,
      namespace: plan.plan.targetNamespace,
      labels: {
        ...planVmLabels(plan.plan, vm.id),
        [DV_LABEL.diskIndex]: String(disk.index),
        ...(disk.shared && { [DV_LABEL.shareable]: 'true' }),
      },
      annotations: {
        // Forklift's DataVolume template carries them (kubevirt.go setTransferNetwork); CDI copies them to the importer
        ...plan.transferNetwork?.annotations,
        [DV_ANNOTATION.diskSource]: disk.file,
        [DV_ANNOTATION.diskIndex]: String(disk.index),
        [DV_ANNOTATION.deleteAfterCompletion]: 'false',
        // Nothing consumes these PVCs, so a WaitForFirstConsumer class would never bind them.
        [DV_ANNOTATION.bindImmediate]: 'true',
        [DV_ANNOTATION.sourcePowerState]: vm.restorePowerState ?? vm.powerState,
      },
    },
    spec: {
      storage: {
        resources: { requests: { storage: storageQuantity(disk.capacity) } },
        storageClassName: disk.storageClass,
        ...(disk.accessMode && { accessModes: [disk.accessMode] }),
        ...(disk.volumeMode && { volumeMode: disk.volumeMode }),
      },
      source: {
        vddk: {
          // vCenter, or the VM's ESXi host when it has a Ready Host CR (esxi-hosts.ts)
          url: vm.esxi?.url ?? plan.provider.url,
          uuid: vddkUuidOf(plan, vm),
          backingFile: disk.file,
          thumbprint: vm.esxi?.thumbprint ?? plan.provider.fingerprint,
          secretRef: vm.esxi?.secret ?? plan.vddkSecret,
          initImageURL: plan.vddkImage,
        },
      },
    },
  };
}

/**
 * The capacity rounded up to 1 MiB (Forklift's utils.RoundUp to DefaultAlignBlockSize), written as Kubernetes writes
 * a BinarySI quantity: the largest binary suffix that divides it ("500Gi", "1536Mi").
 */
export function storageQuantity(capacity: number): string {
  if (!Number.isSafeInteger(capacity) || capacity < 0) {
    throw new Error(`disk capacity ${capacity} is not a whole number of bytes`);
  }
  let value = Math.ceil(capacity / MIB) * MIB;
  let suffix = 0;
  while (value !== 0 && value % 1024 === 0 && suffix < BINARY_SUFFIXES.length - 1) {
    value /= 1024;
    suffix++;
  }
  return `${value}${BINARY_SUFFIXES[suffix]}`;
}

/** A disk's DataVolume name before collisions, and why it is not the template's when the template gave none. */
interface BaseName {
  name: string;
  note?: string;
}

/**
 * The DataVolume (and so PVC) name MTV's release would give, per builder.go DataVolumes / setPVCNameFromTemplate and
 * kubevirt.go getGeneratedName: the plan VM's pvcNameTemplate, else the plan's (getPVCNameTemplate; no release branch
 * has a controller-level template); rendered in the release's dialect; an empty output, a failed run or an output
 * that is not a DNS-1123 label keeps the default (Forklift logs it and goes on); the output is a generateName prefix
 * (with a trailing '-') when pvcNameTemplateUseGenerateName, else the name with '-' trimmed from both ends. The
 * default is generateName `<plan>-<vm id>-`. Where MTV uses generateName the API server would add 5 random
 * characters; kubectl-mtv adds 5 of the same alphabet derived from the disk's identity, so that a re-run finds the
 * same DataVolume by name.
 */
function baseName(plan: ResolvedPlan, vm: ResolvedVm, disk: ResolvedDisk, templates: TemplateCache): BaseName {
  const release = plan.mtvRelease.release;
  const fallback = (note?: string): BaseName => ({
    name: generatedName(`${plan.plan.name}-${vm.id}-`, plan, vm, disk),
    ...(note && { note }),
  });
  const template = vm.pvcNameTemplate || plan.plan.pvcNameTemplate;
  if (!template) return fallback();
  const field = vm.pvcNameTemplate ? `spec.vms[${vm.name}].pvcNameTemplate` : 'spec.pvcNameTemplate';
  const render = templates.parse(plan, field, template);
  const data = templateData(plan, vm, disk);
  const where = `plan "${plan.plan.name}" ${field} ${JSON.stringify(template)} for VM "${vm.name}" disk ${disk.index}`;
  const keeps = `named ${plan.plan.name}-${vm.id}-..., as MTV ${release} does`;
  let rendered: string;
  try {
    rendered = render(data);
  } catch (error) {
    if (!(error instanceof PvcNameTemplateError)) throw error;
    return fallback(`${where} fails (${error.message}): ${keeps}`);
  }
  if (rendered === '') return fallback();
  if (!isDataVolumeName(rendered)) {
    return fallback(`${where} renders "${rendered}", which is not a DNS-1123 label: ${keeps}`);
  }
  if (plan.plan.pvcNameTemplateUseGenerateName) {
    return { name: generatedName(rendered.endsWith('-') ? rendered : `${rendered}-`, plan, vm, disk) };
  }
  return { name: rendered.replace(/^-+|-+$/g, '') };
}

/** Kubernetes' generateName: the prefix cut to 58 characters, then 5 of its random-name alphabet (names.go). */
const GENERATED_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const GENERATED_PREFIX_MAX = NAME_MAX - 5;

function generatedName(prefix: string, plan: ResolvedPlan, vm: ResolvedVm, disk: ResolvedDisk): string {
  const hash = createHash('sha256').update(`${plan.plan.uid}\0${vm.id}\0${disk.index}\0${disk.file}`).digest();
  const suffix = Array.from(hash.subarray(0, 5), (byte) => GENERATED_ALPHABET[byte % GENERATED_ALPHABET.length]);
  return `${prefix.slice(0, GENERATED_PREFIX_MAX)}${suffix.join('')}`;
}

/** The release's template data (plan.go PVCNameTemplateData / VSpherePVCNameTemplateData). */
function templateData(plan: ResolvedPlan, vm: ResolvedVm, disk: ResolvedDisk): PvcNameTemplateData {
  const release = plan.mtvRelease.release;
  // 2.8 and 2.9 give the safe name (getPlanVMSafeName); 2.10+ the source name, and the target's as TargetVmName
  const sanitised = release === '2.8' || release === '2.9';
  return {
    VmName: sanitised ? safeVmName(vm.newName || vm.name) : vm.name,
    TargetVmName: vm.newName || targetVmName(vm.name),
    PlanName: plan.plan.name,
    DiskIndex: disk.index,
    // The plan VM's rootDisk and the inventory's drive letters are not resolved yet: Forklift's defaults.
    RootDiskIndex: 0,
    Shared: disk.shared,
    FileName: diskFileName(disk.file),
    WinDriveLetter: '',
  };
}

/** builder.go getPlanVMSafeName (2.8, 2.9): cut to 63 characters; if that is no DNS-1123 label, dots become '-'. */
function safeVmName(name: string): string {
  const cut = name.slice(0, NAME_MAX);
  return DNS1123_LABEL.test(cut) ? cut : cut.replaceAll('.', '-');
}

/** Each template parsed once, in the release's dialect; a template that does not parse is refused (exit 2). */
class TemplateCache {
  private readonly parsed = new Map<string, (data: PvcNameTemplateData) => string>();

  parse(plan: ResolvedPlan, field: string, template: string): (data: PvcNameTemplateData) => string {
    const known = this.parsed.get(template);
    if (known) return known;
    const release = plan.mtvRelease.release;
    const dialect = templateDialect(release);
    let render: (data: PvcNameTemplateData) => string;
    try {
      render = parseTemplate(template, dialect);
    } catch (error) {
      if (!(error instanceof PvcNameTemplateError)) throw error;
      const sprig = dialect.sprig ? '' : `; MTV ${release} templates have no Sprig functions`;
      throw new UserError(
        `plan "${plan.plan.name}" in namespace "${plan.plan.namespace}": ${field} ${JSON.stringify(template)} is not valid on MTV ${release}: ${error.message}`,
        {
          exitCode: ExitCode.usage,
          hint: `kubectl edit plan ${plan.plan.name} -n ${plan.plan.namespace}; variables: ${dialect.variables.map((v) => `.${v}`).join(', ')}${sprig}`,
        },
      );
    }
    this.parsed.set(template, render);
    return render;
  }
}

/** Whether `name` is a DNS-1123 label: what a DataVolume (and the PVC and pod names CDI derives) may be called. */
export function isDataVolumeName(name: string): boolean {
  return name.length <= NAME_MAX && DNS1123_LABEL.test(name);
}

function truncLabel(label: string, length: number): string {
  return label.slice(0, length).replace(/-+$/, '');
}

/** Forklift's utils.ChangeVmName: the VM's name made a DNS-1123 subdomain. */
function targetVmName(name: string): string {
  const parts = name
    .toLowerCase()
    .replace(/^[.-]+|[.-]+$/g, '')
    .split('.')
    .map((part) =>
      truncLabel(
        part
          .replace(/[_+* /\\]/g, '-')
          .replace(/[^a-z0-9-]/g, '')
          .replace(/-+/g, '-')
          .replace(/^-+|-+$/g, ''),
        NAME_MAX,
      ),
    )
    .filter(Boolean);
  return (
    parts
      .join('.')
      .slice(0, 253)
      .replace(/[.-]+$/, '') || 'vm'
  );
}

/** Forklift's extractDiskFileName: `[ds] folder/disk.vmdk` -> `disk.vmdk`. */
function diskFileName(file: string): string {
  const path = (/^\[[^\]]+\]\s*(.*)$/.exec(file)?.[1] ?? file).trim();
  return /[^/\\]*$/.exec(path)?.[0] ?? '';
}

/** A label value Kubernetes accepts: at most 63 characters, alphanumeric at both ends (vm-builder.ts uses it too). */
export function labelValue(value: string): string {
  if (value.length <= NAME_MAX && LABEL_VALUE.test(value)) return value;
  return value
    .slice(0, NAME_MAX)
    .replace(/[^-A-Za-z0-9_.]/g, '-')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/**
 * The names taken so far. A name already taken gets a short hash of the disk's identity (VM id, index, file), so the
 * same plan always gives the same names, and a disk's name does not depend on VMs after it.
 */
class NameBook {
  private readonly taken = new Set<string>();

  claim(base: string, identity: string): string {
    let name = base;
    for (let salt = 0; this.taken.has(name); salt++) {
      const hash = createHash('sha256').update(`${identity}\0${salt}`).digest('hex').slice(0, 6);
      name = `${base.slice(0, NAME_MAX - hash.length - 1).replace(/-+$/, '')}-${hash}`;
    }
    this.taken.add(name);
    return name;
  }
}
