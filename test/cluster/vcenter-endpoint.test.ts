/**
 * How the vCenter endpoint is read from the source Provider (vcenter-endpoint.ts), as Forklift's vSphere client reads
 * it: credentials decoded, the CA by release (2.12 `ca.crt` first), insecureSkipVerify by strconv.ParseBool, the
 * fingerprint as the pinned thumbprint; the Secret read only once access review allows it (exit 3 otherwise).
 */
import { describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/cluster/kube-client.js';
import { readVCenterEndpoint, type SourceProviderRef } from '../../src/cluster/vcenter-endpoint.js';
import { ExitCode, UserError } from '../../src/errors.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const PEM = (name: string) => `-----BEGIN CERTIFICATE-----\n${b64(name)}\n-----END CERTIFICATE-----\n`;

/** A client that answers one Secret, and says whether `get` on it is allowed; records what was asked. */
function client(data: Record<string, string> | undefined, allowed = true) {
  const asked: string[] = [];
  const fake = {
    context: 'admin',
    mayDo: async (attributes: { verb: string; resource: string; namespace?: string; name?: string }) => {
      asked.push(`may ${attributes.verb} ${attributes.resource}/${attributes.name} in ${attributes.namespace}`);
      return allowed;
    },
    get: async (_ref: unknown, name: string) => {
      asked.push(`get ${name}`);
      return data === undefined ? undefined : { metadata: { name }, data };
    },
  };
  return { kube: fake as unknown as KubeClient, asked };
}

const PROVIDER: SourceProviderRef = {
  name: 'vcenter',
  namespace: 'openshift-mtv',
  url: 'https://vcenter.example.com/sdk',
  fingerprint: 'AB:CD:EF',
  secret: { name: 'vcenter-creds', namespace: 'openshift-mtv' },
};

describe('readVCenterEndpoint', () => {
  it('decodes the credentials and takes the fingerprint as the thumbprint', async () => {
    const { kube, asked } = client({
      user: b64('admin@vsphere.local'),
      password: b64('s3cret'),
      cacert: b64(PEM('a')),
    });
    expect(await readVCenterEndpoint(kube, PROVIDER, '2.11')).toEqual({
      url: 'https://vcenter.example.com/sdk',
      user: 'admin@vsphere.local',
      password: 's3cret',
      ca: PEM('a'),
      thumbprint: 'AB:CD:EF',
    });
    // asked before read
    expect(asked).toEqual(['may get secrets/vcenter-creds in openshift-mtv', 'get vcenter-creds']);
  });

  it('reads ca.crt first on 2.12 only, as util.GetCACert does', async () => {
    const data = { user: b64('u'), password: b64('p'), cacert: b64(PEM('old')), 'ca.crt': b64(PEM('new')) };
    expect((await readVCenterEndpoint(client(data).kube, PROVIDER, '2.12')).ca).toBe(PEM('new'));
    expect((await readVCenterEndpoint(client(data).kube, PROVIDER, '2.11')).ca).toBe(PEM('old'));
  });

  it('skips TLS verification only for strconv.ParseBool true values', async () => {
    const read = async (value: string) =>
      (
        await readVCenterEndpoint(
          client({ user: b64('u'), password: b64('p'), insecureSkipVerify: b64(value) }).kube,
          PROVIDER,
          '2.10',
        )
      ).insecureSkipVerify;
    expect(await read('true')).toBe(true);
    expect(await read('1')).toBe(true);
    expect(await read('True')).toBe(true);
    expect(await read('yes')).toBeUndefined();
    expect(await read('false')).toBeUndefined();
  });

  it('is exit 3 when access review denies the Secret, and reads nothing', async () => {
    const { kube, asked } = client({ user: b64('u'), password: b64('p') }, false);
    const error = await readVCenterEndpoint(kube, PROVIDER, '2.12').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(ExitCode.unreachable);
    expect((error as UserError).line).toBe(
      'context "admin" may not get Secret "vcenter-creds" in namespace "openshift-mtv" (provider "vcenter"), which holds the vCenter credentials (try: ask for get on secrets/vcenter-creds in "openshift-mtv")',
    );
    expect(asked.some((line) => line.startsWith('get'))).toBe(false);
  });

  it('refuses a Secret without the password, naming the key and never a value', async () => {
    const error = await readVCenterEndpoint(client({ user: b64('admin') }).kube, PROVIDER, '2.12').catch(
      (e: unknown) => e,
    );
    expect((error as UserError).line).toBe(
      `provider "vcenter"'s Secret "vcenter-creds" lacks the key password (try: fix the provider in the MTV console (its vCenter credentials))`,
    );
    expect((error as UserError).exitCode).toBe(ExitCode.usage);
  });

  it('refuses a Provider without a URL', async () => {
    await expect(
      readVCenterEndpoint(client({ user: b64('u'), password: b64('p') }).kube, { ...PROVIDER, url: '' }, '2.12'),
    ).rejects.toThrow('provider "vcenter" has no vCenter URL (spec.url "")');
  });
});
