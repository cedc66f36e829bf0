/**
 * The VDDK Secret every DataVolume's `spec.source.vddk.secretRef` names, made as Forklift makes it: from the source
 * Provider's Secret, `accessKeyId` <- `user`, `secretKey` <- `password`, and the vCenter CA as `cacert` (kubev2v/forklift
 * pkg/controller/plan/adapter/vsphere/builder.go Builder.Secret, release-2.8 .. release-2.12; 2.12 reads the CA with
 * util.GetCACert: `ca.crt` first, else `cacert`). MTV never makes a `<provider>-vddk` Secret: Forklift builds one per VM
 * and plan run (kubevirt.go ensureSecret); kubectl-mtv builds one per plan, under its own name and labels (none of
 * FORKLIFT_SELECTOR_KEYS), so that no Forklift cleanup selects it.
 *
 * Its content is read from the Provider Secret and written to the target namespace only: never returned, printed or
 * logged. A user's own Secret (`--vddk-secret`) is checked for the keys CDI mounts (import-controller.go
 * createImporterPod: secretKeyRef without `optional`, so a missing key keeps the importer from starting).
 */
import { ExitCode, UserError } from '../errors.js';
import { DV_LABEL, MANAGED_BY } from './datavolume-builder.js';
import type { PlanClusters } from './destination.js';
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-errors.js';
import type { MtvRelease } from './mtv-release.js';
import type { VddkSecretSource } from './resolved-plan.js';
import { inNamespace, RESOURCES } from './resource-types.js';

/** The keys CDI's importer reads from a VDDK Secret; both required. */
export const VDDK_KEYS = ['accessKeyId', 'secretKey'] as const;
/** The keys a vSphere Provider Secret carries the credentials in (Forklift's provider validation requires both). */
export const PROVIDER_KEYS = ['user', 'password'] as const;

/** Marks our VDDK Secrets, besides the plan labels DataVolumes carry. */
export const VDDK_SECRET_LABEL = 'kubectl-mtv.konveyor.io/use';
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
  const suffix = `-vddk-${plan.uid.replace(/[^a-z0-9]/g, '').slice(0, 8) || 'plan'}`;
  return `${plan.name.slice(0, 253 - suffix.length).replace(/[-.]+$/, '')}${suffix}`;
}

/** The labels of a plan's VDDK Secret. */
export function vddkSecretLabels(plan: PlanIdentity): Record<string, string> {
  return {
    [DV_LABEL.planUid]: plan.uid,
    [DV_LABEL.planName]: plan.name.slice(0, 63),
    [DV_LABEL.planNamespace]: plan.namespace,
    [DV_LABEL.managedBy]: MANAGED_BY,
    [VDDK_SECRET_LABEL]: VDDK_SECRET_USE,
  };
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
  const { source } = secret;
  // read on the host cluster (the Provider's), written on the destination (the target namespace's)
  const client = clusters.destination;
  const providerSecret = await clusters.host.get<SecretObject>(
    inNamespace(RESOURCES.secrets, source.namespace),
    source.name,
  );
  if (!providerSecret) {
    throw new UserError(`Secret "${source.name}" in namespace "${source.namespace}" went away`, {
      hint: 'run again once the provider has its Secret',
    });
  }
  const ref = inNamespace(RESOURCES.secrets, plan.targetNamespace);
  const wanted: SecretObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secret.name, namespace: plan.targetNamespace, labels: vddkSecretLabels(plan) },
    type: 'Opaque',
    data: vddkSecretData(providerSecret, release),
  };
  try {
    await client.create(ref, wanted);
    return 'created';
  } catch (error) {
    if (!(error instanceof KubeApiError && error.status === 409)) throw error;
  }
  const current = await client.get<SecretObject>(ref, secret.name);
  const labels = current?.metadata.labels ?? {};
  if (!current || labels[DV_LABEL.planUid] !== plan.uid || labels[DV_LABEL.managedBy] !== MANAGED_BY) {
    throw new UserError(
      `Secret "${secret.name}" in namespace "${plan.targetNamespace}" exists and is not this plan's VDDK Secret; nothing created`,
      { hint: `rename or delete it, or pass --vddk-secret ${secret.name} to use it as it is` },
    );
  }
  if (sameData(current.data, wanted.data)) return 'unchanged';
  await client.replace(ref, secret.name, { ...wanted, metadata: { ...wanted.metadata, ...resourceVersion(current) } });
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
 * The plan's VDDK Secret (found by its name: no list, so no read of other Secrets) when it is ours and no DataVolume of
 * the target namespace still needs it: none that names it has not Succeeded (a finished import reads it no more).
 */
export async function unusedVddkSecret(
  client: KubeClient,
  plan: PlanIdentity,
  dataVolumes: readonly SecretUser[],
): Promise<SecretObject | undefined> {
  const name = vddkSecretName(plan);
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

/** Deletes the plan's VDDK Secret when no DataVolume needs it; whether it did. */
export async function deleteUnusedVddkSecret(
  client: KubeClient,
  plan: PlanIdentity,
  dataVolumes: readonly SecretUser[],
): Promise<boolean> {
  const secret = await unusedVddkSecret(client, plan, dataVolumes);
  return secret !== undefined && (await deleteVddkSecret(client, plan, secret));
}
