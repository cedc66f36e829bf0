/**
 * The whole sandbox in process, as `kubectl mtv sandbox` starts it from the default scenario: client-node and the
 * real kubectl through its kubeconfig over HTTPS, the inventory through the seeded Route, a DataVolume imported to
 * Succeeded over plain HTTP at 1000x, and the stats the sandbox keeps.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs, systemTool } from '@kubectl-mtv/test-support';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/sandbox.js';
import { DEFAULT_SANDBOX_SCENARIO } from '../src/seed/default-scenario.js';
import { SEED_NAMES } from '../src/seed/names.js';
import { getJson } from './inventory/get-json.js';

const FORKLIFT = { group: 'forklift.konveyor.io', version: 'v1beta1' };
const CDI = { group: 'cdi.kubevirt.io', version: 'v1beta1' };
const ROUTES = { group: 'route.openshift.io', version: 'v1' };
const kubectlTool = systemTool('kubectl');

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sandbox-whole-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function custom(sandbox: Sandbox): CustomObjectsApi {
  const kc = new KubeConfig();
  kc.loadFromString(sandbox.kubeconfigText);
  return kc.makeApiClient(CustomObjectsApi);
}

/** The real kubectl with the sandbox's kubeconfig, in a HOME of its own. */
function kubectl(sandbox: Sandbox, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const kubeconfig = join(dir, `kubeconfig-${new URL(sandbox.apiUrl).port}`);
  writeFileSync(kubeconfig, sandbox.kubeconfigText);
  return new Promise((resolve) => {
    execFile(
      kubectlTool.path(),
      ['--kubeconfig', kubeconfig, ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: dir, KUBECACHEDIR: join(dir, 'cache') }, timeout: 20_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) || 1 : 0, stdout, stderr }),
    );
  });
}

/** The Route's spec.host as a URL of the inventory, in the scheme its spec.tls implies. */
async function inventoryThroughRoute(sandbox: Sandbox): Promise<string> {
  const route = (await custom(sandbox).getNamespacedCustomObject({
    ...ROUTES,
    namespace: SEED_NAMES.forkliftNamespace,
    plural: 'routes',
    name: SEED_NAMES.inventoryService,
  })) as { spec: { host: string; tls?: unknown } };
  return `${route.spec.tls ? 'https' : 'http'}://${route.spec.host}`;
}

