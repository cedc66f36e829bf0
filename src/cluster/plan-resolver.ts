/**
 * A Forklift Plan resolved against the cluster and the inventory, or refused. Every refusal is one UserError (exit
 * 2) naming the object and the fix, raised before anything is created: the resolver only reads. Cheap cluster checks
 * come first, so a plan that cannot run costs no inventory request; the inventory is asked once for all VMs, then for
 * the hosts of Ready Host CRs that plan VMs run on (esxi-hosts.ts).
 */
import { ExitCode, UserError } from '../errors.js';
import { conversionSupport } from './conversion.js';
import { type PlanConversionSpec, resolveConversion } from './conversion-settings.js';
import {
  connectDestination,
  type DestinationKind,
  type DestinationProvider,
  type PlanClusters,
} from './destination.js';
import { disksLeftOut, sortDisksAsRelease } from './disk-order.js';
import { resolveEsxiEndpoints } from './esxi-endpoints.js';
import { listReadyHostCrs } from './esxi-hosts.js';
import type { InventoryClient, InventoryDiskDetail, InventoryVmDetail } from './inventory-client.js';
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-errors.js';
import { takesOver } from './migration-guard.js';
import { atLeastRelease, type DetectedRelease, type MtvRelease } from './mtv-release.js';
import { planScope } from './plan-scope.js';
import { type PlanVmSpec, resolveVmConfigs } from './plan-vm-configs.js';
import { readPlanVms } from './plan-vms.js';
import type { ResolvedDisk, ResolvedPlan, ResolvedVm } from './resolved-plan.js';
import { inNamespace, RESOURCES } from './resource-types.js';
import { resolveTransferNetwork } from './transfer-network.js';
import { checkVddkSecret } from './vddk-secret.js';
import { chooseVddkUuid } from './vddk-uuid.js';

export interface ResolvePlanOptions {
  plan: string;
  /** The plan's namespace. */
  namespace: string;
  /** --vddk-secret: the user's own VDDK Secret; default: one made from the source Provider's Secret. */
  vddkSecret?: string;
  /** --allow-powered-on. */
  allowPoweredOn?: boolean;
  /** --power-off-source: powered-on VMs are shut down before their disks copy (checked against vCenter later). */
  powerOffSource?: boolean;
  /** The cluster's MTV release (detectMtvRelease). */
  mtvRelease: DetectedRelease;
  /**
   * --disks-only: copy a plan that needs a guest conversion afterwards and run none (also where MTV 2.12's Conversion
   * CR could convert it).
   */
  disksOnly?: boolean;
  /**
   * Reaches the plan's destination cluster once its Provider is read (destination.ts connectDestination); default:
   * the host cluster for a host destination, a refusal for a remote one.
   */
  destination?: (provider: DestinationProvider) => Promise<{ client: KubeClient; where: DestinationKind }>;
}

interface Condition {
  type?: string;
  status?: string;
  category?: string;
  message?: string;
}

interface ObjectRef {
  name?: string;
  namespace?: string;
  uid?: string;
}

interface KubeObject<Spec, Status = { conditions?: Condition[] }> {
  metadata: { name: string; namespace?: string; uid?: string };
  spec?: Spec;
  status?: Status;
}

type Plan = KubeObject<
  Omit<PlanVmSpec, 'map' | 'vms'> & {
    archived?: boolean;
    type?: string;
    warm?: boolean;
    skipGuestConversion?: boolean;
    migrateSharedDisks?: boolean;
    pvcNameTemplate?: string;
    pvcNameTemplateUseGenerateName?: boolean;
    targetNamespace?: string;
    provider?: { source?: ObjectRef; destination?: ObjectRef };
    map?: { storage?: ObjectRef; network?: ObjectRef };
    vms?: (NonNullable<PlanVmSpec['vms']>[number] & { pvcNameTemplate?: string })[];
    transferNetwork?: ObjectRef;
  },
  {
    conditions?: Condition[];
    netAppShiftDestination?: boolean;
    migration?: { vms?: { id?: string; newName?: string }[] };
  }
>;
type Provider = KubeObject<
  { type?: string; url?: string; settings?: Record<string, string>; secret?: ObjectRef },
  { fingerprint?: string; conditions?: Condition[] }
