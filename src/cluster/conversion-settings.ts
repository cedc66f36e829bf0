/**
 * The plan and per-VM part of a Conversion (resolved-plan.ts ResolvedConversion), read as Forklift release-2.12
 * reads it for the virt-v2v pod: kubevirt.go resolveConversionResources (PodConfigFromPlan, getConvertorAffinity,
 * shouldRequestKVM, resolveServiceAccount, ensureV2vSecret) and the vSphere adapter's builder.go PodEnvironment and
 * getSourceDetails (V2V_vmName, V2V_libvirtURL, V2V_source, V2V_fingerprint, V2V_extra_args, ...). Only reads: the
 * resolver refuses here, before anything is created.
 *
 * The connection Secret: Forklift names its per-VM v2v Secret, made by Builder.Secret like the DataVolumes' one
 * (accessKeyId, secretKey, cacert; a Ready Host's credentials for a VM read from its ESXi host). The VDDK Secret the
 * VM's DataVolumes name holds exactly that (vddk-secret.ts), so the Conversion names it; the run must keep it until
 * the conversion ends. The libvirt URL's user is the one of that Secret: read from the Provider Secret (or the Host
 * CR's), or, with --vddk-secret and no read of the Provider Secret, from the given Secret's accessKeyId.
 */
import { ExitCode, UserError } from '../errors.js';
import type { ConversionSupport } from './conversion.js';
import type { InventoryClient, InventoryVmDetail } from './inventory-client.js';
import type { KubeClient } from './kube-client.js';
import type { EsxiVddkSecret, ResolvedConversion, ResolvedVm, ResolvedVmConversion } from './resolved-plan.js';
import { inNamespace, RESOURCES } from './resource-types.js';

/** The Plan fields a Conversion reads (2.12 schema). */
export interface PlanConversionSpec {
  virtV2vImage?: string;
  xfsCompatibility?: boolean;
  serviceAccount?: string;
  convertorNodeSelector?: Record<string, string>;
  convertorAffinity?: unknown;
  convertorLabels?: Record<string, string>;
  preserveStaticIPs?: boolean;
  installLegacyDrivers?: boolean;
  customizationScripts?: { name?: string; namespace?: string };
  vms?: { id?: string; name?: string; nbdeClevis?: boolean; luks?: { name?: string } }[];
}

export interface ConversionInputs {
  host: KubeClient;
  /** The destination cluster (the host's for a local plan): where a --vddk-secret lives. */
  destination: KubeClient;
  inventory: InventoryClient;
  support: ConversionSupport;
  plan: { name: string; namespace: string; targetNamespace: string; spec: PlanConversionSpec };
  destinationProvider: { name: string; namespace: string; isHost: boolean };
  source: {
    uid: string;
    url: string;
    fingerprint: string;
    settings?: Record<string, string>;
    secret?: { name?: string; namespace?: string };
    namespace: string;
  };
  /** The plan's VMs with the inventory's full record (guest networks, host name, guest id). */
  vms: { resolved: ResolvedVm; inventory: InventoryVmDetail }[];
  vddkSecret: { name: string; given: boolean };
  esxiSecrets: readonly EsxiVddkSecret[];
  refuse(message: string, hint?: string): UserError;
}

/** Inventory fields the PodEnvironment reads beyond InventoryVmDetail (web/vsphere/vm.go VM at full detail). */
interface GuestDetail {
  guestId?: string;
  guestName?: string;
  hostName?: string;
  guestNetworks?: { mac?: string; ip?: string; origin?: string; prefix?: number; dns?: string[]; device?: string }[];
  guestIpStacks?: { gateway?: string; device?: string; network?: string }[];
}

/** Windows releases virtio-win's legacy ISO is for (builder.go legacyIdentifiers, compared as IsLegacyWindows does). */
const LEGACY_WINDOWS = [
  'windows xp',
  'winXPProGuest',
  'server 2003',
  'winNetEnterpriseGuest',
  'winNetStandardGuest',
  'winNetEnterprise64Guest',
  'vista',
  'windowsVistaGuest',
  'server 2008',
  'longhornGuest',
  'windows 7',
  'windows7Guest',
  'server 2008 r2',
  'windows7Server64Guest',
];

