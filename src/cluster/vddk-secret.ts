/**
 * The VDDK Secret every DataVolume's `spec.source.vddk.secretRef` names, made as Forklift makes it: from the source
 * Provider's Secret, `accessKeyId` <- `user`, `secretKey` <- `password`, and the vCenter CA as `cacert` (kubev2v/forklift
 * pkg/controller/plan/adapter/vsphere/builder.go Builder.Secret, release-2.8 .. release-2.12; 2.12 reads the CA with
 * util.GetCACert: `ca.crt` first, else `cacert`). MTV never makes a `<provider>-vddk` Secret: Forklift builds one per VM
 * and plan run (kubevirt.go ensureSecret); kubectl-mtv builds one per plan, under its own name and labels (none of
 * FORKLIFT_SELECTOR_KEYS), so that no Forklift cleanup selects it. A VM whose ESXi host has a Ready Host CR is read
 * from that host with the Host's credentials (esxi-hosts.ts): Forklift's Secret for such a VM takes `user` and
 * `password` from the Host CR's Secret and the CA still from the Provider's; kubectl-mtv makes one such Secret per
 * ESXi host (`<plan>-vddk-<uid prefix>-<host id>`), with the same labels and lifecycle.
 *
 * Its content is read from the Provider Secret and written to the target namespace only: never returned, printed or
 * logged. A user's own Secret (`--vddk-secret`) is checked for the keys CDI mounts (import-controller.go
 * createImporterPod: secretKeyRef without `optional`, so a missing key keeps the importer from starting).
 */
import { createHash } from 'node:crypto';
import { ExitCode, UserError } from '../errors.js';
import { DV_LABEL, MANAGED_BY } from './datavolume-builder.js';
import type { PlanClusters } from './destination.js';
import type { EsxiHost } from './esxi-hosts.js';
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-errors.js';
import type { MtvRelease } from './mtv-release.js';
import { planObjectLabels, planObjectName, planUidPart, USE_LABEL } from './plan-record.js';
import type { EsxiVddkSecret, VddkSecretSource } from './resolved-plan.js';
import { inNamespace, RESOURCES } from './resource-types.js';

/** The keys CDI's importer reads from a VDDK Secret; both required. */
export const VDDK_KEYS = ['accessKeyId', 'secretKey'] as const;
/** The keys a vSphere Provider Secret carries the credentials in (Forklift's provider validation requires both). */
export const PROVIDER_KEYS = ['user', 'password'] as const;

/** Marks our VDDK Secrets, besides the plan labels DataVolumes carry. */
export const VDDK_SECRET_LABEL = USE_LABEL;
export const VDDK_SECRET_USE = 'vddk';

export interface SecretObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    resourceVersion?: string;
  };
  type?: string;
  /** base64 values. */
  data?: Record<string, string>;
}

export interface PlanIdentity {
  name: string;
  namespace: string;
  uid: string;
  targetNamespace: string;
}

/** Our Secret's name for a plan: `<plan>-vddk-<uid prefix>`, within a DNS-1123 subdomain's 253 characters. */
export function vddkSecretName(plan: { name: string; uid: string }): string {
  return planObjectName(plan, 'vddk');
}

/**
 * Our Secret's name for the ESXi host `hostId` a plan's VMs are read from: `<plan>-vddk-<uid prefix>-<host id>`.
 * Deterministic, so a re-run or another workstation brings the same Secret up to date and `clean` knows it from the
 * DataVolumes that name it; by the inventory host's id, which Forklift keys Host CRs by and vSphere writes as a DNS
 * label (`host-42`), where a host's name is an FQDN or an address. An id that is not such a label gets a hash of it.
 */
export function esxiVddkSecretName(plan: { name: string; uid: string }, hostId: string): string {
  const label = hostId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  const id =
    label === hostId && label !== ''
      ? label
      : `${label ? `${label}-` : ''}${createHash('sha256').update(hostId).digest('hex').slice(0, 8)}`;
  return planObjectName(plan, 'vddk', id);
}

/** Whether `name` is one of the names above for this plan (so that `clean` reads no other Secret). */
export function isVddkSecretName(plan: { name: string; uid: string }, name: string): boolean {
  if (name === vddkSecretName(plan)) return true;
  const marker = `-vddk-${planUidPart(plan)}-`;
  const at = name.indexOf(marker);
  return (
    at > 0 && plan.name.startsWith(name.slice(0, at)) && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name.slice(at + 1))
  );
}

/** The labels of a plan's VDDK Secret. */
export function vddkSecretLabels(plan: PlanIdentity): Record<string, string> {
  return planObjectLabels(plan, VDDK_SECRET_USE);
}