>;
type Migration = KubeObject<{ plan?: ObjectRef }, { completed?: string; conditions?: Condition[] }>;
interface StorageMapEntry {
  source?: { id?: string; name?: string };
  destination?: { storageClass?: string; accessMode?: string; volumeMode?: string };
  /** Storage copy offload (vSphere xcopy; 2.12 also CSI volume import). */
  offloadPlugin?: unknown;
}
type StorageMap = KubeObject<{ map?: StorageMapEntry[] }>;

/** Where CDI's v2v-vmware ConfigMap lives: OpenShift Virtualization, then upstream CDI. */
const CDI_NAMESPACES = ['openshift-cnv', 'cdi'];

/** Reads the plan and everything it names; refuses (exit 2) a plan `migrate` cannot run. */
export async function resolvePlan(
  client: KubeClient,
  inventory: InventoryClient,
  options: ResolvePlanOptions,
): Promise<ResolvedPlan> {
  const { plan: name, namespace } = options;
  const refuse = (message: string, hint?: string) => new UserError(`plan "${name}" ${message}`, { hint });
  const plan = await client.get<Plan>(inNamespace(RESOURCES.plans, namespace), name);
  if (!plan) throw refuse(`not found in namespace "${namespace}"`, 'kubectl get plans -A');
  const spec = plan.spec ?? {};
  if (spec.archived) throw refuse('is archived', 'an archived plan never runs again: create a new plan');

  const conditions = plan.status?.conditions ?? [];
  const ready = conditions.find((condition) => condition.type === 'Ready');
  if (ready?.status !== 'True') {
    const blocking = conditions.find(
      (c) => c.status === 'True' && (c.category === 'Critical' || c.category === 'Error'),
    );
    const quoted = (blocking ?? ready)?.message;
    throw refuse(
      quoted ? `is not Ready: "${quoted}"` : 'is not Ready (no Ready condition yet)',
      describe(name, namespace),
    );
  }
  const migrations = await client.list<Migration>(inNamespace(RESOURCES.migrations, namespace));
  const ours = {
    name: plan.metadata.name ?? name,
    namespace: plan.metadata.namespace ?? namespace,
    uid: plan.metadata.uid ?? '',
  };
  const running = migrations.find((migration) => takesOver(migration, ours));
  if (running) {
    throw refuse(
      `is being run by the MTV controller (Migration "${running.metadata.name}" has not completed)`,
      `wait for it, or cancel it: kubectl delete migration ${running.metadata.name} -n ${namespace}`,
    );
  }

  const source = await provider(client, spec.provider?.source, namespace, name, 'source');
  if (source.spec?.type !== 'vsphere') {
    throw refuse(
      `has a ${source.spec?.type ?? 'typeless'} source provider "${source.metadata.name}"; only vSphere sources are supported`,
    );
  }
  const destination = await provider(client, spec.provider?.destination, namespace, name, 'destination');
  const storageRef = spec.map?.storage;
  const storageMap =
    storageRef?.name &&
    (await client.get<StorageMap>(
      inNamespace(RESOURCES.storageMaps, storageRef.namespace || namespace),
      storageRef.name,
    ));
  if (!storageMap) throw refuse(`names storage map "${storageRef?.name ?? ''}", which does not exist`);
  const release = options.mtvRelease.release;
  // Forklift's host cluster: an openshift Provider without a URL (Provider.IsHost)
  const destinationIsHost = destination.spec?.type === 'openshift' && !destination.spec?.url;
  const shape = {
    warm: spec.warm,
    type: spec.type,
    skipGuestConversion: spec.skipGuestConversion,
    destinationIsHost,
    offload: (storageMap.spec?.map ?? []).some((entry) => entry.offloadPlugin !== undefined),
    netAppShift: plan.status?.netAppShiftDestination === true,
  };
  let scope = planScope(shape, release);
  if (scope.kind === 'theirs') throw refuse(scope.why, scope.hint);
  // a conversion to run: through a Conversion CR where the cluster has them (--disks-only runs none)
  const support =
    scope.kind === 'needs-conversion' && !options.disksOnly
      ? await conversionSupport(client, namespace, release)
      : undefined;
  if (support) scope = planScope(shape, release, support);
  if (scope.kind === 'needs-conversion' && !options.disksOnly) {
    throw refuse(
      scope.why,
      release === '2.8'
        ? '--disks-only copies the disks anyway: no VM can be made from them without the conversion (MTV 2.9+ has Raw Copy)'
        : support?.feature === 'off'
          ? 'set feature_use_conversion_cr: "true" on the ForkliftController, set spec.skipGuestConversion: true (Raw Copy), or --disks-only to copy the disks without the conversion'
          : 'set spec.skipGuestConversion: true (Raw Copy), or --disks-only to copy the disks without the conversion',
    );
  }

  const reach =
    options.destination ??
    ((provider: DestinationProvider) => connectDestination(client, name, provider, { connection: {} }));
  const { client: target, where } = await reach({
    name: destination.metadata.name,
    namespace: destination.metadata.namespace ?? namespace,
    type: destination.spec?.type,
    url: destination.spec?.url,
    secret: destination.spec?.secret,
  });
  const clusters = { host: client, destination: target };
  const vddkImage = await vddkInitImage(clusters, source, namespace, release);
  if (!vddkImage) {
    throw refuse(
      `has no VDDK image: provider "${source.metadata.name}" sets no settings.vddkInitImage${release === '2.8' ? '' : ', the ForkliftController no vddk_image,'} and no v2v-vmware ConfigMap in ${CDI_NAMESPACES.join(' or ')} names one`,
      `kubectl patch provider ${source.metadata.name} -n ${source.metadata.namespace} --type merge -p '{"spec":{"settings":{"vddkInitImage":"IMAGE"}}}'`,
    );
  }
  const targetNamespace = spec.targetNamespace || namespace;
  const identity = { name, namespace, uid: plan.metadata.uid ?? '', targetNamespace };
  const vddkSecret = await checkVddkSecret(clusters, identity, options.vddkSecret, {
    name: source.metadata.name,
    namespace: source.metadata.namespace ?? namespace,
    secret: source.spec?.secret,
  });
  // Forklift reads it for every DataVolume when the plan names one (kubevirt.go dataVolumes)
  const transferNetwork =
    spec.transferNetwork && (await resolveTransferNetwork(client, spec.transferNetwork, identity, release));

  // ESXi hosts with a Ready Host CR: their VMs are read from the host (esxi-hosts.ts)
  const hostCrs = await listReadyHostCrs(client, source.metadata.namespace ?? namespace, spec.provider?.source);

  const vms = await readPlanVms(inventory, source.metadata.uid ?? '', spec.vms ?? [], refuse);
  // a warm plan copies running VMs and shuts them down at its cutover, as MTV's warm migration does
  const warm = spec.warm === true || (atLeastRelease(release, '2.10') && spec.type === 'warm');
  if (!warm && !options.allowPoweredOn && !options.powerOffSource) {
    const on = vms.filter((vm) => vm.powerState === 'poweredOn').map((vm) => vm.name);
    if (on.length > 0) {
      throw refuse(
        `has ${count(on, 'VM')} powered on: ${on.join(', ')}`,
        'pass --power-off-source to shut them down through vCenter before their disks copy (as MTV does), power them off, or pass --allow-powered-on to copy them crash-consistently',
      );
    }
  }
  // Forklift's validation refuses a warm plan's VM without change block tracking (it never turns CBT on); the
  // inventory says so from 2.9 (2.8 does not serve it: CDI's first delta copy would fail instead)
  const noCbt = warm ? vms.filter((vm) => vm.changeTrackingEnabled === false).map((vm) => vm.name) : [];
  if (noCbt.length > 0) {
    throw refuse(
      `is warm and has ${count(noCbt, 'VM')} with change block tracking off: ${noCbt.join(', ')}`,
      'turn on change block tracking (ctkEnabled) on them in vCenter while they are off, as MTV warm migration requires, or make the plan cold',
    );
  }
  const leftOut = vms.flatMap((vm) => disksLeftOut(vm.disks, release).map((disk) => ({ vm: vm.name, disk })));
  if (leftOut.length > 0) {
    const listed = leftOut.map(({ vm, disk }) => `${vm} (${disk.bus || 'no'} bus, ${disk.file})`);
    const nvme = leftOut.every(({ disk }) => disk.bus === 'nvme');
    throw refuse(
      nvme
        ? `has NVMe disks, which MTV ${release} leaves out of a VM's disks (it copies SATA, IDE and SCSI only): ${listed.join(', ')}`
        : `has disks on a bus MTV ${release} does not copy: ${listed.join(', ')}`,
      nvme
        ? 'move those VMs to a plan of their own on MTV 2.10 or later (--mtv-version is read from the cluster), or remove them from the plan'
        : 'remove those VMs from the plan',
    );
  }
  const migrateSharedDisks = spec.migrateSharedDisks ?? true;
  const numbered = vms.map((vm) => numberDisks(vm, release, migrateSharedDisks));
  const rdm = numbered.flatMap((vm) =>
    vm.disks.flatMap(({ disk, index }) => (disk.rdm ? [`${vm.vm.name} disk ${index}`] : [])),
  );
  if (rdm.length > 0) {
    throw refuse(`has RDM disks, which CDI cannot copy: ${rdm.join(', ')}`, 'remove those VMs from the plan');
  }
  const resolvedVms = numbered.map((vm) => resolveVm(vm, storageMap));
  const unmapped = [...new Set(resolvedVms.flatMap((vm) => vm.unmapped))];
  if (unmapped.length > 0) {
    throw refuse(
      `has disks on datastores storage map "${storageMap.metadata.name}" does not map: ${unmapped.join(', ')}`,
      `add them to the StorageMap: kubectl edit storagemap ${storageMap.metadata.name} -n ${storageMap.metadata.namespace}`,
    );
  }

  const esxi = await resolveEsxiEndpoints(client, inventory, {
    plan: identity,
    release,
    provider: {
      uid: source.metadata.uid ?? '',
      secret: {
        name: source.spec?.secret?.name ?? '',
        namespace: source.spec?.secret?.namespace || (source.metadata.namespace ?? namespace),
      },
    },
    hostCrs,
    vms,
    ...(options.vddkSecret !== undefined && { givenSecret: options.vddkSecret }),
    refuse,
  });

  // the KubeVirt VMs: their NICs, names and configuration (plan-vm-configs.ts); none with --disks-only
  const statusVms = plan.status?.migration?.vms ?? [];
  const vmConfigs = options.disksOnly
    ? undefined
    : await resolveVmConfigs({
        host: client,
        target,
        inventory,
        providerUid: source.metadata.uid ?? '',
        plan: identity,
        spec,
        release,
        vms: vms.map((vm) => ({ vm, newName: statusVms.find((entry) => entry.id === vm.id)?.newName })),
        refuse,
      });

  const controller = await controllerSettings(client, namespace);
  const controllerMaxInFlight = controller.maxInFlight;
  const vddkUuid = await chooseVddkUuid(target, release);
  const finalVms = resolvedVms.map(({ resolved: vm }) => {
    const endpoint = esxi.byHost.get(vm.host);
    const config = vmConfigs?.configs.get(vm.id);
    return {
      ...withNaming(vm, spec.vms ?? [], statusVms),
      ...(endpoint && { esxi: endpoint }),
      ...(config && { config }),
    };
  });
  const conversion =
    scope.kind === 'ours' && scope.conversion && support
      ? await resolveConversion({
          host: client,
          destination: target,
          inventory,
          support,
          plan: { name, namespace, targetNamespace, spec: spec as PlanConversionSpec },
          destinationProvider: {
            name: destination.metadata.name,
            namespace: destination.metadata.namespace ?? namespace,
            isHost: destinationIsHost,
          },
          source: {
            uid: source.metadata.uid ?? '',
            url: source.spec?.url ?? '',
            fingerprint: source.status?.fingerprint ?? '',
            ...(source.spec?.settings && { settings: source.spec.settings }),
            ...(source.spec?.secret && { secret: source.spec.secret }),
            namespace: source.metadata.namespace ?? namespace,
          },
          vms: finalVms.map((vm) => ({
            resolved: vm,
            inventory: vms.find((candidate) => candidate.id === vm.id) as InventoryVmDetail,
          })),
          vddkSecret: { name: vddkSecret.name, given: vddkSecret.source.kind === 'given' },
          esxiSecrets: esxi.secrets,
          refuse,
        })
      : undefined;
  return {
    plan: {
      name,
      namespace,
      uid: plan.metadata.uid ?? '',
      targetNamespace,
      ...(spec.pvcNameTemplate && { pvcNameTemplate: spec.pvcNameTemplate }),
      // the CRD defaults it to true from 2.8, when the field arrived
      pvcNameTemplateUseGenerateName: spec.pvcNameTemplateUseGenerateName ?? true,
      migrateSharedDisks,
    },
    provider: {
      name: source.metadata.name,
      namespace: source.metadata.namespace ?? namespace,
      uid: source.metadata.uid ?? '',
      url: source.spec?.url ?? '',
      fingerprint: source.status?.fingerprint ?? '',
      ...(source.spec?.secret && { secret: source.spec.secret }),
    },
    vddkImage,
    vddkSecret: vddkSecret.name,
    vddkSecretSource: vddkSecret.source,
    vms: finalVms,
    ...(esxi.secrets.length > 0 && { esxiSecrets: esxi.secrets }),
    ...(controllerMaxInFlight !== undefined && { controllerMaxInFlight }),
    ...(warm && {
      warm: {
        ...(controller.precopyIntervalMinutes !== undefined && {
          controllerPrecopyIntervalMinutes: controller.precopyIntervalMinutes,
        }),
      },
    }),
    vddkUuid,
    destination: where,
    mtvRelease: options.mtvRelease,
    ...(scope.kind === 'needs-conversion' && { disksOnly: scope.why }),
    ...(transferNetwork && { transferNetwork }),
    ...(conversion && { conversion }),
    ...(vmConfigs && { vmSettings: vmConfigs.settings }),
    ...(vmConfigs && vmConfigs.warnings.length > 0 && { warnings: vmConfigs.warnings }),
  };
}