/** Resolves the Conversion settings of a plan whose VMs kubectl-mtv converts; refuses what it cannot carry. */
export async function resolveConversion(inputs: ConversionInputs): Promise<ResolvedConversion> {
  const { plan, refuse } = inputs;
  const spec = plan.spec;
  const luks = (spec.vms ?? []).filter((vm) => vm.luks?.name).map((vm) => vm.name ?? vm.id ?? '');
  if (luks.length > 0) {
    throw refuse(
      `has LUKS-encrypted VMs (${luks.join(', ')}), whose passphrase Secret MTV copies for the conversion; kubectl mtv migrate does not`,
      'run the plan with the MTV controller, or remove those VMs from it',
    );
  }
  if (spec.customizationScripts?.name) {
    throw refuse(
      `names customization scripts (ConfigMap "${spec.customizationScripts.name}"), which MTV copies into the conversion pod; kubectl mtv migrate does not`,
      'run the plan with the MTV controller, or remove spec.customizationScripts',
    );
  }
  const controller = inputs.support.controller;
  const credentials = await sourceCredentials(inputs);
  const vms: Record<string, ResolvedVmConversion> = {};
  const hostPaths = new Map<string, string>();
  for (const { resolved, inventory } of inputs.vms) {
    const esxiSecret = resolved.esxi && inputs.esxiSecrets.find((secret) => secret.name === resolved.esxi?.secret);
    const user = esxiSecret ? await hostUser(inputs, esxiSecret) : credentials.user;
    let path = hostPaths.get(resolved.host);
    if (path === undefined && !resolved.esxi && inputs.source.settings?.sdkEndpoint !== 'esxi') {
      path = await hostPath(inputs, resolved.host);
      hostPaths.set(resolved.host, path);
    }
    const source = libvirtSource(inputs, resolved, { user, insecure: credentials.insecure, path: path ?? '' });
    const planVm = (spec.vms ?? []).find((candidate) =>
      candidate.id ? candidate.id === resolved.id : candidate.name === resolved.name,
    );
    vms[resolved.id] = {
      secret: resolved.esxi?.secret ?? inputs.vddkSecret.name,
      settings: podEnvironment(inventory as InventoryVmDetail & GuestDetail, {
        ...source,
        preserveStaticIPs: spec.preserveStaticIPs === true,
        installLegacyDrivers: spec.installLegacyDrivers,
        clevis: planVm?.nbdeClevis === true,
        extraArgs: controller?.extraArgs ?? '[]',
        inspectorExtraArgs: controller?.inspectorExtraArgs ?? '[]',
      }),
      ...(planVm?.nbdeClevis === true && { clevis: true }),
    };
  }
  const serviceAccount = spec.serviceAccount || controller?.serviceAccount;
  return {
    namespace: plan.namespace,
    destination: { name: inputs.destinationProvider.name, namespace: inputs.destinationProvider.namespace },
    localMigration: inputs.destinationProvider.isHost,
    ...(spec.virtV2vImage && { image: spec.virtV2vImage }),
    xfsCompatibility: spec.xfsCompatibility === true,
    ...(serviceAccount && { serviceAccount }),
    ...(spec.convertorNodeSelector &&
      Object.keys(spec.convertorNodeSelector).length > 0 && { nodeSelector: spec.convertorNodeSelector }),
    ...(spec.convertorAffinity !== undefined && { affinity: spec.convertorAffinity }),
    // kubevirt.go shouldRequestKVM: vSphere sources ask for /dev/kvm unless the controller says not to
    requestKVM: controller?.dontRequestKvm !== true,
    ...(spec.convertorLabels &&
      Object.keys(spec.convertorLabels).length > 0 && { convertorLabels: spec.convertorLabels }),
    support: { feature: inputs.support.feature, why: inputs.support.why },
    vms,
  };
}

interface SecretObject {
  data?: Record<string, string>;
}