describe('the sandbox over HTTPS', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: DEFAULT_SANDBOX_SCENARIO });
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('serves the seeded Plan and Providers to client-node through its kubeconfig', async () => {
    expect(sandbox.apiUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.kubeconfigText).toContain('certificate-authority-data');
    const api = custom(sandbox);
    const plans = (await api.listNamespacedCustomObject({
      ...FORKLIFT,
      namespace: SEED_NAMES.forkliftNamespace,
      plural: 'plans',
    })) as { items: { metadata: { name: string }; spec: { vms: unknown[]; targetNamespace: string } }[] };
    // plan-a, and plan-remote: the same VMs to the remote destination cluster
    expect(plans.items.map((plan) => plan.metadata.name)).toEqual([SEED_NAMES.plan, SEED_NAMES.remotePlan]);
    expect(plans.items[0].spec.vms).toHaveLength(DEFAULT_SANDBOX_SCENARIO.vms.length);
    expect(plans.items[0].spec.targetNamespace).toBe(SEED_NAMES.targetNamespace);
    const provider = (await api.getNamespacedCustomObject({
      ...FORKLIFT,
      namespace: SEED_NAMES.forkliftNamespace,
      plural: 'providers',
      name: SEED_NAMES.sourceProvider,
    })) as { metadata: { uid: string }; spec: { type: string } };
    expect(provider.spec.type).toBe('vsphere');
    expect(provider.metadata.uid).toBe(sandbox.providerUid);
  });

  it('answers the real kubectl over HTTPS, in the context namespace openshift-mtv', needs(kubectlTool), async () => {
    const plans = await kubectl(sandbox, 'get', 'plans', '-n', 'openshift-mtv');
    expect(plans.stderr).toBe('');
    expect(plans.stdout).toMatch(/^plan-a\s+True\s/m);
    const inContext = await kubectl(sandbox, 'get', 'providers', '-o', 'name');
    expect(inContext.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'provider.forklift.konveyor.io/host',
      'provider.forklift.konveyor.io/remote',
      'provider.forklift.konveyor.io/vsphere-a',
    ]);
    const dataVolumes = await kubectl(sandbox, 'get', 'dv', '-n', 'demo');
    expect(dataVolumes).toMatchObject({ code: 0, stdout: '', stderr: 'No resources found in demo namespace.\n' });
  });

  it("points the inventory Route at the inventory, which wants the sandbox's token", async () => {
    const inventory = await inventoryThroughRoute(sandbox);
    expect(inventory).toBe(sandbox.inventoryUrl);
    const ca = sandbox.ingressCaCert;
    const providers = await getJson(`${inventory}/providers/vsphere`, { token: sandbox.token, ca });
    expect(providers.status).toBe(200);
    expect(providers.body).toEqual([expect.objectContaining({ uid: sandbox.providerUid, name: 'vsphere-a' })]);
    const vms = await getJson(`${inventory}/providers/vsphere/${sandbox.providerUid}/vms`, {
      token: sandbox.token,
      ca,
    });
    expect((vms.body as unknown[]).length).toBe(DEFAULT_SANDBOX_SCENARIO.vms.length);
    const anonymous = await getJson(`${inventory}/providers/vsphere`, { ca });
    expect(anonymous.status).toBe(401);
  });

  it("serves the Route with the ingress CA's certificate, published as OpenShift does, not the API server's CA", async () => {
    expect(sandbox.ingressCaCert).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(sandbox.ingressCaCert).not.toBe(sandbox.caCert);
    expect(new X509Certificate(sandbox.ingressCaCert as string).subject).toMatch(/CN=cluster-ingress-operator@\d+/);
    const map = await getJson(
      `${sandbox.apiUrl}/api/v1/namespaces/openshift-config-managed/configmaps/default-ingress-cert`,
      {
        token: sandbox.token,
        ca: sandbox.caCert,
      },
    );
    expect(map.status).toBe(200);
    expect((map.body as { data: Record<string, string> }).data).toEqual({ 'ca-bundle.crt': sandbox.ingressCaCert });
    // a client that trusts only the kubeconfig's CA is refused by the inventory
    await expect(
      getJson(`${sandbox.inventoryUrl}/providers/vsphere`, { token: sandbox.token, ca: sandbox.caCert }),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN/),
    });
  });

  it("reaches the inventory through the seeded Service's proxy path, which drops the token as kube-apiserver does", async () => {
    const proxy = `${sandbox.apiUrl}/api/v1/namespaces/${SEED_NAMES.forkliftNamespace}/services/https:${SEED_NAMES.inventoryService}:8443/proxy/providers/vsphere`;
    const answer = await getJson(proxy, { token: sandbox.token, ca: sandbox.caCert });
    // The inventory answered (not the proxy's 503): it saw no token.
    expect(answer.status).toBe(401);
  });

  it('serves /sandbox/v1/stats behind the same token, counting requests by verb and resource', async () => {
    const before = await getJson(`${sandbox.apiUrl}/sandbox/v1/stats`, { token: sandbox.token, ca: sandbox.caCert });
    expect(before.status).toBe(200);
    await getJson(`${sandbox.apiUrl}/apis/forklift.konveyor.io/v1beta1/namespaces/openshift-mtv/plans/plan-a`, {
      token: sandbox.token,
      ca: sandbox.caCert,
    });
    await getJson(`${sandbox.apiUrl}/version`, { token: sandbox.token, ca: sandbox.caCert });
    const after = await getJson(`${sandbox.apiUrl}/sandbox/v1/stats`, { token: sandbox.token, ca: sandbox.caCert });
    // biome-ignore lint/suspicious/noExplicitAny: the stats document as sent
    const [a, b] = [before.body as any, after.body as any];
    expect(Object.keys(b.requests).sort()).toEqual(['byResource', 'byVerb', 'nonResource', 'total']);
    expect(Object.keys(b.imports).sort()).toEqual(
      ['current', 'firstStartSeconds', 'lastEndSeconds', 'peak', 'peakByHost', 'started', 'succeeded'].sort(),
    );
    // the stats requests themselves are not counted
    expect(b.requests.total - a.requests.total).toBe(2);
    expect(b.requests.byVerb.get - (a.requests.byVerb.get ?? 0)).toBe(1);
    expect(
      b.requests.byResource['plans.forklift.konveyor.io'] - (a.requests.byResource['plans.forklift.konveyor.io'] ?? 0),
    ).toBe(1);
    expect(b.requests.nonResource - a.requests.nonResource).toBe(1);
    const anonymous = await getJson(`${sandbox.apiUrl}/sandbox/v1/stats`, { ca: sandbox.caCert });
    expect(anonymous.status).toBe(401);
  });
});

