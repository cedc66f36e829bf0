/**
 * docs/rbac.yaml is the least-privilege Role docs/permissions.md points to. It must grant exactly what the commands use: the
 * SelfSubjectAccessReviews of src/cluster/access-review.ts (which migrate and top send before they start) plus the
 * reads and deletes those reviews do not cover, listed below with the code that makes them. A check added to
 * access-review.ts, or a rule added to the YAML, fails here until the other follows.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  type AccessCheck,
  conversionAccessChecks,
  migrateAccessChecks,
  sourcePowerAccessChecks,
  throughputAccessChecks,
  topAccessChecks,
  transferNetworkAccessChecks,
  vmNetworkAccessChecks,
} from '../../src/cluster/access-review.js';

const PLAN_NS = 'openshift-mtv';
const TARGET_NS = 'demo';
const CDI_NS = 'openshift-cnv';
const INGRESS_NS = 'openshift-config-managed';
/** Where a ClusterRole grants: cluster-scoped resources. */
const CLUSTER = '(cluster)';

/** What the code does beyond the access reviews: [namespace, group, resource, verbs, resourceNames, where]. */
const BEYOND_REVIEWS: [string, string, string, string[], string[] | undefined, string][] = [
  [PLAN_NS, 'forklift.konveyor.io', 'providers', ['get'], undefined, 'plan-resolver.ts provider(); the inventory'],
  [PLAN_NS, 'forklift.konveyor.io', 'storagemaps', ['get'], undefined, 'plan-resolver.ts'],
  [
    PLAN_NS,
    'forklift.konveyor.io',
    'forkliftcontrollers',
    ['list'],
    undefined,
    'plan-resolver.ts forkliftController (max in flight, vddk_image); conversion.ts conversionSupport',
  ],
  [PLAN_NS, 'route.openshift.io', 'routes', ['list'], undefined, 'inventory-client.ts routeUrl'],
  [TARGET_NS, 'cdi.kubevirt.io', 'datavolumes', ['delete'], undefined, 'services/clean.ts --yes'],
  [PLAN_NS, 'forklift.konveyor.io', 'hosts', ['list'], undefined, 'esxi-hosts.ts listReadyHostCrs'],
  [
    PLAN_NS,
    '',
    'secrets',
    ['get'],
    ['vsphere-a-secret', 'vsphere-a-host-1-secret'],
    'vddk-secret.ts checkVddkSecret, checkEsxiSecret, ensureVddkSecret, ensureEsxiVddkSecret; vcenter-endpoint.ts (--power-off-source)',
  ],
  [CDI_NS, '', 'configmaps', ['get'], ['v2v-vmware'], 'plan-resolver.ts vddkInitImage'],
  [INGRESS_NS, '', 'configmaps', ['get'], ['default-ingress-cert'], 'inventory-client.ts ingressCa (optional)'],
  [CLUSTER, 'cdi.kubevirt.io', 'cdis', ['list'], undefined, 'vddk-uuid.ts chooseVddkUuid (optional, MTV 2.12)'],
  [
    CLUSTER,
    'kubevirt.io',
    'virtualmachines',
    ['list'],
    undefined,
    'vm-target.ts listVirtualMachines (optional: MACs checked in every namespace)',
  ],
  [PLAN_NS, 'forklift.konveyor.io', 'networkmaps', ['get'], undefined, 'network-map.ts readNetworkMap'],
];

/** clean's calls (services/clean.ts): get the plan, list its DataVolumes, get the Lease, get and delete its VDDK Secret. */
const CLEAN: AccessCheck[] = [
  { verb: 'get', group: 'forklift.konveyor.io', resource: 'plans', namespace: PLAN_NS },
  { verb: 'list', group: 'cdi.kubevirt.io', resource: 'datavolumes', namespace: TARGET_NS },
  { verb: 'get', group: 'coordination.k8s.io', resource: 'leases', namespace: PLAN_NS },
  { verb: 'get', group: '', resource: 'secrets', namespace: TARGET_NS },
  { verb: 'delete', group: '', resource: 'secrets', namespace: TARGET_NS },
  // clean --yes: the power-state record migrate --power-off-source made
  { verb: 'get', group: '', resource: 'configmaps', namespace: PLAN_NS },
  { verb: 'delete', group: '', resource: 'configmaps', namespace: PLAN_NS },
  // clean --vms --yes: the VMs migrate made
  { verb: 'delete', group: 'kubevirt.io', resource: 'virtualmachines', namespace: TARGET_NS },
];

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

interface RbacObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  roleRef?: { apiGroup: string; kind: string; name: string };
  subjects?: { kind: string; name: string }[];
}

const objects = parseAllDocuments(readFileSync(new URL('../../docs/rbac.yaml', import.meta.url), 'utf8'))
  .map((document) => document.toJS() as RbacObject | null)
  .filter((object): object is RbacObject => object !== null);
