/**
 * Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), which kubectl's typed
 * commands send: `kubectl create namespace|configmap|secret|service`, `kubectl auth can-i`. Only the kinds and
 * fields those commands write are described (field numbers from k8s.io/api's generated.proto); unknown fields are
 * skipped, as a proto decoder does.
 */
import { badRequest } from './api-error.js';

type FieldKind = 'string' | 'int' | 'bool' | 'bytes' | 'time' | 'intOrString' | MessageSchema;

interface FieldSpec {
  name: string;
  kind: FieldKind;
  repeated?: boolean;
  /** A map<string, value>: entries are messages {1: key, 2: value}. */
  map?: 'string' | 'bytes';
}

type MessageSchema = Record<number, FieldSpec>;

const OWNER_REFERENCE: MessageSchema = {
  1: { name: 'kind', kind: 'string' },
  3: { name: 'name', kind: 'string' },
  4: { name: 'uid', kind: 'string' },
  5: { name: 'apiVersion', kind: 'string' },
  6: { name: 'controller', kind: 'bool' },
  7: { name: 'blockOwnerDeletion', kind: 'bool' },
};

const OBJECT_META: MessageSchema = {
  1: { name: 'name', kind: 'string' },
  2: { name: 'generateName', kind: 'string' },
  3: { name: 'namespace', kind: 'string' },
  5: { name: 'uid', kind: 'string' },
  6: { name: 'resourceVersion', kind: 'string' },
  7: { name: 'generation', kind: 'int' },
  8: { name: 'creationTimestamp', kind: 'time' },
  11: { name: 'labels', kind: 'string', map: 'string' },
  12: { name: 'annotations', kind: 'string', map: 'string' },
  13: { name: 'ownerReferences', kind: OWNER_REFERENCE, repeated: true },
  14: { name: 'finalizers', kind: 'string', repeated: true },
};

const SERVICE_PORT: MessageSchema = {
  1: { name: 'name', kind: 'string' },
  2: { name: 'protocol', kind: 'string' },
  3: { name: 'port', kind: 'int' },
  4: { name: 'targetPort', kind: 'intOrString' },
  5: { name: 'nodePort', kind: 'int' },
  6: { name: 'appProtocol', kind: 'string' },
};

const SERVICE_SPEC: MessageSchema = {
  1: { name: 'ports', kind: SERVICE_PORT, repeated: true },
  2: { name: 'selector', kind: 'string', map: 'string' },
  3: { name: 'clusterIP', kind: 'string' },
  4: { name: 'type', kind: 'string' },
  5: { name: 'externalIPs', kind: 'string', repeated: true },
  7: { name: 'sessionAffinity', kind: 'string' },
  10: { name: 'externalName', kind: 'string' },
  18: { name: 'clusterIPs', kind: 'string', repeated: true },
};

const RESOURCE_ATTRIBUTES: MessageSchema = {
  1: { name: 'namespace', kind: 'string' },
  2: { name: 'verb', kind: 'string' },
  3: { name: 'group', kind: 'string' },
  4: { name: 'version', kind: 'string' },
  5: { name: 'resource', kind: 'string' },
  6: { name: 'subresource', kind: 'string' },
  7: { name: 'name', kind: 'string' },
};

const metadata: FieldSpec = { name: 'metadata', kind: OBJECT_META };

/** The kinds kubectl sends as protobuf, by `apiVersion/kind`. */
const KINDS: Record<string, MessageSchema> = {
  'v1/Namespace': {
    1: metadata,
    2: { name: 'spec', kind: { 1: { name: 'finalizers', kind: 'string', repeated: true } } },
  },
  'v1/ConfigMap': {
    1: metadata,
    2: { name: 'data', kind: 'string', map: 'string' },
    3: { name: 'binaryData', kind: 'string', map: 'bytes' },
    4: { name: 'immutable', kind: 'bool' },
  },
  'v1/Secret': {
    1: metadata,
    2: { name: 'data', kind: 'string', map: 'bytes' },
    3: { name: 'type', kind: 'string' },
    4: { name: 'stringData', kind: 'string', map: 'string' },
    5: { name: 'immutable', kind: 'bool' },
  },
  'v1/Service': { 1: metadata, 2: { name: 'spec', kind: SERVICE_SPEC } },
  'authorization.k8s.io/v1/SelfSubjectAccessReview': {
    1: metadata,
    2: {
      name: 'spec',
      kind: {
        1: { name: 'resourceAttributes', kind: RESOURCE_ATTRIBUTES },
        2: {
          name: 'nonResourceAttributes',
          kind: { 1: { name: 'path', kind: 'string' }, 2: { name: 'verb', kind: 'string' } },
        },
      },
    },
  },
};

