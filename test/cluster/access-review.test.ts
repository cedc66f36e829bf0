import { DEFAULT_SANDBOX_SCENARIO } from '@kubectl-mtv/sandbox';
import { describe, expect, it } from 'vitest';
import { checkAccess, migrateAccessChecks, topAccessChecks } from '../../src/cluster/access-review.js';
import { ExitCode } from '../../src/errors.js';
import { startCluster, userError } from './cluster-fixture.js';

describe('checkAccess', () => {
  it('lists the checks migrate needs in the plan and target namespaces', () => {
    const described = (source: 'given' | 'provider') =>
      migrateAccessChecks('openshift-mtv', 'demo', source).map((c) => `${c.verb} ${c.resource} ${c.namespace}`);
    // the VDDK Secret made from the Provider's: create, get/update to bring it up to date, delete when unused
    expect(described('provider').filter((check) => !described('given').includes(check))).toEqual([
      'create secrets demo',
      'get secrets demo',
      'update secrets demo',
      'delete secrets demo',
    ]);
    expect(described('given')).toEqual([
      'create virtualmachines demo',
      'get virtualmachines demo',
      'list virtualmachines demo',
      'watch virtualmachines demo',
      'create datavolumes demo',
      'get datavolumes demo',
      'list datavolumes demo',
      'watch datavolumes demo',
      'patch datavolumes demo',
      'delete datavolumes demo',
      'list persistentvolumeclaims demo',
      'get persistentvolumeclaims demo',
      'patch persistentvolumeclaims demo',
      'get plans openshift-mtv',
      'list plans openshift-mtv',
      'list migrations openshift-mtv',
      'watch migrations openshift-mtv',
      'get leases openshift-mtv',
      'create leases openshift-mtv',
      'update leases openshift-mtv',
      'delete leases openshift-mtv',
      'list leases openshift-mtv',
      'watch leases openshift-mtv',
    ]);
  });

  it('lists the checks top needs: list/watch leases, and patch with --control; all namespaces as ""', () => {
    const described = (checks: ReturnType<typeof topAccessChecks>) =>
      checks.map((c) => `${c.verb} ${c.group}/${c.resource} ${JSON.stringify(c.namespace)}`);
    expect(described(topAccessChecks('openshift-mtv', false))).toEqual([
      'list coordination.k8s.io/leases "openshift-mtv"',
      'watch coordination.k8s.io/leases "openshift-mtv"',
    ]);
    expect(described(topAccessChecks(undefined, true))).toEqual([
      'list coordination.k8s.io/leases ""',
      'watch coordination.k8s.io/leases ""',
      'patch coordination.k8s.io/leases ""',
    ]);
  });

  it('passes when every review is allowed, creating nothing', async () => {
    const cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
    try {
      const before = await cluster.revision();
      await expect(
        checkAccess(cluster.kube, migrateAccessChecks('openshift-mtv', 'demo', 'provider')),
      ).resolves.toBeUndefined();
      expect(await cluster.revision()).toBe(before);
    } finally {
      await cluster.close();
    }
  });

  it('reports every denied permission in one line with exit 3', async () => {
    const cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, {
      deny: ['create:datavolumes', 'watch:migrations.forklift.konveyor.io', 'update:leases', 'create:secrets@demo'],
    });
    try {
      const error = await userError(
        checkAccess(cluster.kube, migrateAccessChecks('openshift-mtv', 'demo', 'provider')),
      );
      expect(error.exitCode).toBe(ExitCode.unreachable);
      expect(error.line).toBe(
        'context "mtv-sandbox" lacks permissions: create datavolumes.cdi.kubevirt.io in "demo", ' +
          'create secrets in "demo", watch migrations.forklift.konveyor.io in "openshift-mtv", ' +
          'update leases.coordination.k8s.io in "openshift-mtv" ' +
          '(try: ask a cluster admin for these verbs (kubectl auth can-i --list -n demo))',
      );
    } finally {
      await cluster.close();
    }
  });
});
