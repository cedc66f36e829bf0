import { builtinResourceTypes } from './builtin-resources.js';
import { loadCrdResourceTypes, type MtvRelease, NEWEST_MTV_RELEASE } from './crd-loader.js';
import type { ResourceType } from './resource-type.js';

/** One API group with its versions, as /apis lists it. */
export interface ApiGroupVersion {
  group: string;
  version: string;
  resources: ResourceType[];
}

/** Which resources the server serves, found by URL parts or by the store's `plural.group` name. */
export class ResourceRegistry {
  private readonly byName = new Map<string, ResourceType>();
  private readonly byPath = new Map<string, ResourceType>();

  constructor(readonly types: readonly ResourceType[]) {
    for (const type of types) {
      this.byName.set(type.name, type);
      this.byPath.set(`${type.group}/${type.version}/${type.plural}`, type);
    }
  }

  /** The built-in kinds followed by CDI's CRDs and the Forklift CRDs of `release`. */
  static standard(release: MtvRelease = NEWEST_MTV_RELEASE): ResourceRegistry {
    return new ResourceRegistry([...builtinResourceTypes(), ...loadCrdResourceTypes(release)]);
  }

  /** By the store's name (`configmaps`, `datavolumes.cdi.kubevirt.io`); also accepts a bare plural if unique. */
  byStoreName(name: string): ResourceType | undefined {
    const exact = this.byName.get(name);
    if (exact) return exact;
    const plural = this.types.filter((type) => type.plural === name);
    return plural.length === 1 ? plural[0] : undefined;
  }

  /** Throws for a name the server does not serve (a bug in the simulator that names it). */
  require(name: string): ResourceType {
    const type = this.byStoreName(name);
    if (!type) throw new Error(`the sandbox serves no resource ${JSON.stringify(name)}`);
    return type;
  }

  /** By an object's apiVersion and kind (an ownerReference's target). */
  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.types.find(
      (type) => type.kind === kind && apiVersion === (type.group ? `${type.group}/${type.version}` : type.version),
    );
  }

  byUrl(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** Served group versions, core ("") first, then groups in registration order. */
  groupVersions(): ApiGroupVersion[] {
    const groups = new Map<string, ApiGroupVersion>();
    for (const type of this.types) {
      const key = `${type.group}/${type.version}`;
      let entry = groups.get(key);
      if (!entry) {
        entry = { group: type.group, version: type.version, resources: [] };
        groups.set(key, entry);
      }
      entry.resources.push(type);
    }
    return [...groups.values()];
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.types.some((type) => type.group === group && type.version === version);
  }
}
