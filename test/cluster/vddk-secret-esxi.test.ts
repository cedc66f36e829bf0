/**
 * The VDDK Secret of an ESXi host plan VMs are read from (Forklift builder.go Builder.Secret with a Ready Host for the
 * VM's host): the Host Secret's user and password, the Provider Secret's CA; one per host, named
 * `<plan>-vddk-<uid prefix>-<host id>`, made, updated and deleted as the Provider's is.
 */
import { DEFAULT_SANDBOX_SCENARIO, hostSecretName, SEED_NAMES } from '@kubectl-mtv/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DV_LABEL, FORKLIFT_SELECTOR_KEYS } from '../../src/cluster/datavolume-builder.js';
import type { EsxiVddkSecret } from '../../src/cluster/resolved-plan.js';
import {
  deleteUnusedVddkSecret,
  ensureEsxiVddkSecret,
  esxiVddkSecretData,
  esxiVddkSecretName,
  isVddkSecretName,
  type SecretObject,
  unusedVddkSecret,
  VDDK_SECRET_LABEL,
  vddkSecretName,
} from '../../src/cluster/vddk-secret.js';
import { ExitCode } from '../../src/errors.js';
import { type ClusterFixture, startCluster, userError } from './cluster-fixture.js';

const NS = SEED_NAMES.forkliftNamespace;
const b64 = (text: string) => Buffer.from(text).toString('base64');
const PLAN = { name: 'plan-a', namespace: NS, uid: '0f1e2d3c-aaaa-bbbb-cccc-000000000001', targetNamespace: 'demo' };

describe("an ESXi host's VDDK Secret name", () => {
  it("is the plan's with the inventory host id, within a DNS-1123 subdomain", () => {
    expect(esxiVddkSecretName(PLAN, 'host-1')).toBe('plan-a-vddk-0f1e2d3c-host-1');
    expect(esxiVddkSecretName(PLAN, 'host-1')).toBe(esxiVddkSecretName({ ...PLAN }, 'host-1'));
    expect(esxiVddkSecretName(PLAN, 'host-2')).not.toBe(esxiVddkSecretName(PLAN, 'host-1'));
    const long = esxiVddkSecretName({ name: `${'p'.repeat(250)}.x`, uid: PLAN.uid }, 'host-1');
    expect(long.length).toBeLessThanOrEqual(253);
    expect(long).toMatch(/^p+-vddk-0f1e2d3c-host-1$/);
  });

  it('hashes an id that is not a DNS label, so that two such ids never share a name', () => {
    const odd = esxiVddkSecretName(PLAN, 'Host_7');
    expect(odd).toMatch(/^plan-a-vddk-0f1e2d3c-host-7-[0-9a-f]{8}$/);
    expect(esxiVddkSecretName(PLAN, 'host_7')).not.toBe(odd);
    expect(esxiVddkSecretName(PLAN, '')).toMatch(/^plan-a-vddk-0f1e2d3c-[0-9a-f]{8}$/);
  });

  it("is told apart from a Secret that is not one of the plan's (clean reads no other)", () => {
    expect(isVddkSecretName(PLAN, vddkSecretName(PLAN))).toBe(true);
    expect(isVddkSecretName(PLAN, esxiVddkSecretName(PLAN, 'host-1'))).toBe(true);
    const long = { name: `${'p'.repeat(250)}`, uid: PLAN.uid };
    expect(isVddkSecretName(long, esxiVddkSecretName(long, 'host-42'))).toBe(true);
    for (const other of [
      'my-vddk',
      'plan-b-vddk-0f1e2d3c-host-1',
      'plan-a-vddk-99999999-host-1',
      'plan-a-vddk-0f1e2d3c-',
    ]) {
      expect(isVddkSecretName(PLAN, other), other).toBe(false);
    }
  });
});

describe("an ESXi host's VDDK Secret data (the `in` of the host branch is the Host Secret; the CA's is the Provider's)", () => {
  const host = { metadata: {}, data: { user: b64('root'), password: b64('esxi'), cacert: b64('host-ca') } };
  const provider = {
    metadata: {},
    data: { user: b64('u'), password: b64('p'), cacert: b64('old'), 'ca.crt': b64('new') },
  };

  it('takes the user and password from the Host Secret and the CA from the Provider Secret, per release', () => {
    expect(esxiVddkSecretData(host, provider, '2.8')).toEqual({
      accessKeyId: b64('root'),
      secretKey: b64('esxi'),
      cacert: b64('old'),
    });
    expect(esxiVddkSecretData(host, provider, '2.11')).toMatchObject({ cacert: b64('old') });
    expect(esxiVddkSecretData(host, provider, '2.12')).toMatchObject({ cacert: b64('new') });
    // never the Host Secret's own CA: without one in the Provider Secret there is none
    expect(esxiVddkSecretData(host, { metadata: {}, data: { user: b64('u'), password: b64('p') } }, '2.12')).toEqual({
      accessKeyId: b64('root'),
      secretKey: b64('esxi'),
    });
  });
});

