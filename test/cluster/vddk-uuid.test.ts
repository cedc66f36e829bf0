/**
 * Which uuid the vddk sources name a VM by: Forklift release-2.12 builder.go canUseInstanceUUID, read against the
 * sandbox's CDI resource (packages/sandbox/crds/cdi/cdis.cdi.kubevirt.io.yaml, CDI's own CRD).
 */
import { DEFAULT_SANDBOX_SCENARIO } from '@kubectl-mtv/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { cdiFindsInstanceUuid, chooseVddkUuid } from '../../src/cluster/vddk-uuid.js';
import { type ClusterFixture, startCluster } from './cluster-fixture.js';

describe('CDI versions whose importer finds a VM by instance uuid', () => {
  it.each([
    // OpenShift Virtualization: the backports Forklift names (4.20.16, 4.21.9, 4.22.1) and none before them
    ['v4.19.12', false],
    ['v4.20.15', false],
    ['v4.20.16', true],
    ['v4.21.0', false],
    ['v4.21.8', false],
    ['v4.21.9', true],
    ['v4.22.0', false],
    ['v4.22.1', true],
    ['v4.23.0', true],
    ['4.20.16', true],
    ['v4.20.16-rc.1', false],
    // upstream: CDI's FindVM searches instance uuids from v1.66.0 on
    ['v1.65.0', false],
    ['v1.66.0', true],
    ['v1.67.2', true],
    ['not-a-version', false],
    ['v4.20', false],
  ])('%s: %s', (version, expected) => {
    expect(cdiFindsInstanceUuid(version).ok).toBe(expected);
  });
});

describe('chooseVddkUuid against the sandbox', () => {
  let cluster: ClusterFixture | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it('2.12 on a CDI that finds instance uuids: the instance uuid, naming the version', async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, { cdiVersion: 'v4.21.9' });
    expect(await chooseVddkUuid(cluster.kube, '2.12')).toEqual({ kind: 'instance', cdiVersion: 'v4.21.9' });
    // no release before 2.12 asks CDI
    expect(await chooseVddkUuid(cluster.kube, '2.11')).toEqual({
      kind: 'bios',
      why: 'MTV 2.11 gives CDI the BIOS uuid',
    });
  });

  it('2.12 on an older CDI: the BIOS uuid, saying why', async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, { cdiVersion: 'v4.21.8' });
    expect(await chooseVddkUuid(cluster.kube, '2.12')).toEqual({
      kind: 'bios',
      why: 'CDI v4.21.8 finds VMs by BIOS uuid only (instance uuids from 4.20.16, 4.21.9 and 4.22.1)',
    });
  });

  it('2.12 where CDI cannot be read: the BIOS uuid, marked unknown (a warning follows)', async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, { deny: ['list:cdis.cdi.kubevirt.io'] });
    expect(await chooseVddkUuid(cluster.kube, '2.12')).toEqual({
      kind: 'bios',
      why: "CDI's version is unknown: listing cdis.cdi.kubevirt.io cluster-wide is forbidden",
      unknownCdi: true,
    });
    await cluster.close();
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
    cluster.sandbox.store.delete('cdis.cdi.kubevirt.io', undefined, 'cdi');
    expect(await chooseVddkUuid(cluster.kube, '2.12')).toEqual({
      kind: 'bios',
      why: 'no CDI installation found',
      unknownCdi: true,
    });
  });
});