function describe(name: string, namespace: string): string {
  return `kubectl describe plan ${name} -n ${namespace}`;
}

function count(items: readonly unknown[], noun: string): string {
  return `${items.length} ${noun}${items.length === 1 ? '' : 's'}`;
}

async function provider(
  client: KubeClient,
  ref: ObjectRef | undefined,
  namespace: string,
  plan: string,
  role: 'source' | 'destination',
): Promise<Provider> {
  const providerNamespace = ref?.namespace || namespace;
  const found = ref?.name
    ? await client.get<Provider>(inNamespace(RESOURCES.providers, providerNamespace), ref.name)
    : undefined;
  if (!found) {
    throw new UserError(
      `plan "${plan}" names ${role} provider "${ref?.name ?? ''}" in namespace "${providerNamespace}", which does not exist`,
      { exitCode: ExitCode.usage, hint: `kubectl get providers -n ${providerNamespace}` },
    );
  }
  return found;
}

/**
 * The VDDK image the release would give CDI: Provider settings.vddkInitImage; from 2.9 else the ForkliftController's
 * spec.vddk_image (pkg/settings settings.go GetVDDKImage reads VDDK_IMAGE, which the operator sets from vddk_image:
 * deployment-controller.yml.j2); else CDI's v2v-vmware ConfigMap (key vddk-init-image), which CDI itself falls back to.
 */
