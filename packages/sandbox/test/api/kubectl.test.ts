/**
 * The sandbox API server driven by the real kubectl (1.32 through the dispatcher), through a kubeconfig with a
 * bearer token and the sandbox's CA: discovery, tables, every verb kubectl uses, selectors and each error reason
 * as kubectl reports it. Every CDI and Forklift object served at the end validates against ../shared/crds.
 */

import { crdOracle, needs, SHARED_CRDS, sharedCrdFiles } from '@kubectl-mtv/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataVolume, kubectl as kubectlTool, type Sandbox, startSandbox } from './sandbox-fixture.js';

let sandbox: Sandbox;
const kubectl = (...args: string[]) => sandbox.kubectl(args);
const kubectlIn = (input: string, ...args: string[]) => sandbox.kubectl(args, input);

const PLAN = `apiVersion: forklift.konveyor.io/v1beta1
kind: Plan
metadata:
  name: plan-a
  namespace: demo
spec:
  targetNamespace: demo
  provider:
    source: {name: vsphere-a, namespace: demo}
    destination: {name: host, namespace: demo}
  map:
    network: {name: net, namespace: demo}
    storage: {name: st, namespace: demo}
  vms:
  - id: vm-1
`;

describe('kubectl against the sandbox', needs(kubectlTool), () => {
  beforeAll(async () => {
    sandbox = await startSandbox({ deny: ['delete:secrets', 'create:leases.coordination.k8s.io'] });
    const created = await kubectl('create', 'namespace', 'demo');
    expect(created.stderr).toBe('');
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  it('reports the server version and lists the resources with their short names', async () => {
    const version = await kubectl('version');
    expect(version.stdout).toContain('Server Version: v1.32.0');
    const resources = await kubectl('api-resources', '--no-headers');
    const lines = resources.stdout.split('\n').map((line) => line.trim().split(/\s+/).join(' '));
    expect(lines).toContain('datavolumes dv,dvs cdi.kubevirt.io/v1beta1 true DataVolume');
    for (const kind of ['Plan', 'Provider', 'StorageMap', 'NetworkMap', 'Migration', 'ForkliftController']) {
      expect(lines.some((line) => line.endsWith(`forklift.konveyor.io/v1beta1 true ${kind}`))).toBe(true);
    }
    expect(lines).toContain('persistentvolumeclaims pvc v1 true PersistentVolumeClaim');
    expect(lines).toContain('selfsubjectaccessreviews authorization.k8s.io/v1 false SelfSubjectAccessReview');
  });

  it('creates a DataVolume from a file and prints it with the CRD printer columns', async () => {
    const created = await kubectlIn(dataVolume('disk-gold'), 'create', '-f', '-');
    expect(created).toMatchObject({ code: 0, stdout: 'datavolume.cdi.kubevirt.io/disk-gold created\n' });
    const status = await kubectl(
      'patch',
      'dv',
      'disk-gold',
      '-n',
      'demo',
      '--subresource=status',
      '--type',
      'merge',
      '-p',
      '{"status":{"phase":"ImportInProgress","progress":"45.00%","restartCount":2}}',
    );
    expect(status.code).toBe(0);
    const table = await kubectl('get', 'dv', '-n', 'demo');
    const [header, row] = table.stdout.trim().split('\n');
    expect(header.split(/\s+/)).toEqual(['NAME', 'PHASE', 'PROGRESS', 'RESTARTS', 'AGE']);
    expect(row.split(/\s+/).slice(0, 4)).toEqual(['disk-gold', 'ImportInProgress', '45.00%', '2']);
  });

  it('applies a Plan, applies it again unchanged, then applies a change', async () => {
    expect((await kubectlIn(PLAN, 'apply', '-f', '-')).stdout).toBe('plan.forklift.konveyor.io/plan-a created\n');
    expect((await kubectlIn(PLAN, 'apply', '-f', '-')).stdout).toBe('plan.forklift.konveyor.io/plan-a unchanged\n');
    const changed = PLAN.replace('vm-1', 'vm-2');
    expect((await kubectlIn(changed, 'apply', '-f', '-')).stdout).toBe('plan.forklift.konveyor.io/plan-a configured\n');
    const got = await kubectl('get', 'plan', 'plan-a', '-n', 'demo', '-o', 'json');
    const plan = JSON.parse(got.stdout);
    expect(plan.spec.vms).toEqual([{ id: 'vm-2' }]);
    expect(plan.metadata.generation).toBe(2);
    expect(plan.spec.skipGuestConversion).toBe(false); // the CRD's default
    expect(plan.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('vm-2');
  });

  it('patches with merge and JSON patches, labels, annotates and replaces', async () => {
    const dv = ['dv', 'disk-gold', '-n', 'demo'];
    expect((await kubectl('patch', ...dv, '--type', 'merge', '-p', '{"metadata":{"labels":{"m":"1"}}}')).code).toBe(0);
    const json = await kubectl(
      'patch',
      ...dv,
      '--type',
      'json',
      '-p',
      '[{"op":"add","path":"/metadata/annotations","value":{"j":"2"}}]',
    );
    expect(json.code).toBe(0);
    expect((await kubectl('label', ...dv, 'extra=yes')).stdout).toBe('datavolume.cdi.kubevirt.io/disk-gold labeled\n');
    expect((await kubectl('annotate', ...dv, 'note=hi')).stdout).toBe(
      'datavolume.cdi.kubevirt.io/disk-gold annotated\n',
    );
    const got = JSON.parse((await kubectl('get', ...dv, '-o', 'json')).stdout);
    expect(got.metadata.labels).toMatchObject({ m: '1', extra: 'yes', app: 'demo' });
    expect(got.metadata.annotations).toEqual({ j: '2', note: 'hi' });

    got.metadata.labels.replaced = 'true';
    const file = sandbox.file('dv.json', JSON.stringify(got));
    expect((await kubectl('replace', '-f', file)).stdout).toBe('datavolume.cdi.kubevirt.io/disk-gold replaced\n');
    const stale = await kubectl('replace', '-f', file);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('Error from server (Conflict): error when replacing');
    expect(stale.stderr).toContain(
      'Operation cannot be fulfilled on datavolumes.cdi.kubevirt.io "disk-gold": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('selects by label with =, !=, in, notin, exists and !key', async () => {
    expect((await kubectlIn(dataVolume('disk-silver'), 'create', '-f', '-')).code).toBe(0);
    const names = async (selector: string) =>
      (await kubectl('get', 'dv', '-n', 'demo', '-l', selector, '-o', 'name')).stdout
        .trim()
        .split('\n')
        .filter(Boolean);
    expect(await names('tier=gold')).toEqual(['datavolume.cdi.kubevirt.io/disk-gold']);
    expect(await names('tier!=gold')).toEqual(['datavolume.cdi.kubevirt.io/disk-silver']);
    expect(await names('tier in (gold,silver)')).toHaveLength(2);
    expect(await names('tier notin (gold)')).toEqual(['datavolume.cdi.kubevirt.io/disk-silver']);
    expect(await names('extra')).toEqual(['datavolume.cdi.kubevirt.io/disk-gold']);
    expect(await names('!extra')).toEqual(['datavolume.cdi.kubevirt.io/disk-silver']);
    const field = await kubectl('get', 'dv', '-A', '--field-selector', 'metadata.name=disk-silver', '-o', 'name');
    expect(field.stdout.trim()).toBe('datavolume.cdi.kubevirt.io/disk-silver');
  });

  it('waits for a jsonpath condition set while it waits', async () => {
    const waiting = kubectl(
      'wait',
      'dv/disk-silver',
      '-n',
      'demo',
      '--for=jsonpath={.status.phase}=Succeeded',
      '--timeout=20s',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    sandbox.server.store.updateStatus('datavolumes.cdi.kubevirt.io', 'demo', 'disk-silver', {
      phase: 'Succeeded',
      progress: '100.0%',
    });
    const result = await waiting;
    expect(result).toMatchObject({ code: 0, stdout: 'datavolume.cdi.kubevirt.io/disk-silver condition met\n' });
  });

  it('creates built-in kinds imperatively (protobuf bodies) and prints their tables', async () => {
    expect(
      (await kubectl('create', 'configmap', 'cm1', '-n', 'demo', '--from-literal=a=1', '--from-literal=b=2')).code,
    ).toBe(0);
    expect(
      (await kubectl('create', 'secret', 'generic', 'my-vddk', '-n', 'demo', '--from-literal=accessKeyId=u')).code,
    ).toBe(0);
    const cm = await kubectl('get', 'configmap', 'cm1', '-n', 'demo');
    expect(cm.stdout.split('\n')[0].split(/\s+/)).toEqual(['NAME', 'DATA', 'AGE']);
    expect(cm.stdout.split('\n')[1].split(/\s+/).slice(0, 2)).toEqual(['cm1', '2']);
    const secret = await kubectl('get', 'secret', 'my-vddk', '-n', 'demo', '--no-headers');
    expect(secret.stdout.split(/\s+/).slice(0, 3)).toEqual(['my-vddk', 'Opaque', '1']);
    const ns = await kubectl('get', 'namespace', 'demo', '--no-headers');
    expect(ns.stdout.split(/\s+/).slice(0, 2)).toEqual(['demo', 'Active']);
    expect((await kubectl('auth', 'can-i', 'create', 'datavolumes')).stdout).toBe('yes\n');
    const denied = await kubectl('auth', 'can-i', 'delete', 'secrets');
    expect(denied).toMatchObject({ code: 1, stdout: 'no\n' });
  });

  it('reports each error reason as kubectl prints it', async () => {
    const notFound = await kubectl('get', 'dv', 'nothere', '-n', 'demo');
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toContain('Error from server (NotFound): datavolumes.cdi.kubevirt.io "nothere" not found');

    const exists = await kubectlIn(dataVolume('disk-silver'), 'create', '-f', '-');
    expect(exists.stderr).toContain(
      'Error from server (AlreadyExists): error when creating "STDIN": datavolumes.cdi.kubevirt.io "disk-silver" already exists',
    );

    const invalid = await kubectl(
      'patch',
      'plan',
      'plan-a',
      '-n',
      'demo',
      '--type',
      'merge',
      '-p',
      '{"spec":{"type":"fast"}}',
    );
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain(
      'The Plan "plan-a" is invalid: spec.type: Unsupported value: "fast": supported values: "cold", "warm", "live", "conversion"',
    );

    const unknown = await kubectlIn(
      dataVolume('disk-typo').replace('"storage":{', '"storag":{"x":1},"storage":{'),
      'create',
      '-f',
      '-',
    );
    expect(unknown.stderr).toContain(
      'Error from server (BadRequest): error when creating "STDIN": DataVolume in version "v1beta1" cannot be handled as a DataVolume: strict decoding error: unknown field "spec.storag"',
    );

    const forbidden = await kubectl('delete', 'secret', 'my-vddk', '-n', 'demo');
    expect(forbidden.stderr).toContain(
      'Error from server (Forbidden): secrets "my-vddk" is forbidden: User "sandbox-admin" cannot delete resource "secrets" in API group "" in the namespace "demo"',
    );

    const unauthorized = await sandbox.kubectl(['get', 'dv', '-n', 'demo', '--token=wrong']);
    expect(unauthorized.code).toBe(1);
    expect(unauthorized.stderr).toContain('error: You must be logged in to the server');
  });

  it('serves only objects that validate against the CRDs in ../shared/crds', needs(SHARED_CRDS), async () => {
    const oracle = crdOracle();
    let checked = 0;
    for (const path of ['/apis/cdi.kubevirt.io/v1beta1/datavolumes', '/apis/forklift.konveyor.io/v1beta1/plans']) {
      const list = await sandbox.request('GET', path);
      for (const item of list.json.items) {
        const validate = oracle.get(`${item.apiVersion}/${item.kind}`);
        expect(validate, `${item.apiVersion}/${item.kind}`).toBeDefined();
        expect(validate?.(item), JSON.stringify(validate?.errors)).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1);
    expect(sharedCrdFiles().length).toBeGreaterThan(0);
  });
});