const decode = (value: string | undefined) => (value === undefined ? '' : Buffer.from(value, 'base64').toString());

/**
 * The vCenter user and insecureSkipVerify of the source Provider's Secret (builder.go getSourceDetails reads both
 * from it); with --vddk-secret and no read of the Provider Secret, the user is the given Secret's accessKeyId.
 */
async function sourceCredentials(inputs: ConversionInputs): Promise<{ user: string; insecure: boolean }> {
  const ref = inputs.source.secret;
  const namespace = ref?.namespace || inputs.source.namespace;
  const readable =
    ref?.name && (await inputs.host.mayDo({ verb: 'get', group: '', resource: 'secrets', namespace, name: ref.name }));
  if (readable && ref?.name) {
    const secret = await inputs.host.get<SecretObject>(inNamespace(RESOURCES.secrets, namespace), ref.name);
    if (secret) {
      // base/controller.go GetInsecureSkipVerifyFlag: strconv.ParseBool of insecureSkipVerify
      const insecure = ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(decode(secret.data?.insecureSkipVerify));
      return { user: decode(secret.data?.user), insecure };
    }
  }
  if (inputs.vddkSecret.given) {
    const given = await inputs.destination.get<SecretObject>(
      inNamespace(RESOURCES.secrets, inputs.plan.targetNamespace),
      inputs.vddkSecret.name,
    );
    return { user: decode(given?.data?.accessKeyId), insecure: false };
  }
  throw new UserError(
    `plan "${inputs.plan.name}": the source Provider's Secret "${ref?.name ?? ''}" in namespace "${namespace}" cannot be read, and the conversion's libvirt URL needs its user`,
    { exitCode: ExitCode.unreachable, hint: `ask for get on secrets/${ref?.name ?? 'NAME'} in "${namespace}"` },
  );
}

/** The ESXi user of a Ready Host CR's Secret (getSourceDetails: the host Secret's `user`). */
async function hostUser(inputs: ConversionInputs, secret: EsxiVddkSecret): Promise<string> {
  const read = await inputs.host.get<SecretObject>(
    inNamespace(RESOURCES.secrets, secret.from.namespace),
    secret.from.name,
  );
  return decode(read?.data?.user);
}

/**
 * The inventory path libvirt's vpx driver finds the VM's ESXi host by (getSourceDetails): the host's path, or for a
 * stand-alone host (its parent a Cluster of variant ComputeResource) the parent's.
 */
async function hostPath(inputs: ConversionInputs, hostId: string): Promise<string> {
  const host = (await inputs.inventory.vsphereHost(inputs.source.uid, hostId)) as
    | { path?: string; parent?: { kind?: string; id?: string } }
    | undefined;
  if (!host?.path) {
    throw inputs.refuse(
      `runs VMs on ESXi host "${hostId}", which the inventory does not know (the conversion's libvirt URL needs its path)`,
    );
  }
  if (host.parent?.kind === 'Cluster' && host.parent.id) {
    const cluster = await inputs.inventory.vsphereCluster(inputs.source.uid, host.parent.id);
    if (cluster?.variant === 'ComputeResource' && cluster.path) return cluster.path;
  }
  return host.path;
}

/** Go's url.URL escaping of a user name (encodeUserPassword) and a path (encodePath). */
function goEscape(text: string, allowed: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9\-_.~]/.test(c) || allowed.includes(c)
        ? c
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** getSourceDetails: the libvirt URL and fingerprint virt-v2v reads the VM's definition with. */
function libvirtSource(
  inputs: ConversionInputs,
  vm: ResolvedVm,
  credentials: { user: string; insecure: boolean; path: string },
): { libvirtUrl: string; fingerprint: string } {
  const ssl = credentials.insecure ? 'no_verify=1' : 'cacert=/opt/ca-bundle.crt';
  const user = goEscape(credentials.user, '$&+,;=');
  const sdkEsxi = inputs.source.settings?.sdkEndpoint === 'esxi';
  if (vm.esxi) {
    // formatHostAddress: an IPv6 address in brackets; the Host CR's address is what esxi.url carries
    const address = new URL(vm.esxi.url).host;
    return {
      libvirtUrl: `esx://${user}@${address}?${ssl}`,
      fingerprint: sdkEsxi ? inputs.source.fingerprint : vm.esxi.thumbprint,
    };
  }
  if (sdkEsxi) {
    const address = new URL(inputs.source.url).hostname;
    const host = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
    return { libvirtUrl: `esx://${user}@${host}?${ssl}`, fingerprint: inputs.source.fingerprint };
  }
  const host = new URL(inputs.source.url).host;
  const path = goEscape(credentials.path, "$&+,/:;=@!'()*");
  return { libvirtUrl: `vpx://${user}@${host}${path}?${ssl}`, fingerprint: inputs.source.fingerprint };
}