async function vddkInitImage(
  clusters: PlanClusters,
  source: Provider,
  namespace: string,
  release: MtvRelease,
): Promise<string | undefined> {
  const fromProvider = source.spec?.settings?.vddkInitImage;
  if (fromProvider) return fromProvider;
  if (release !== '2.8') {
    const controller = await forkliftController(clusters.host, namespace);
    if (controller?.spec?.vddk_image) return controller.spec.vddk_image;
  }
  // CDI's own fallback: its ConfigMap on the cluster CDI imports on
  for (const namespace of CDI_NAMESPACES) {
    const map = await clusters.destination.get<{ data?: Record<string, string> }>(
      inNamespace(RESOURCES.configMaps, namespace),
      'v2v-vmware',
    );
    const image = map?.data?.['vddk-init-image'];
    if (image) return image;
  }
  return undefined;
}

/** A VM's disks with Forklift's index: their position in the release's order (disk-order.ts). */
interface NumberedVm {
  vm: InventoryVmDetail;
  disks: { disk: InventoryDiskDetail; index: number }[];
}

/**
 * The VM's disks numbered as `release` numbers them. With migrateSharedDisks false Forklift removes shared disks
 * before numbering (builder.go DataVolumes, vm.RemoveSharedDisks): they come last, with index -1, and are not copied.
 */