/** Which keys of `required` a Secret lacks (a key with an empty value counts as there, as the kubelet counts it). */
export function missingKeys(secret: SecretObject, required: readonly string[]): string[] {
  return required.filter((key) => secret.data?.[key] === undefined);
}

/**
 * The VDDK Secret's data from the Provider Secret's (base64 in, base64 out, never decoded): Builder.Secret of the
 * release. The CA: `cacert` up to 2.11; 2.12 `ca.crt`, else `cacert`.
 */
export function vddkSecretData(provider: SecretObject, release: MtvRelease): Record<string, string> {
  const data = provider.data ?? {};
  const cacert = release === '2.12' ? (data['ca.crt'] ?? data.cacert) : data.cacert;
  return {
    accessKeyId: data.user ?? '',
    secretKey: data.password ?? '',
    ...(cacert !== undefined && { cacert }),
  };
}

/**
 * An ESXi host's VDDK Secret data (Builder.Secret with a Ready Host for the VM's host): `accessKeyId` <- the Host
 * Secret's `user`, `secretKey` <- its `password`; the CA from the Provider Secret, as for vCenter (the `in` Forklift
 * takes it from is the Provider Secret: the Host Secret is a variable of the inner block only).
 */
export function esxiVddkSecretData(
  host: SecretObject,
  provider: SecretObject,
  release: MtvRelease,
): Record<string, string> {
  return {
    ...vddkSecretData(provider, release),
    accessKeyId: host.data?.user ?? '',
    secretKey: host.data?.password ?? '',
  };
}

/** `get secrets/NAME` in a namespace, asked before a Secret is read: a denial is exit 3, with the fix. */
async function mayRead(client: KubeClient, namespace: string, name: string): Promise<boolean> {
  return client.mayDo({ verb: 'get', group: '', resource: 'secrets', namespace, name });
}

/**
 * Checks, for the resolver, that the VDDK Secret can be had: the user's own has CDI's keys; or the Provider Secret is
 * readable and has `user` and `password`. Reads values only to look at key names; returns nothing of them.
 */
export async function checkVddkSecret(
  clusters: PlanClusters,
  plan: PlanIdentity,
  given: string | undefined,
  provider: { name: string; namespace: string; secret?: { name?: string; namespace?: string } },
): Promise<{ name: string; source: VddkSecretSource }> {
  const secrets = (namespace: string) => inNamespace(RESOURCES.secrets, namespace);
  if (given) {
    // the user's own Secret is in the target namespace, on the destination cluster
    const client = clusters.destination;
    if (!(await mayRead(client, plan.targetNamespace, given))) {
      throw new UserError(
        `context "${client.context}" may not get Secret "${given}" in namespace "${plan.targetNamespace}" (--vddk-secret), so its keys cannot be checked`,
        { exitCode: ExitCode.unreachable, hint: `ask for get on secrets/${given} in "${plan.targetNamespace}"` },
      );
    }
    const secret = await client.get<SecretObject>(secrets(plan.targetNamespace), given);
    if (!secret) {
      throw new UserError(
        `plan "${plan.name}": the VDDK Secret "${given}" (--vddk-secret) does not exist in namespace "${plan.targetNamespace}"`,
        { hint: 'create it with the keys accessKeyId and secretKey (and cacert), or leave --vddk-secret out' },
      );
    }
    const missing = missingKeys(secret, VDDK_KEYS);
    if (missing.length > 0) {
      throw new UserError(
        `plan "${plan.name}": the VDDK Secret "${given}" (--vddk-secret) in namespace "${plan.targetNamespace}" lacks the key${missing.length === 1 ? '' : 's'} ${missing.join(', ')}, so CDI's importer would never start`,
        { hint: `add ${missing.join(' and ')} to it (the vCenter user and password), or leave --vddk-secret out` },
      );
    }
    return { name: given, source: { kind: 'given' } };
  }
  const ref = provider.secret;
  if (!ref?.name) {
    throw new UserError(`plan "${plan.name}": provider "${provider.name}" names no Secret (spec.secret)`, {
      hint: `kubectl edit provider ${provider.name} -n ${provider.namespace}, or pass --vddk-secret NAME`,
    });
  }
  const namespace = ref.namespace || provider.namespace;
  const client = clusters.host;
  if (!(await mayRead(client, namespace, ref.name))) {
    throw new UserError(
      `context "${client.context}" may not get Secret "${ref.name}" in namespace "${namespace}" (provider "${provider.name}"), which the VDDK Secret is made from`,
      {
        exitCode: ExitCode.unreachable,
        hint: `ask for get on secrets/${ref.name} in "${namespace}", or pass --vddk-secret NAME (a Secret in "${plan.targetNamespace}" with the keys accessKeyId and secretKey)`,
      },
    );
  }
  const secret = await client.get<SecretObject>(secrets(namespace), ref.name);
  if (!secret) {
    throw new UserError(
      `plan "${plan.name}": provider "${provider.name}" names Secret "${ref.name}" in namespace "${namespace}", which does not exist`,
      { hint: `kubectl get secrets -n ${namespace}, or pass --vddk-secret NAME` },
    );
  }
  const missing = missingKeys(secret, PROVIDER_KEYS);
  if (missing.length > 0) {
    throw new UserError(
      `plan "${plan.name}": provider "${provider.name}"'s Secret "${ref.name}" lacks the key${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`,
      { hint: 'fix the provider in the MTV console (its vCenter credentials), or pass --vddk-secret NAME' },
    );
  }
  return { name: vddkSecretName(plan), source: { kind: 'provider', name: ref.name, namespace } };
}

