/** Reading requests and writing JSON answers the way kube-apiserver does (Content-Type, Warning, Retry-After). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { type ApiError, badRequest, unsupportedMediaType } from './api-error.js';
import { decodeKubernetesProtobuf } from './protobuf-decoding.js';

/** kube-apiserver's limit on a request body (3 MiB). */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readRawBody(req)).toString('utf8');
}

async function readRawBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw badRequest('the request body is too large (limit 3 MiB)');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const BODY_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

/** Reads an object body in any media type kube-apiserver accepts for writes: JSON, YAML or Kubernetes protobuf. */
export async function readObjectBody(req: IncomingMessage): Promise<unknown> {
  const raw = await readRawBody(req);
  const mediaType = (req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
  if (mediaType === 'application/vnd.kubernetes.protobuf')
    return raw.length ? decodeKubernetesProtobuf(raw) : undefined;
  if (mediaType === 'application/yaml') {
    try {
      return parseYaml(raw.toString('utf8')) ?? undefined;
    } catch (error) {
      throw badRequest(`error converting YAML to JSON: ${error instanceof Error ? error.message : error}`);
    }
  }
  if (mediaType === 'application/json' || mediaType === '' || mediaType === '*/*')
    return parseJsonBody(raw.toString('utf8'));
  throw unsupportedMediaType(mediaType, BODY_TYPES);
}

/** Parses a JSON body; an empty one is `undefined`. */
export function parseJsonBody(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body);
  } catch (error) {
    throw badRequest(`couldn't get version/kind; json parse error: ${error instanceof Error ? error.message : error}`);
  }
}

/** Writes `body` as JSON; `warnings` become `Warning: 299 - "..."` headers, as kube sends them. */
export function sendJson(res: ServerResponse, code: number, body: unknown, warnings: readonly string[] = []): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  const headers: Record<string, string | string[]> = {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
  };
  if (warnings.length) headers.Warning = warnings.map((warning) => `299 - ${JSON.stringify(warning)}`);
  res.writeHead(code, headers);
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  if (error.details?.retryAfterSeconds !== undefined && !res.headersSent) {
    res.setHeader('Retry-After', String(error.details.retryAfterSeconds));
  }
  sendJson(res, error.code, error.toStatus());
}

/** Go's strconv.ParseBool, which kube uses for `watch`, `allowWatchBookmarks` and friends. */
export function queryFlag(query: URLSearchParams, name: string): boolean {
  return ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(query.get(name) ?? '');
}
