/**
 * The rules of every write, after kube's registry strategies: what create fills in, what update keeps from the
 * stored object, optimistic concurrency, the status subresource, schema validation and unknown fields, CDI's webhook,
 * KubeVirt's VirtualMachine webhooks (mutating before the schema check, validating after, as kube-apiserver orders them),
 * no-op writes that keep their resourceVersion, finalizers and namespace deletion. Both the HTTP handlers
 * (origin "api") and the simulators (origin "controller", through ClusterStore) write through it.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../cluster-store.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  internalError,
  invalid,
  notFound,
  type StatusCause,
} from './api-error.js';
import { applyBuiltinDefaults } from './builtin-defaults.js';
import { admitDataVolume } from './cdi-webhook.js';
import { admitVirtualMachine, mutateVirtualMachine } from './kubevirt-webhook.js';
import { type DeleteOptions, type DeleteResult, finalizersDone, ObjectDeleter } from './object-deleter.js';
import { generateName, metadataCauses, nameCauses, timestamp } from './object-meta.js';
import type { ObjectStore } from './object-store.js';
import { apiVersionOf, type ResourceType } from './resource-type.js';
import type { SchemaValidator } from './schema-validation.js';

export type { DeleteOptions, DeleteResult } from './object-deleter.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** How one write is made. */
export interface WriteContext {
  /** "api": a client's request (status reset on create, admission, resourceVersion required on CR update). */
  origin: 'api' | 'controller';
  dryRun?: boolean;
  /** Default: Strict for controllers, Warn for API requests (kube's default). */
  fieldValidation?: FieldValidation;
  /** The write applies a patch: strict-decoding errors are then 422 on field "patch", as kube reports them. */
  patch?: boolean;
  /** Collects Warning header texts (unknown fields under fieldValidation=Warn). */
  warnings?: string[];
}