/**
 * Checks, for the resolver, that the Host CR's Secret can be read and has `user` and `password` (Forklift's host
 * validation requires both), as checkVddkSecret checks the Provider's; returns the VDDK Secret to make from it.
 */
export async function checkEsxiSecret(
  client: KubeClient,
  plan: PlanIdentity,
  esxi: EsxiHost,
  provider: { name: string; namespace: string },
): Promise<EsxiVddkSecret> {
  const { name = '', namespace = '' } = esxi.secret;
  const hostCr = `${esxi.hostCr.namespace}/${esxi.hostCr.name}`;
  const where = `Host "${esxi.hostCr.name}" (ESXi host ${esxi.host.name})`;
  if (!name || !namespace) {
    throw new UserError(`plan "${plan.name}": ${where} names no Secret with a namespace (spec.secret)`, {
      hint: `kubectl edit host ${esxi.hostCr.name} -n ${esxi.hostCr.namespace}`,
    });
  }
  if (!(await mayRead(client, namespace, name))) {
    throw new UserError(
      `context "${client.context}" may not get Secret "${name}" in namespace "${namespace}" (${where}), which the VDDK Secret for that host is made from`,
      { exitCode: ExitCode.unreachable, hint: `ask for get on secrets/${name} in "${namespace}"` },
    );
  }
  const secret = await client.get<SecretObject>(inNamespace(RESOURCES.secrets, namespace), name);
  if (!secret) {
    throw new UserError(
      `plan "${plan.name}": ${where} names Secret "${name}" in namespace "${namespace}", which does not exist`,
      { hint: `kubectl get secrets -n ${namespace}; the Host's credentials are set in the MTV console` },
    );
  }
  const missing = missingKeys(secret, PROVIDER_KEYS);
  if (missing.length > 0) {
    throw new UserError(
      `plan "${plan.name}": ${where}'s Secret "${name}" lacks the key${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`,
      { hint: "fix the host's ESXi credentials in the MTV console" },
    );
  }
  return {
    name: esxiVddkSecretName(plan, esxi.host.id),
    from: { name, namespace },
    provider,
    hostName: esxi.host.name,
    hostCr,
  };
}

/** What ensureVddkSecret did. */
export type EnsureOutcome = 'created' | 'updated' | 'unchanged' | 'given';

/**
 * Creates (or brings up to date) the plan's VDDK Secret in the target namespace from the Provider Secret, just before
 * the first DataVolume; a Secret of that name that is not ours is refused (exit 2) and left alone.
 */
export async function ensureVddkSecret(
  clusters: PlanClusters,
  plan: PlanIdentity,
  release: MtvRelease,
  secret: { name: string; source: VddkSecretSource },
): Promise<EnsureOutcome> {
  if (secret.source.kind === 'given') return 'given';
  // read on the host cluster (the Provider's), written on the destination (the target namespace's)
  const providerSecret = await readSource(clusters.host, secret.source);
  return writeVddkSecret(clusters.destination, plan, secret.name, vddkSecretData(providerSecret, release));
}

/** Creates (or brings up to date) an ESXi host's VDDK Secret from its Host Secret and the Provider's CA. */
export async function ensureEsxiVddkSecret(
  clusters: PlanClusters,
  plan: PlanIdentity,
  release: MtvRelease,
  secret: EsxiVddkSecret,
): Promise<EnsureOutcome> {
  const host = await readSource(clusters.host, secret.from);
  const provider = await readSource(clusters.host, secret.provider);
  return writeVddkSecret(clusters.destination, plan, secret.name, esxiVddkSecretData(host, provider, release));
}