function numberDisks(vm: InventoryVmDetail, release: MtvRelease, migrateSharedDisks: boolean): NumberedVm {
  const kept = migrateSharedDisks ? vm.disks : vm.disks.filter((disk) => !disk.shared);
  const removed = migrateSharedDisks ? [] : vm.disks.filter((disk) => disk.shared);
  return {
    vm,
    disks: [
      ...sortDisksAsRelease(kept, release).map((disk, index) => ({ disk, index })),
      ...removed.map((disk) => ({ disk, index: -1 })),
    ],
  };
}

/** The VM with each disk's storage class; `unmapped` names the datastores the map lacks (`ds-3 (datastore-3)`). */
function resolveVm(
  { vm, disks: numbered }: NumberedVm,
  storageMap: StorageMap,
): { resolved: ResolvedVm; unmapped: string[] } {
  const entries = storageMap.spec?.map ?? [];
  const unmapped: string[] = [];
  const disks = numbered.map(({ disk, index }): ResolvedDisk => {
    // the inventory gives the datastore's id; its name is the bracketed prefix of the backing file
    const datastoreName = /^\[([^\]]+)\]/.exec(disk.file)?.[1];
    const entry = entries.find(
      (candidate) =>
        (candidate.source?.id !== undefined && candidate.source.id === disk.datastore.id) ||
        (candidate.source?.id === undefined && candidate.source?.name === datastoreName),
    );
    const storageClass = entry?.destination?.storageClass;
    // a shared disk the plan does not migrate is never copied: its datastore need not be mapped
    if (!storageClass && index >= 0)
      unmapped.push(datastoreName ? `${datastoreName} (${disk.datastore.id})` : disk.datastore.id);
    return {
      index,
      key: disk.key,
      file: disk.file,
      datastoreId: disk.datastore.id,
      capacity: disk.capacity,
      shared: disk.shared,
      storageClass: storageClass ?? '',
      ...(entry?.destination?.accessMode && { accessMode: entry.destination.accessMode }),
      ...(entry?.destination?.volumeMode && { volumeMode: entry.destination.volumeMode }),
      ...(disk.bus && { bus: disk.bus }),
      ...(disk.serial && { serial: disk.serial }),
    };
  });
  return {
    resolved: {
      id: vm.id,
      name: vm.name,
      uuid: vm.uuid,
      ...(vm.instanceUuid && { instanceUuid: vm.instanceUuid }),
      host: vm.host,
      powerState: vm.powerState,
      disks,
    },
    unmapped,
  };
}