describe("an ESXi host's VDDK Secret against the sandbox", () => {
  let cluster: ClusterFixture;
  const SECRET: EsxiVddkSecret = {
    name: esxiVddkSecretName(PLAN, 'host-1'),
    from: { name: hostSecretName('host-1'), namespace: NS },
    provider: { name: SEED_NAMES.sourceProviderSecret, namespace: NS },
    hostName: 'esx-01',
    hostCr: `${NS}/vsphere-a-host-1`,
  };
  const stored = () => cluster.sandbox.store.get('secrets', 'demo', SECRET.name) as SecretObject | undefined;

  beforeAll(async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('is created in the target namespace from the Host Secret and the Provider CA, labelled as ours only', async () => {
    expect(await ensureEsxiVddkSecret({ host: cluster.kube, destination: cluster.kube }, PLAN, '2.12', SECRET)).toBe(
      'created',
    );
    const secret = stored();
    expect(secret?.data).toEqual({
      accessKeyId: b64('fake-esxi-root'),
      secretKey: b64('fake-esxi-password-host-1'),
      cacert: b64(cluster.sandbox.vcenter.caCert),
    });
    expect(secret?.metadata.labels).toMatchObject({
      [DV_LABEL.planUid]: PLAN.uid,
      [DV_LABEL.managedBy]: 'kubectl-mtv',
      [VDDK_SECRET_LABEL]: 'vddk',
    });
    for (const key of FORKLIFT_SELECTOR_KEYS) expect(Object.keys(secret?.metadata.labels ?? {})).not.toContain(key);
    expect(await ensureEsxiVddkSecret({ host: cluster.kube, destination: cluster.kube }, PLAN, '2.12', SECRET)).toBe(
      'unchanged',
    );
  });

  it("is brought up to date when the host's password changed", async () => {
    await cluster.kube.mergePatch({ version: 'v1', plural: 'secrets', namespace: NS }, SECRET.from.name, {
      data: { password: b64('rotated-esxi') },
    });
    expect(await ensureEsxiVddkSecret({ host: cluster.kube, destination: cluster.kube }, PLAN, '2.12', SECRET)).toBe(
      'updated',
    );
    expect(stored()?.data?.secretKey).toBe(b64('rotated-esxi'));
  });

  it("refuses a Secret of that name that is not this plan's, and leaves it alone", async () => {
    const other = { ...PLAN, uid: '99999999-0000-0000-0000-000000000000' };
    const name = esxiVddkSecretName(other, 'host-1');
    cluster.sandbox.store.create('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: 'demo' },
      data: { keep: b64('me') },
    });
    const error = await userError(
      ensureEsxiVddkSecret({ host: cluster.kube, destination: cluster.kube }, other, '2.12', { ...SECRET, name }),
    );
    expect(error.exitCode).toBe(ExitCode.usage);
    expect((cluster.sandbox.store.get('secrets', 'demo', name) as SecretObject | undefined)?.data).toEqual({
      keep: b64('me'),
    });
    expect(await deleteUnusedVddkSecret(cluster.kube, other, [], name)).toBe(false);
  });

  it('is deleted only when no DataVolume that names it is still importing', async () => {
    const user = (phase: string, secretRef = SECRET.name) => ({
      spec: { source: { vddk: { secretRef } } },
      status: { phase },
    });
    expect(await unusedVddkSecret(cluster.kube, PLAN, [user('ImportInProgress')], SECRET.name)).toBeUndefined();
    // a DataVolume still reading vCenter's Secret does not keep the host's
    expect(
      await unusedVddkSecret(cluster.kube, PLAN, [user('ImportInProgress', vddkSecretName(PLAN))], SECRET.name),
    ).toBeDefined();
    expect(await deleteUnusedVddkSecret(cluster.kube, PLAN, [user('Succeeded')], SECRET.name)).toBe(true);
    expect(stored()).toBeUndefined();
  });
});