/** A Secret a VDDK Secret is made from, read just before; gone since the resolver checked it: exit 2. */
async function readSource(client: KubeClient, source: { name: string; namespace: string }): Promise<SecretObject> {
  const found = await client.get<SecretObject>(inNamespace(RESOURCES.secrets, source.namespace), source.name);
  if (!found) {
    throw new UserError(`Secret "${source.name}" in namespace "${source.namespace}" went away`, {
      hint: 'run again once the provider (or the Host) has its Secret',
    });
  }
  return found;
}

/** Creates our VDDK Secret `name` with `data`, or updates ours; a Secret of that name that is not ours is refused. */
async function writeVddkSecret(
  client: KubeClient,
  plan: PlanIdentity,
  name: string,
  data: Record<string, string>,
): Promise<EnsureOutcome> {
  const ref = inNamespace(RESOURCES.secrets, plan.targetNamespace);
  const wanted: SecretObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: plan.targetNamespace, labels: vddkSecretLabels(plan) },
    type: 'Opaque',
    data,
  };
  try {
    await client.create(ref, wanted);
    return 'created';
  } catch (error) {
    if (!(error instanceof KubeApiError && error.status === 409)) throw error;
  }
  const current = await client.get<SecretObject>(ref, name);
  const labels = current?.metadata.labels ?? {};
  if (!current || labels[DV_LABEL.planUid] !== plan.uid || labels[DV_LABEL.managedBy] !== MANAGED_BY) {
    throw new UserError(
      `Secret "${name}" in namespace "${plan.targetNamespace}" exists and is not this plan's VDDK Secret; nothing created`,
      { hint: `rename or delete it, or pass --vddk-secret ${name} to use it as it is` },
    );
  }
  if (sameData(current.data, wanted.data)) return 'unchanged';
  await client.replace(ref, name, { ...wanted, metadata: { ...wanted.metadata, ...resourceVersion(current) } });
  return 'updated';
}

function resourceVersion(secret: SecretObject): { resourceVersion?: string } {
  return secret.metadata.resourceVersion === undefined ? {} : { resourceVersion: secret.metadata.resourceVersion };
}

function sameData(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  return [...keys].every((key) => a?.[key] === b?.[key]);
}

/** A DataVolume as far as its VDDK Secret goes. */
export interface SecretUser {
  spec?: { source?: { vddk?: { secretRef?: string } } };
  status?: { phase?: string };
}

/**
 * The plan's VDDK Secret `name` (the Provider's by default; found by its name: no list, so no read of other Secrets)
 * when it is ours and no DataVolume of the target namespace still needs it: none that names it has not Succeeded (a
 * finished import reads it no more).
 */
export async function unusedVddkSecret(
  client: KubeClient,
  plan: PlanIdentity,
  dataVolumes: readonly SecretUser[],
  name: string = vddkSecretName(plan),
): Promise<SecretObject | undefined> {
  const needed = dataVolumes.some(
    (dv) => dv.spec?.source?.vddk?.secretRef === name && dv.status?.phase !== 'Succeeded',
  );
  if (needed) return undefined;
  const secret = await client.get<SecretObject>(inNamespace(RESOURCES.secrets, plan.targetNamespace), name);
  const labels = secret?.metadata.labels ?? {};
  const ours = labels[DV_LABEL.planUid] === plan.uid && labels[VDDK_SECRET_LABEL] === VDDK_SECRET_USE;
  return secret && ours ? secret : undefined;
}

/** Deletes a Secret unusedVddkSecret found, as it was then (resourceVersion precondition); false if it went. */
export async function deleteVddkSecret(client: KubeClient, plan: PlanIdentity, secret: SecretObject): Promise<boolean> {
  try {
    await client.delete(
      inNamespace(RESOURCES.secrets, plan.targetNamespace),
      secret.metadata.name ?? '',
      resourceVersion(secret),
    );
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return false;
    throw error;
  }
  return true;
}

/** Deletes the plan's VDDK Secret `name` (the Provider's by default) when no DataVolume needs it; whether it did. */
export async function deleteUnusedVddkSecret(
  client: KubeClient,
  plan: PlanIdentity,
  dataVolumes: readonly SecretUser[],
  name: string = vddkSecretName(plan),
): Promise<boolean> {
  const secret = await unusedVddkSecret(client, plan, dataVolumes, name);
  return secret !== undefined && (await deleteVddkSecret(client, plan, secret));
}
