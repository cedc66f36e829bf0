import { DEFAULT_SANDBOX_SCENARIO, SEED_NAMES } from '@kubectl-mtv/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DV_LABEL, FORKLIFT_SELECTOR_KEYS } from '../../src/cluster/datavolume-builder.js';
import type { KubeClient } from '../../src/cluster/kube-client.js';
import {
  deleteUnusedVddkSecret,
  ensureVddkSecret,
  type SecretObject,
  unusedVddkSecret,
  vddkSecretData,
  vddkSecretName,
} from '../../src/cluster/vddk-secret.js';
import { ExitCode } from '../../src/errors.js';
import { type ClusterFixture, startCluster, userError } from './cluster-fixture.js';

/** One cluster as host and destination alike (a plan whose destination is the host cluster). */
const local = (kube: KubeClient) => ({ host: kube, destination: kube });

const NS = SEED_NAMES.forkliftNamespace;
const b64 = (text: string) => Buffer.from(text).toString('base64');
const PLAN = { name: 'plan-a', namespace: NS, uid: '0f1e2d3c-aaaa-bbbb-cccc-000000000001', targetNamespace: 'demo' };
const FROM_PROVIDER = {
  name: vddkSecretName(PLAN),
  source: { kind: 'provider', name: SEED_NAMES.sourceProviderSecret, namespace: NS },
} as const;

describe('the VDDK Secret, made as Forklift makes it (builder.go Builder.Secret)', () => {
  let cluster: ClusterFixture;
  const stored = () => cluster.sandbox.store.get('secrets', 'demo', FROM_PROVIDER.name) as SecretObject | undefined;

  beforeAll(async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('maps user -> accessKeyId, password -> secretKey and the CA -> cacert; 2.12 prefers ca.crt', () => {
    const provider = {
      metadata: {},
      data: { user: b64('u'), password: b64('p'), cacert: b64('old'), 'ca.crt': b64('new') },
    };
    expect(vddkSecretData(provider, '2.8')).toEqual({ accessKeyId: b64('u'), secretKey: b64('p'), cacert: b64('old') });
    expect(vddkSecretData(provider, '2.11')).toMatchObject({ cacert: b64('old') });
    expect(vddkSecretData(provider, '2.12')).toMatchObject({ cacert: b64('new') });
    expect(vddkSecretData({ metadata: {}, data: { user: b64('u'), password: b64('p') } }, '2.12')).toEqual({
      accessKeyId: b64('u'),
      secretKey: b64('p'),
    });
  });

  it('is named for the plan within a DNS-1123 subdomain', () => {
    expect(vddkSecretName(PLAN)).toBe('plan-a-vddk-0f1e2d3c');
    const long = vddkSecretName({ name: `${'p'.repeat(250)}.x`, uid: PLAN.uid });
    expect(long.length).toBeLessThanOrEqual(253);
    expect(long).toMatch(/^p+-vddk-0f1e2d3c$/);
  });

  it('creates it in the target namespace from the Provider Secret, labelled as ours and by no Forklift selector key', async () => {
    expect(await ensureVddkSecret(local(cluster.kube), PLAN, '2.12', FROM_PROVIDER)).toBe('created');
    const secret = stored();
    expect(secret?.data).toEqual({
      accessKeyId: b64(cluster.sandbox.vcenter.user),
      secretKey: b64(cluster.sandbox.vcenter.password),
      cacert: b64(cluster.sandbox.vcenter.caCert),
    });
    expect(secret?.metadata.labels).toMatchObject({ [DV_LABEL.planUid]: PLAN.uid, [DV_LABEL.planName]: 'plan-a' });
    for (const key of FORKLIFT_SELECTOR_KEYS) expect(Object.keys(secret?.metadata.labels ?? {})).not.toContain(key);
    expect(await ensureVddkSecret(local(cluster.kube), PLAN, '2.12', FROM_PROVIDER)).toBe('unchanged');
  });

  it('brings it up to date when the Provider Secret changed (a new vCenter password)', async () => {
    await cluster.kube.mergePatch(
      { version: 'v1', plural: 'secrets', namespace: NS },
      SEED_NAMES.sourceProviderSecret,
      {
        data: { password: b64('rotated') },
      },
    );
    expect(await ensureVddkSecret(local(cluster.kube), PLAN, '2.12', FROM_PROVIDER)).toBe('updated');
    expect(stored()?.data?.secretKey).toBe(b64('rotated'));
  });

  it("refuses a Secret of that name that is not this plan's, and leaves it alone", async () => {
    const other = { ...PLAN, uid: '99999999-0000-0000-0000-000000000000' };
    const name = vddkSecretName(other);
    cluster.sandbox.store.create('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: 'demo', labels: { team: 'db' } },
      data: { keep: b64('me') },
    });
    const error = await userError(ensureVddkSecret(local(cluster.kube), other, '2.12', { ...FROM_PROVIDER, name }));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.line).toBe(
      `Secret "${name}" in namespace "demo" exists and is not this plan's VDDK Secret; nothing created (try: rename or delete it, or pass --vddk-secret ${name} to use it as it is)`,
    );
    expect((cluster.sandbox.store.get('secrets', 'demo', name) as SecretObject | undefined)?.data).toEqual({
      keep: b64('me'),
    });
    expect(await deleteUnusedVddkSecret(cluster.kube, other, [])).toBe(false);
    expect(cluster.sandbox.store.get('secrets', 'demo', name)).toBeDefined();
  });

  it('deletes it only when no DataVolume that names it is still importing', async () => {
    const user = (phase: string) => ({
      spec: { source: { vddk: { secretRef: FROM_PROVIDER.name } } },
      status: { phase },
    });
    expect(await unusedVddkSecret(cluster.kube, PLAN, [user('Succeeded'), user('ImportInProgress')])).toBeUndefined();
    expect(await deleteUnusedVddkSecret(cluster.kube, PLAN, [user('ImportScheduled')])).toBe(false);
    expect(stored()).toBeDefined();
    expect(await deleteUnusedVddkSecret(cluster.kube, PLAN, [user('Succeeded')])).toBe(true);
    expect(stored()).toBeUndefined();
    expect(await deleteUnusedVddkSecret(cluster.kube, PLAN, [])).toBe(false);
  });
});
