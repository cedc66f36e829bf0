/**
 * The ClusterStore the simulators (CDI importer, seeding) write through: the same store and write rules as the HTTP
 * API, without authentication and admission, with the CRD schema in Strict mode (a simulator that writes a field
 * the CRD lacks has a bug). Unlike an API create, a controller's create keeps the `status` it is given.
 */
import type { ClusterStore, KubeObject, StoreEvent } from '../cluster-store.js';
import { notFound } from './api-error.js';
import type { ObjectStore } from './object-store.js';
import type { ObjectWriter } from './object-writer.js';
import type { ResourceRegistry } from './resource-registry.js';

const CONTROLLER = { origin: 'controller' } as const;

export class ControllerStore implements ClusterStore {
  constructor(
    private readonly store: ObjectStore,
    private readonly writer: ObjectWriter,
    private readonly registry: ResourceRegistry,
  ) {}

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const type = this.registry.require(resource);
    return this.store.get(type.name, type.namespaced ? namespace : undefined, name);
  }

  list(resource: string, namespace?: string): KubeObject[] {
    const type = this.registry.require(resource);
    return this.store.list(type.name, type.namespaced ? namespace : undefined);
  }

  create(resource: string, object: KubeObject, options: { prune?: boolean } = {}): KubeObject {
    const context = options.prune ? { origin: 'controller' as const, fieldValidation: 'Ignore' as const } : CONTROLLER;
    return this.writer.create(this.registry.require(resource), object, context);
  }

  private existing(resource: string, namespace: string | undefined, name: string): KubeObject {
    const type = this.registry.require(resource);
    const found = this.store.get(type.name, type.namespaced ? namespace : undefined, name);
    if (!found) throw notFound(type, name);
    return found;
  }

  updateStatus(resource: string, namespace: string | undefined, name: string, status: unknown): KubeObject {
    const current = this.existing(resource, namespace, name);
    const next = { ...current, status };
    return this.writer.update(this.registry.require(resource), next, { ...CONTROLLER, subresource: 'status' });
  }

  patchMetadata(
    resource: string,
    namespace: string | undefined,
    name: string,
    patch: {
      labels?: Record<string, string | null>;
      annotations?: Record<string, string | null>;
      finalizers?: string[];
    },
  ): KubeObject {
    const next = this.existing(resource, namespace, name);
    if (patch.finalizers) {
      if (patch.finalizers.length) next.metadata.finalizers = [...patch.finalizers];
      else delete next.metadata.finalizers;
    }
    for (const field of ['labels', 'annotations'] as const) {
      const changes = patch[field];
      if (!changes) continue;
      const merged: Record<string, string> = { ...next.metadata[field] };
      for (const [key, value] of Object.entries(changes)) {
        if (value === null) delete merged[key];
        else merged[key] = value;
      }
      if (Object.keys(merged).length) next.metadata[field] = merged;
      else delete next.metadata[field];
    }
    return this.writer.update(this.registry.require(resource), next, CONTROLLER);
  }

  delete(resource: string, namespace: string | undefined, name: string): void {
    const type = this.registry.require(resource);
    this.writer.delete(type, namespace, name, {}, CONTROLLER);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    return this.store.subscribe((event) =>
      listener({ resource: event.resource, type: event.type, object: structuredClone(event.object) }),
    );
  }
}