const roles = objects.filter((object) => object.kind === 'Role' || object.kind === 'ClusterRole');

/** Every (namespace, group, resource, verb, resourceNames) the Roles grant, one string each. */
function granted(): string[] {
  return roles.flatMap((role) =>
    (role.rules ?? []).flatMap((rule) =>
      rule.apiGroups.flatMap((group) =>
        rule.resources.flatMap((resource) =>
          rule.verbs.map((verb) => key(role.metadata.namespace ?? CLUSTER, group, resource, verb, rule.resourceNames)),
        ),
      ),
    ),
  );
}

function key(namespace: string, group: string, resource: string, verb: string, names?: string[]): string {
  return `${verb} ${resource}.${group || 'core'} in ${namespace}${names ? ` named ${[...names].sort().join(',')}` : ''}`;
}

const fromCheck = (check: AccessCheck) =>
  key(check.namespace, check.group, check.resource, check.verb, check.name === undefined ? undefined : [check.name]);

describe('docs/rbac.yaml', () => {
  it('holds namespaced Roles and RoleBindings of rbac.authorization.k8s.io/v1, and optional ClusterRoles for lists', () => {
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) {
      expect(object.apiVersion).toBe('rbac.authorization.k8s.io/v1');
      expect(object.metadata.name).toMatch(/^[a-z0-9-]+$/);
      if (object.kind.startsWith('Cluster')) {
        expect(['ClusterRole', 'ClusterRoleBinding']).toContain(object.kind);
        expect(object.metadata.namespace).toBeUndefined();
      } else {
        expect(['Role', 'RoleBinding']).toContain(object.kind);
        expect(object.metadata.namespace).toMatch(/^[a-z0-9-]+$/);
      }
    }
    const clusterRoles = objects.filter((object) => object.kind === 'ClusterRole');
    expect(clusterRoles.flatMap((role) => role.rules ?? [])).toEqual([
      { apiGroups: ['cdi.kubevirt.io'], resources: ['cdis'], verbs: ['list'] },
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachines'], verbs: ['list'] },
    ]);
  });

  it('binds every Role, in its own namespace, and binds nothing else', () => {
    const bindings = objects.filter((object) => object.kind === 'RoleBinding' || object.kind === 'ClusterRoleBinding');
    const bound = bindings.map((binding) => {
      const kind = binding.kind === 'ClusterRoleBinding' ? 'ClusterRole' : 'Role';
      expect(binding.roleRef).toMatchObject({ apiGroup: 'rbac.authorization.k8s.io', kind });
      expect(binding.subjects?.length).toBeGreaterThan(0);
      return `${binding.metadata.namespace ?? CLUSTER}/${binding.roleRef?.name}`;
    });
    expect(bound.sort()).toEqual(
      roles.map((role) => `${role.metadata.namespace ?? CLUSTER}/${role.metadata.name}`).sort(),
    );
  });

  it("grants exactly the access reviews of migrate and top --control, clean's calls and the reads listed here", () => {
    const needed = new Set([
      ...migrateAccessChecks(PLAN_NS, TARGET_NS, 'provider').map(fromCheck),
      // only for a plan with spec.transferNetwork (transfer-network.ts asks before it reads the NAD)
      ...transferNetworkAccessChecks({ namespace: TARGET_NS, name: 'transfer-net' }).map(fromCheck),
      // only for a plan converted through Conversion CRs (MTV 2.12+, conversion.ts)
      ...conversionAccessChecks(PLAN_NS).map(fromCheck),
      // only with migrate --power-off-source (source-power-record.ts)
      ...sourcePowerAccessChecks(PLAN_NS).map(fromCheck),
      // only with migrate --adaptive, in the source Provider's namespace (throughput-record.ts)
      ...throughputAccessChecks(PLAN_NS).map(fromCheck),
      // only for a NetworkMap with Multus destinations (network-map.ts asks before it reads each NAD)
      ...vmNetworkAccessChecks({ namespace: TARGET_NS, name: 'vm-net' }).map(fromCheck),
      ...topAccessChecks(PLAN_NS, true).map(fromCheck),
      ...topAccessChecks(PLAN_NS, false).map(fromCheck),
      ...CLEAN.map(fromCheck),
      ...BEYOND_REVIEWS.flatMap(([namespace, group, resource, verbs, names]) =>
        verbs.map((verb) => key(namespace, group, resource, verb, names)),
      ),
    ]);
    const grants = granted();
    expect(new Set(grants).size, 'a permission is granted twice').toBe(grants.length);
    expect([...grants].sort()).toEqual([...needed].sort());
  });

  it('grants no wildcard', () => {
    for (const rule of roles.flatMap((role) => role.rules ?? [])) {
      expect([...rule.apiGroups, ...rule.resources, ...rule.verbs]).not.toContain('*');
    }
  });
});