/** The plan VM's own pvcNameTemplate and the newName an earlier Forklift migration gave it (builder.go getPlanVM). */
function withNaming(
  vm: ResolvedVm,
  planVms: { id?: string; name?: string; pvcNameTemplate?: string }[],
  statusVms: { id?: string; newName?: string }[],
): ResolvedVm {
  const entry = planVms.find((candidate) =>
    candidate.id ? candidate.id === vm.id : candidate.name?.split('/').pop() === vm.name,
  );
  const newName = statusVms.find((candidate) => candidate.id === vm.id)?.newName;
  return {
    ...vm,
    ...(entry?.pvcNameTemplate && { pvcNameTemplate: entry.pvcNameTemplate }),
    ...(newName && { newName }),
  };
}

interface ForkliftControllerSpec {
  controller_max_vm_inflight?: number | string;
  controller_precopy_interval?: number | string;
  vddk_image?: string;
}

/** The ForkliftController of the plan's namespace (Forklift's own); undefined when it cannot be read (403, 404). */
async function forkliftController(
  client: KubeClient,
  namespace: string,
): Promise<KubeObject<ForkliftControllerSpec> | undefined> {
  try {
    const controllers = await client.list<KubeObject<ForkliftControllerSpec>>(
      inNamespace(RESOURCES.forkliftControllers, namespace),
    );
    return controllers[0];
  } catch (error) {
    // informational only: a 403 or a missing CRD must not stop a plan that can run
    if (error instanceof KubeApiError && (error.status === 403 || error.status === 404)) return undefined;
    throw error;
  }
}

/**
 * The ForkliftController's controller_max_vm_inflight (shown to the user) and controller_precopy_interval (minutes,
 * CRD minimum 1: a warm run's default interval); each absent when it cannot be read.
 */
async function controllerSettings(
  client: KubeClient,
  namespace: string,
): Promise<{ maxInFlight?: number; precopyIntervalMinutes?: number }> {
  const spec = (await forkliftController(client, namespace))?.spec;
  const positive = (raw: unknown) => {
    const value = Number(raw);
    return Number.isInteger(value) && value > 0 ? value : undefined;
  };
  return {
    maxInFlight: positive(spec?.controller_max_vm_inflight),
    precopyIntervalMinutes: positive(spec?.controller_precopy_interval),
  };
}
