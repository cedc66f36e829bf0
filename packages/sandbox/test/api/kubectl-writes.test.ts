/**
 * Writes through the real kubectl that a real cluster refuses or changes: CDI's webhook rules, server-side dry run,
 * and the garbage collection of a DataVolume's PVC.
 */

import { needs } from '@kubectl-mtv/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataVolume, kubectl as kubectlTool, type Sandbox, startSandbox } from './sandbox-fixture.js';

let sandbox: Sandbox;
const kubectl = (...args: string[]) => sandbox.kubectl(args);
const kubectlIn = (input: string, ...args: string[]) => sandbox.kubectl(args, input);

describe('kubectl writes that the cluster checks', needs(kubectlTool), () => {
  beforeAll(async () => {
    sandbox = await startSandbox();
    expect((await kubectl('create', 'namespace', 'demo')).code).toBe(0);
    expect((await kubectlIn(dataVolume('disk-gold'), 'create', '-f', '-')).code).toBe(0);
    expect((await kubectlIn(dataVolume('disk-silver'), 'create', '-f', '-')).code).toBe(0);
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  it('enforces CDI webhook rules: complete vddk source, http(s) url, immutable spec', async () => {
    const noThumbprint = await kubectlIn(dataVolume('disk-bad', { thumbprint: '' }), 'create', '-f', '-');
    expect(noThumbprint.code).toBe(1);
    expect(noThumbprint.stderr).toContain('spec.source.VDDK source VDDK is not valid');
    const badUrl = await kubectlIn(dataVolume('disk-bad', { url: 'ftp://host/sdk' }), 'create', '-f', '-');
    expect(badUrl.stderr).toContain('spec.source Invalid source URL scheme: ftp://host/sdk');
    const immutable = await kubectl(
      'patch',
      'dv',
      'disk-gold',
      '-n',
      'demo',
      '--type',
      'merge',
      '-p',
      '{"spec":{"source":{"vddk":{"uuid":"other"}}}}',
    );
    expect(immutable.code).toBe(1);
    expect(immutable.stderr).toContain('Cannot update DataVolume Spec');
  });

  it('validates on dry run without storing anything', async () => {
    const before = await sandbox.request('GET', '/api/v1/namespaces/demo/configmaps');
    const dry = await kubectlIn(
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dry","namespace":"demo"}}',
      'create',
      '-f',
      '-',
      '--dry-run=server',
    );
    expect(dry.stdout).toBe('configmap/dry created (server dry run)\n');
    const after = await sandbox.request('GET', '/api/v1/namespaces/demo/configmaps');
    expect(after.json.metadata.resourceVersion).toBe(before.json.metadata.resourceVersion);
    expect((await kubectl('get', 'configmap', 'dry', '-n', 'demo')).code).toBe(1);
  });

  it('deletes a DataVolume and, by owner reference, its PVC', async () => {
    const dv = JSON.parse((await kubectl('get', 'dv', 'disk-silver', '-n', 'demo', '-o', 'json')).stdout);
    const pvc = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: 'disk-silver',
        namespace: 'demo',
        ownerReferences: [
          {
            apiVersion: 'cdi.kubevirt.io/v1beta1',
            kind: 'DataVolume',
            name: 'disk-silver',
            uid: dv.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
    };
    expect((await kubectlIn(JSON.stringify(pvc), 'create', '-f', '-')).code).toBe(0);
    const pvcTable = await kubectl('get', 'pvc', 'disk-silver', '-n', 'demo');
    expect(pvcTable.stdout.split('\n')[0].split(/\s{2,}/)).toEqual([
      'NAME',
      'STATUS',
      'VOLUME',
      'CAPACITY',
      'ACCESS MODES',
      'STORAGECLASS',
      'VOLUMEATTRIBUTESCLASS',
      'AGE',
    ]);
    expect((await kubectl('delete', 'dv', 'disk-silver', '-n', 'demo')).stdout).toBe(
      'datavolume.cdi.kubevirt.io "disk-silver" deleted\n',
    );
    const gone = await kubectl('get', 'pvc', 'disk-silver', '-n', 'demo');
    expect(gone.stderr).toContain('persistentvolumeclaims "disk-silver" not found');
  });
});
