/**
 * How to reach the plan's vCenter, read as Forklift's vSphere adapter reads it (kubev2v/forklift
 * pkg/controller/plan/adapter/vsphere/client.go connect, release-2.8 .. release-2.12): the source Provider's
 * spec.url, the Provider Secret's `user` and `password`, TLS verified unless the Secret says `insecureSkipVerify:
 * "true"` (pkg/controller/base/controller.go GetInsecureSkipVerifyFlag: strconv.ParseBool), the Provider's status.fingerprint as
 * the pinned thumbprint (soapClient.SetThumbprint), and the Secret's CA (`cacert`; 2.12 reads `ca.crt` first,
 * util.GetCACert) trusted besides the system roots. The Secret is read only after a SelfSubjectAccessReview allows
 * it (a denial is exit 3), and what is read stays in memory: the endpoint is handed to src/vsphere and never printed.
 */
import { ExitCode, UserError } from '../errors.js';
import type { VCenterEndpoint } from '../vsphere/types.js';
import type { KubeClient } from './kube-client.js';
import type { MtvRelease } from './mtv-release.js';
import { inNamespace, RESOURCES } from './resource-types.js';
import { missingKeys, PROVIDER_KEYS, type SecretObject } from './vddk-secret.js';

/** The source Provider as the resolver read it. */
export interface SourceProviderRef {
  name: string;
  namespace: string;
  url: string;
  fingerprint: string;
  secret?: { name?: string; namespace?: string };
}

const decode = (value: string | undefined): string | undefined =>
  value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');

/** The vCenter endpoint of `provider`, from its Secret on the host cluster; refusals are exit 2, a denial exit 3. */
export async function readVCenterEndpoint(
  client: KubeClient,
  provider: SourceProviderRef,
  release: MtvRelease,
): Promise<VCenterEndpoint> {
  if (!/^https?:\/\//.test(provider.url)) {
    throw new UserError(`provider "${provider.name}" has no vCenter URL (spec.url "${provider.url}")`, {
      hint: `kubectl get provider ${provider.name} -n ${provider.namespace} -o yaml`,
    });
  }
  const name = provider.secret?.name;
  const namespace = provider.secret?.namespace || provider.namespace;
  if (!name) {
    throw new UserError(
      `provider "${provider.name}" names no Secret (spec.secret), so vCenter cannot be logged in to`,
      {
        hint: `kubectl edit provider ${provider.name} -n ${provider.namespace}`,
      },
    );
  }
  if (!(await client.mayDo({ verb: 'get', group: '', resource: 'secrets', namespace, name }))) {
    throw new UserError(
      `context "${client.context}" may not get Secret "${name}" in namespace "${namespace}" (provider "${provider.name}"), which holds the vCenter credentials`,
      { exitCode: ExitCode.unreachable, hint: `ask for get on secrets/${name} in "${namespace}"` },
    );
  }
  const secret = await client.get<SecretObject>(inNamespace(RESOURCES.secrets, namespace), name);
  if (!secret) {
    throw new UserError(
      `provider "${provider.name}" names Secret "${name}" in namespace "${namespace}", which does not exist`,
      { hint: `kubectl get secrets -n ${namespace}` },
    );
  }
  const missing = missingKeys(secret, PROVIDER_KEYS);
  if (missing.length > 0) {
    throw new UserError(
      `provider "${provider.name}"'s Secret "${name}" lacks the key${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`,
      { hint: 'fix the provider in the MTV console (its vCenter credentials)' },
    );
  }
  const data = secret.data ?? {};
  const ca = decode(release === '2.12' ? (data['ca.crt'] ?? data.cacert) : data.cacert);
  // strconv.ParseBool's true values; anything else (a typo included) leaves TLS verified, as in Forklift
  const insecure = ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(decode(data.insecureSkipVerify) ?? '');
  return {
    url: provider.url,
    user: decode(data.user) ?? '',
    password: decode(data.password) ?? '',
    ...(ca?.includes('BEGIN CERTIFICATE') && { ca }),
    ...(provider.fingerprint && { thumbprint: provider.fingerprint }),
    ...(insecure && { insecureSkipVerify: true }),
  };
}