/** builder.go PodEnvironment: the V2V_ variables of one VM (env order aside: spec.settings is a map). */
function podEnvironment(
  vm: InventoryVmDetail & GuestDetail,
  options: {
    libvirtUrl: string;
    fingerprint: string;
    preserveStaticIPs: boolean;
    installLegacyDrivers: boolean | undefined;
    clevis: boolean;
    extraArgs: string;
    inspectorExtraArgs: string;
  },
): Record<string, string> {
  const env: Record<string, string> = {};
  const networks = vm.guestNetworks ?? [];
  const guestId = vm.guestId ?? '';
  const guestName = vm.guestName ?? '';
  const windows = guestId.includes('win') || guestName.includes('win');
  let staticIps = '';
  if (options.preserveStaticIPs) {
    staticIps = macStaticIps(vm, windows);
    env.V2V_preserveStaticIPs = 'true';
  }
  const legacy =
    options.installLegacyDrivers ??
    LEGACY_WINDOWS.some((id) => guestId.toLowerCase().includes(id) || guestName.toLowerCase().includes(id));
  if (legacy) {
    env.VIRTIO_WIN = '/usr/local/virtio-win-legacy.iso';
  } else if (windows) {
    const perMac = new Map<string, number>();
    for (const network of networks) {
      if (network.origin === 'manual' && isIpv4(network.ip ?? '')) {
        perMac.set(network.mac ?? '', (perMac.get(network.mac ?? '') ?? 0) + 1);
      }
    }
    if ([...perMac.values()].some((count) => count > 1)) env.V2V_multipleIPsPerNic = 'true';
  }
  if (vm.hostName) env.V2V_HOSTNAME = vm.hostName;
  if (options.clevis) env.V2V_NBDE_CLEVIS = 'true';
  env.V2V_vmName = vm.name;
  env.V2V_libvirtURL = options.libvirtUrl;
  env.V2V_source = 'vSphere';
  env.V2V_fingerprint = options.fingerprint;
  env.V2V_extra_args = options.extraArgs;
  env.V2V_inspector_extra_args = options.inspectorExtraArgs;
  if (staticIps) env.V2V_staticIPs = staticIps;
  return env;
}

function isIpv4(address: string): boolean {
  return /^(\d{1,3})(\.\d{1,3}){3}$/.test(address);
}

/** builder.go mapMacStaticIps: `<mac>:ip:<ip>,<gateway>,<prefix>,<dns,...>` joined by `_`. */
function macStaticIps(vm: GuestDetail, windows: boolean): string {
  const out: string[] = [];
  for (const network of vm.guestNetworks ?? []) {
    if (windows && network.origin !== 'manual') continue;
    const ip = network.ip ?? '';
    const v4 = isIpv4(ip);
    let gateway = '';
    for (const stack of vm.guestIpStacks ?? []) {
      const gatewayV4 = isIpv4(stack.gateway ?? '');
      if (gatewayV4 !== v4) continue;
      if (stack.device !== network.device) continue;
      if (stack.network !== '0.0.0.0') continue;
      gateway = stack.gateway ?? '';
    }
    const dns = (network.dns ?? []).join(',');
    out.push(`${network.mac ?? ''}:ip:${ip},${gateway},${network.prefix ?? 0},${dns}`.replace(/,$/, ''));
  }
  return out.join('_');
}
