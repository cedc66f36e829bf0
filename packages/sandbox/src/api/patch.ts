/**
 * The patch types kube-apiserver accepts: JSON merge patch (RFC 7386), JSON patch (RFC 6902, via fast-json-patch),
 * strategic merge patch (merge keys and directives for the built-in kinds; for custom resources it is treated as a
 * merge patch, a sandbox liberty: kube answers 415 there), and server-side apply, approximated as a merge patch of
 * the applied configuration (no field ownership).
 */
import jsonPatch from 'fast-json-patch';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, unsupportedMediaType } from './api-error.js';

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;

export type PatchType = (typeof PATCH_TYPES)[number];

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** RFC 7386: objects merge, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Loose = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** patchMergeKey of the list fields the built-in kinds carry (k8s.io/api struct tags). */
const MERGE_KEYS: Record<string, string> = {
  ports: 'port',
  conditions: 'type',
  ownerReferences: 'uid',
  containers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
};

/** Primitive lists with patchStrategy "merge": a patch adds to them. */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value))
    return value.filter((item) => !(isObject(item) && item.$patch === 'delete')).map(stripDirectives);
  if (!isObject(value)) return value;
  const result: Loose = {};
  for (const [key, item] of Object.entries(value)) {
    if (!key.startsWith('$')) result[key] = stripDirectives(item);
  }
  return result;
}

function mergeKeyedList(current: unknown[], patch: unknown[], mergeKey: string): unknown[] {
  const result = [...current];
  for (const item of patch) {
    if (!isObject(item)) continue;
    const index = result.findIndex((entry) => isObject(entry) && entry[mergeKey] === item[mergeKey]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) result[index] = strategicMergePatch(result[index], item);
    else result.push(stripDirectives(item));
  }
  return result;
}

/** A strategic merge patch as kube applies it to the built-in kinds kubectl-mtv touches. */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  if (patch.$patch === 'replace') return stripDirectives(patch);
  const result: Loose = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const list = result[field];
      if (Array.isArray(list) && Array.isArray(value)) result[field] = list.filter((item) => !value.includes(item));
      continue;
    }
    if (key.startsWith('$')) continue;
    const current = result[key];
    if (value === null) delete result[key];
    else if (Array.isArray(value) && Array.isArray(current) && MERGE_KEYS[key]) {
      result[key] = mergeKeyedList(current, value, MERGE_KEYS[key]);
    } else if (Array.isArray(value) && Array.isArray(current) && MERGED_PRIMITIVE_LISTS.has(key)) {
      result[key] = [...current, ...value.filter((item) => !current.includes(item))];
    } else if (isObject(value) && value.$patch === 'delete') delete result[key];
    else if (isObject(value) && isObject(current)) result[key] = strategicMergePatch(current, value);
    else result[key] = stripDirectives(value);
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const key of Object.keys(result)) if (!keep.has(key)) delete result[key];
  }
  return result;
}

/** The media type of a PATCH, or 415 for any other. */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const found = PATCH_TYPES.find((type) => type === mediaType);
  if (!found) throw unsupportedMediaType(mediaType, PATCH_TYPES);
  return found;
}

/** Parses a patch body: JSON for every type, YAML (a superset) for apply. */
export function parsePatchBody(type: PatchType, body: string): unknown {
  try {
    return type === 'application/apply-patch+yaml' ? parseYaml(body) : JSON.parse(body);
  } catch (error) {
    throw badRequest(`error decoding patch: ${error instanceof Error ? error.message : error}`);
  }
}

/** Applies `patch` to `current` (not modified); `custom` selects merge semantics for strategic patches. */
export function applyPatch(type: PatchType, current: unknown, patch: unknown, custom: boolean): unknown {
  switch (type) {
    case 'application/json-patch+json': {
      if (!Array.isArray(patch))
        throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
      try {
        return jsonPatch.applyPatch(structuredClone(current), patch, true, true).newDocument;
      } catch (error) {
        const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
        throw new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
          causes: [{ reason: 'UnexpectedServerResponse', message }],
        });
      }
    }
    case 'application/strategic-merge-patch+json':
      if (!isObject(patch)) throw badRequest('the body of a strategic merge patch must be a JSON object');
      return custom ? mergePatch(current, patch) : strategicMergePatch(current, patch);
    default:
      if (!isObject(patch)) throw badRequest('the body of a merge patch must be a JSON object');
      return mergePatch(current, patch);
  }
}