/** One protobuf field as read off the wire. */
interface WireField {
  field: number;
  varint?: bigint;
  bytes?: Buffer;
}

function* fields(buffer: Buffer): Generator<WireField> {
  let offset = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (offset >= buffer.length) throw badRequest('truncated protobuf body');
      const byte = buffer[offset++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (offset < buffer.length) {
    const key = Number(varint());
    const field = key >>> 3;
    switch (key & 7) {
      case 0:
        yield { field, varint: varint() };
        break;
      case 1:
        offset += 8;
        break;
      case 2: {
        const length = Number(varint());
        yield { field, bytes: buffer.subarray(offset, offset + length) };
        offset += length;
        break;
      }
      case 5:
        offset += 4;
        break;
      default:
        throw badRequest(`unsupported protobuf wire type ${key & 7}`);
    }
  }
}

function decodeValue(kind: FieldKind, wire: WireField): unknown {
  if (kind === 'string') return wire.bytes?.toString('utf8') ?? '';
  if (kind === 'bytes') return (wire.bytes ?? Buffer.alloc(0)).toString('base64');
  if (kind === 'int') return Number(BigInt.asIntN(64, wire.varint ?? 0n));
  if (kind === 'bool') return wire.varint === 1n;
  if (kind === 'time') {
    const time = decodeMessage({ 1: { name: 'seconds', kind: 'int' } }, wire.bytes ?? Buffer.alloc(0));
    if (!time.seconds) return undefined;
    return `${new Date(Number(time.seconds ?? 0) * 1000).toISOString().slice(0, 19)}Z`;
  }
  if (kind === 'intOrString') {
    const value = decodeMessage(
      { 1: { name: 'type', kind: 'int' }, 2: { name: 'intVal', kind: 'int' }, 3: { name: 'strVal', kind: 'string' } },
      wire.bytes ?? Buffer.alloc(0),
    );
    return value.type === 1 ? (value.strVal ?? '') : (value.intVal ?? 0);
  }
  return decodeMessage(kind, wire.bytes ?? Buffer.alloc(0));
}

function decodeMessage(schema: MessageSchema, buffer: Buffer): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const wire of fields(buffer)) {
    const spec = schema[wire.field];
    if (!spec) continue;
    if (spec.map) {
      const entry = decodeMessage(
        { 1: { name: 'key', kind: 'string' }, 2: { name: 'value', kind: spec.map } },
        wire.bytes ?? Buffer.alloc(0),
      );
      const map = (result[spec.name] ?? {}) as Record<string, unknown>;
      map[String(entry.key ?? '')] = entry.value ?? '';
      result[spec.name] = map;
    } else if (spec.repeated) {
      result[spec.name] = [...((result[spec.name] as unknown[] | undefined) ?? []), decodeValue(spec.kind, wire)];
    } else {
      // gogo-protobuf writes every scalar; Go's JSON then omits the zero values, and so do we
      const value = decodeValue(spec.kind, wire);
      if (value !== '' && value !== 0 && value !== false && value !== undefined) result[spec.name] = value;
    }
  }
  return result;
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Decodes a `k8s\0`-prefixed runtime.Unknown envelope into the JSON object it carries. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(MAGIC)) throw badRequest('the protobuf body lacks the k8s envelope');
  const envelope = decodeMessage(
    {
      1: { name: 'typeMeta', kind: { 1: { name: 'apiVersion', kind: 'string' }, 2: { name: 'kind', kind: 'string' } } },
      2: { name: 'raw', kind: 'bytes' },
    },
    body.subarray(4),
  );
  const typeMeta = (envelope.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const schema = KINDS[`${typeMeta.apiVersion}/${typeMeta.kind}`];
  if (!schema) {
    throw badRequest(`the sandbox cannot decode ${typeMeta.apiVersion} ${typeMeta.kind} from protobuf; send JSON`);
  }
  const object = decodeMessage(schema, Buffer.from(String(envelope.raw ?? ''), 'base64'));
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...object };
}