/** Metadata fields only the server writes: update keeps the stored values. */
const SYSTEM_METADATA = ['uid', 'creationTimestamp', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

const DATAVOLUMES = 'datavolumes.cdi.kubevirt.io';
const VIRTUALMACHINES = 'virtualmachines.kubevirt.io';

function withoutVolatile(object: KubeObject): unknown {
  const { resourceVersion: _rv, managedFields: _mf, ...metadata } = object.metadata;
  return { ...object, metadata };
}

function specPart(object: KubeObject): unknown {
  const { metadata: _m, status: _s, ...rest } = object;
  return rest;
}

export class ObjectWriter {
  private readonly deleter: ObjectDeleter;

  constructor(
    private readonly store: ObjectStore,
    private readonly validator: SchemaValidator,
    private readonly clock: () => Date,
    lookupKind: (apiVersion: string, kind: string) => ResourceType | undefined,
    allTypes: () => readonly ResourceType[],
  ) {
    this.deleter = new ObjectDeleter(store, clock, lookupKind, allTypes);
  }

  private typeMeta(type: ResourceType, object: KubeObject, ctx: WriteContext): void {
    if (!object || typeof object !== 'object' || Array.isArray(object))
      throw badRequest('the request body must be a JSON object');
    // typed (built-in) endpoints take kind and apiVersion from the URL; unstructured (CRD) ones need them
    if (ctx.origin === 'controller' || !type.custom) {
      object.apiVersion ??= apiVersionOf(type);
      object.kind ??= type.kind;
    }
    if (!object.kind) throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(object)}'`);
    if (object.apiVersion !== apiVersionOf(type) || object.kind !== type.kind) {
      throw badRequest(
        `the API version in the data (${object.apiVersion}) does not match the expected API version (${apiVersionOf(type)})`,
      );
    }
    if (!object.metadata || typeof object.metadata !== 'object') object.metadata = {};
  }

  private validate(type: ResourceType, object: KubeObject, ctx: WriteContext, extra: StatusCause[]): void {
    const name = object.metadata.name ?? '';
    const check = this.validator.check(type, object);
    const mode = ctx.fieldValidation ?? (ctx.origin === 'api' ? 'Warn' : 'Strict');
    if (check.unknownFields.length && mode === 'Strict') {
      const detail = `strict decoding error: ${check.unknownFields.map((f) => `unknown field "${f}"`).join(', ')}`;
      if (ctx.patch) {
        throw invalid({ group: '', kind: '' }, '', [
          { reason: 'FieldValueInvalid', message: `Invalid value: "...": ${detail}`, field: 'patch' },
        ]);
      }
      throw badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ${detail}`);
    }
    if (mode === 'Warn') ctx.warnings?.push(...check.unknownFields.map((f) => `unknown field "${f}"`));
    const causes = [...extra, ...metadataCauses(object.metadata), ...check.causes];
    if (causes.length) throw invalid(type, name, causes);
  }

  private requireNamespace(type: ResourceType, object: KubeObject): void {
    if (!type.namespaced) {
      delete object.metadata.namespace;
      return;
    }
    const namespace = object.metadata.namespace;
    if (!namespace) throw badRequest('the namespace of the object must be set for a namespaced resource');
    const owner = this.store.get('namespaces', undefined, namespace);
    if (!owner) throw notFound({ group: '', plural: 'namespaces' }, namespace);
    if (owner.metadata.deletionTimestamp) {
      throw forbidden(
        type,
        object.metadata.name ?? '',
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  create(type: ResourceType, input: KubeObject, ctx: WriteContext): KubeObject {
    const object = structuredClone(input);
    this.typeMeta(type, object, ctx);
    const meta = object.metadata;
    if (ctx.origin === 'api' && meta.resourceVersion) {
      throw internalError('resourceVersion should not be set on objects to be created');
    }
    const causes: StatusCause[] = [];
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    if (!meta.name) {
      causes.push({
        reason: 'FieldValueRequired',
        message: 'Required value: name or generateName is required',
        field: 'metadata.name',
      });
    } else causes.push(...nameCauses(type, meta.name));
    if (meta.name) this.requireNamespace(type, object);
    for (const field of [
      'resourceVersion',
      'selfLink',
      'managedFields',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
    ]) {
      delete meta[field];
    }
    // A controller's create keeps a uid it gives: the sandbox seeds objects whose uid other parts already use (the
    // inventory's URLs carry the Provider's uid). An API create always gets a new one, as in kube-apiserver.
    if (ctx.origin === 'api' || !meta.uid) meta.uid = randomUUID();
    meta.creationTimestamp = timestamp(this.clock());
    if (type.custom) meta.generation = 1;
    else delete meta.generation;
    if (ctx.origin === 'api' && type.statusSubresource) delete object.status;
    applyBuiltinDefaults(type, object, undefined);
    if (ctx.origin === 'api' && type.name === VIRTUALMACHINES) mutateVirtualMachine(object, undefined);
    this.validate(type, object, ctx, causes);
    if (ctx.origin === 'api' && type.name === DATAVOLUMES) {
      const claim = this.store.get('persistentvolumeclaims', meta.namespace, meta.name as string);
      admitDataVolume(object, undefined, claim);
    }
    if (ctx.origin === 'api' && type.name === VIRTUALMACHINES) admitVirtualMachine(object);
    if (this.store.get(type.name, meta.namespace, meta.name as string)) throw alreadyExists(type, meta.name as string);
    if (ctx.dryRun) return object;
    return this.store.put(type.name, object, 'ADDED');
  }

  /** PUT semantics: the whole object (or only status for `subresource` "status") replaces the stored one. */
  update(type: ResourceType, input: KubeObject, ctx: WriteContext & { subresource?: 'status' }): KubeObject {
    const object = structuredClone(input);
    this.typeMeta(type, object, ctx);
    const name = object.metadata.name ?? '';
    const namespace = type.namespaced ? object.metadata.namespace : undefined;
    const old = this.store.get(type.name, namespace, name);
    if (!old) throw notFound(type, name);
    const rv = object.metadata.resourceVersion;
    if (rv) {
      if (rv !== old.metadata.resourceVersion) throw conflict(type, name);
    } else if (type.custom && ctx.origin === 'api') {
      throw invalid(type, name, [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: 0x0: must be specified for an update',
          field: 'metadata.resourceVersion',
        },
      ]);
    }
    let next: KubeObject;
    if (ctx.subresource === 'status') {
      next = structuredClone(old);
      if (object.status === undefined) delete next.status;
      else next.status = object.status;
    } else {
      next = object;
      for (const field of SYSTEM_METADATA) {
        if (old.metadata[field] === undefined) delete next.metadata[field];
        else next.metadata[field] = old.metadata[field];
      }
      if (type.namespaced) next.metadata.namespace = old.metadata.namespace;
      else delete next.metadata.namespace;
      if (type.statusSubresource) {
        if (old.status === undefined) delete next.status;
        else next.status = structuredClone(old.status);
      }
    }
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    applyBuiltinDefaults(type, next, old);
    const admitted = ctx.origin === 'api' && !ctx.subresource;
    if (admitted && type.name === VIRTUALMACHINES) mutateVirtualMachine(next, old);
    this.validate(type, next, ctx, []);
    if (type.custom && !isDeepStrictEqual(specPart(old), specPart(next))) {
      next.metadata.generation = Number(old.metadata.generation ?? 1) + 1;
    }
    if (admitted && type.name === DATAVOLUMES) admitDataVolume(next, old);
    if (admitted && type.name === VIRTUALMACHINES) admitVirtualMachine(next);
    if (isDeepStrictEqual(withoutVolatile(old), withoutVolatile(next))) return old;
    if (ctx.dryRun) return next;
    if (next.metadata.deletionTimestamp) {
      const { done, policy } = finalizersDone(next);
      if (done) return this.deleter.remove(type, next, policy);
    }
    return this.store.put(type.name, next, 'MODIFIED');
  }

  /** DELETE semantics: preconditions, finalizers, namespaces, garbage collection (see ObjectDeleter). */
  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions,
    ctx: WriteContext,
  ): DeleteResult {
    return this.deleter.delete(type, namespace, name, options, ctx.dryRun === true);
  }
}