describe('the sandbox over plain HTTP at 1000x', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: DEFAULT_SANDBOX_SCENARIO, insecureHttp: true, speed: 1000 });
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('imports a DataVolume created through client-node to Succeeded, and the stats count it', async () => {
    expect(sandbox.apiUrl).toMatch(/^http:\/\//);
    expect(sandbox.caCert).toBeUndefined();
    expect(sandbox.ingressCaCert).toBeUndefined();
    expect(sandbox.kubeconfigText).toContain('insecure-skip-tls-verify: true');
    // the disk to import, as kubectl-mtv will find it: through the Route, from the inventory
    const inventory = await inventoryThroughRoute(sandbox);
    expect(inventory).toMatch(/^http:\/\//);
    const base = `${inventory}/providers/vsphere/${sandbox.providerUid}/vms`;
    const listed = (await getJson(`${base}?detail=1`, { token: sandbox.token })).body as { id: string; name: string }[];
    const id = listed.find((vm) => vm.name === 'web-01')?.id;
    const vm = (await getJson(`${base}/${id}`, { token: sandbox.token })).body as {
      uuid: string;
      disks: { file: string; capacity: number }[];
    };
    const api = custom(sandbox);
    // the VDDK Secret migrate would make from the provider's (the sandbox seeds none, as MTV makes none)
    sandbox.store.create('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'plan-a-vddk', namespace: 'demo' },
      data: { accessKeyId: 'dXNlcg==', secretKey: 'cGFzcw==' },
    });
    await api.createNamespacedCustomObject({
      ...CDI,
      namespace: 'demo',
      plural: 'datavolumes',
      body: {
        apiVersion: 'cdi.kubevirt.io/v1beta1',
        kind: 'DataVolume',
        metadata: { name: 'web-01-disk-0', namespace: 'demo' },
        spec: {
          storage: { resources: { requests: { storage: String(vm.disks[0].capacity) } }, storageClassName: 'standard' },
          source: {
            vddk: {
              url: sandbox.vcenter.url,
              uuid: vm.uuid,
              backingFile: vm.disks[0].file,
              thumbprint: sandbox.vcenter.thumbprint,
              secretRef: 'plan-a-vddk',
              initImageURL: SEED_NAMES.vddkInitImage,
            },
          },
        },
      },
    });
    // 40Gi at 100Mi/s is 409.6 simulated seconds: about 0.4 s at 1000x
    const phases = new Set<string>();
    const deadline = Date.now() + 10_000;
    let phase = '';
    while (phase !== 'Succeeded' && Date.now() < deadline) {
      const dv = (await api.getNamespacedCustomObject({
        ...CDI,
        namespace: 'demo',
        plural: 'datavolumes',
        name: 'web-01-disk-0',
      })) as { status?: { phase?: string } };
      phase = dv.status?.phase ?? '';
      phases.add(phase);
      if (phase !== 'Succeeded') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(phase).toBe('Succeeded');
    expect(phases.has('ImportInProgress')).toBe(true);

    const stats = (await getJson(`${sandbox.apiUrl}/sandbox/v1/stats`, { token: sandbox.token })).body as {
      requests: { total: number; byVerb: Record<string, number>; byResource: Record<string, number> };
      imports: Record<string, unknown>;
      simulatedSeconds: number;
    };
    expect(stats.requests.byVerb.create).toBe(1);
    expect(stats.requests.byResource['datavolumes.cdi.kubevirt.io']).toBeGreaterThanOrEqual(2);
    expect(stats.requests.total).toBeGreaterThan(stats.requests.byVerb.create);
    expect(stats.imports).toMatchObject({ started: 1, succeeded: 1, current: 0, peak: 1, peakByHost: { 'esx-01': 1 } });
    const { firstStartSeconds, lastEndSeconds } = stats.imports as Record<string, number>;
    expect(lastEndSeconds - firstStartSeconds).toBeCloseTo((40 * 1024) / 100, 3);
    expect(stats.simulatedSeconds).toBeGreaterThanOrEqual(lastEndSeconds);
  });

  it('shows the real kubectl that DataVolume as Succeeded at 100.0%', needs(kubectlTool), async () => {
    const listed = await kubectl(sandbox, 'get', 'dv', '-n', 'demo', '--no-headers');
    expect(listed.stdout).toMatch(/^web-01-disk-0\s+Succeeded\s+100\.0%\s+0\s/);
  });
});
