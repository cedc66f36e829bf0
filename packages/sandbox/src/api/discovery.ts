/**
 * Legacy (unaggregated) discovery, which kubectl and client-go fall back to when the server answers plain
 * application/json: /version, /api, /api/v1, /apis, /apis/GROUP, /apis/GROUP/VERSION.
 */
import type { ResourceRegistry } from './resource-registry.js';
import type { ResourceType } from './resource-type.js';

/** The kube version the sandbox reports; the kubectl dispatcher on these machines picks its kubectl from it. */
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0',
  gitCommit: '70d3cc986aa8221cd1dfb1121852688902d3bf53',
  gitTreeState: 'clean',
  buildDate: '2024-12-11T17:59:15Z',
  goVersion: 'go1.23.3',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(registry: ResourceRegistry, group: string): Record<string, unknown> {
  const versions = registry
    .groupVersions()
    .filter((entry) => entry.group === group)
    .map((entry) => ({ groupVersion: `${group}/${entry.version}`, version: entry.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

/** /apis, or undefined for a group the server does not serve (callers answer 404). */
export function apiGroupList(registry: ResourceRegistry): Record<string, unknown> {
  const groups = [...new Set(registry.groupVersions().map((entry) => entry.group))].filter((group) => group !== '');
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((group) => apiGroup(registry, group)) };
}

export function apiGroupDocument(registry: ResourceRegistry, group: string): Record<string, unknown> | undefined {
  if (!registry.groupVersions().some((entry) => entry.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(registry, group) };
}

function apiResources(type: ResourceType): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: type.plural,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: type.verbs,
  };
  if (type.shortNames.length) main.shortNames = type.shortNames;
  if (type.categories.length) main.categories = type.categories;
  const entries = [main];
  if (type.statusSubresource) {
    entries.push({
      name: `${type.plural}/status`,
      singularName: '',
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: ['get', 'patch', 'update'],
    });
  }
  return entries;
}

/** /api/v1 or /apis/GROUP/VERSION; undefined when not served. */
export function apiResourceList(
  registry: ResourceRegistry,
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const entry = registry.groupVersions().find((gv) => gv.group === group && gv.version === version);
  if (!entry) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: entry.resources.flatMap(apiResources),
  };
}
