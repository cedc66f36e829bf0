/**
 * The cluster's MTV release, read from the Plan schema its API server publishes: the sandbox serves each release's
 * real Forklift CRDs (packages/sandbox/crds/forklift), so each detection is checked against that release's schema.
 */
import { DEFAULT_SANDBOX_SCENARIO, MTV_RELEASES as SERVED } from '@kubectl-mtv/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { detectMtvRelease, MTV_RELEASES, releaseOfPlanFields } from '../../src/cluster/mtv-release.js';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import { type ClusterFixture, startCluster } from './cluster-fixture.js';

describe('the MTV release of a cluster', () => {
  let cluster: ClusterFixture | undefined;

  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it('knows the releases the sandbox serves', () => {
    expect([...MTV_RELEASES]).toEqual([...SERVED]);
  });

  it.each(MTV_RELEASES.map((release) => [release]))(
    'reads %s from the Plan schema the API server serves',
    async (release) => {
      cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, { mtvRelease: release });
      expect(await detectMtvRelease(cluster.kube)).toEqual({ release, source: 'schema' });
      // --mtv-version wins, and reads nothing
      const other = release === '2.8' ? '2.12' : '2.8';
      expect(await detectMtvRelease(cluster.kube, other)).toEqual({ release: other, source: 'flag' });
    },
  );

  it('prunes what the release does not know from a Plan, as a real API server does', async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, { mtvRelease: '2.8' });
    const plan = await cluster.kube.get<{ spec: Record<string, unknown> }>(
      inNamespace(RESOURCES.plans, 'openshift-mtv'),
      'plan-a',
    );
    // the seed writes skipGuestConversion (a 2.9 field): the 2.8 schema drops it
    expect(plan?.spec).not.toHaveProperty('skipGuestConversion');
    expect(plan?.spec).toHaveProperty('targetNamespace');
  });

  it('takes the newest marker a schema has', () => {
    expect(releaseOfPlanFields(new Set(['vms']))).toBe('2.8');
    expect(releaseOfPlanFields(new Set(['skipGuestConversion', 'type']))).toBe('2.9');
    expect(releaseOfPlanFields(new Set(['skipGuestConversion', 'tagMapping', 'rdmAsLun']))).toBe('2.12');
  });
});
