/**
 * The service proxy, /api/v1/namespaces/NS/services/[SCHEME:]NAME[:PORT]/proxy/PATH. In the sandbox every
 * Service's backend is on 127.0.0.1 at the port's targetPort (a sandbox liberty: there are no pods or
 * endpoints). As in kube-apiserver, the caller's Authorization header is removed once the caller is authenticated,
 * and an https backend's certificate is not verified.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { badRequest, notFound, serviceUnavailable } from '../api-error.js';
import { sendError } from '../http-io.js';
import type { ResourceCall } from './api-context.js';

/** kube's SplitSchemeNamePort. */
function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } {
  const parts = id.split(':');
  const [scheme, name, port] =
    parts.length === 1
      ? ['', parts[0], '']
      : parts.length === 2
        ? ['', parts[0], parts[1]]
        : parts.length === 3
          ? parts
          : [];
  if (!name || !['', 'http', 'https'].includes(scheme ?? 'x'))
    throw badRequest(`invalid service request ${JSON.stringify(id)}`);
  return { scheme: scheme as string, name, port: port ?? '' };
}

const HOP_BY_HOP = [
  'authorization',
  'host',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

interface ServicePort {
  name?: string;
  port?: number;
  targetPort?: number | string;
}

export function handleServiceProxy(call: ResourceCall): void {
  const { ctx, info, req, res } = call;
  const { scheme, name, port } = splitSchemeNamePort(info.name as string);
  const service = ctx.store.get('services', info.namespace, name);
  if (!service) throw notFound({ group: '', plural: 'services' }, name);
  const ports = ((service.spec as { ports?: ServicePort[] } | undefined)?.ports ?? []) as ServicePort[];
  const chosen =
    port === ''
      ? ports.length === 1
        ? ports[0]
        : ports.find((entry) => !entry.name)
      : ports.find((entry) => entry.name === port || String(entry.port) === port);
  if (!chosen) throw serviceUnavailable(`no endpoints available for service "${name}"`);
  const target = typeof chosen.targetPort === 'number' ? chosen.targetPort : chosen.port;
  const headers: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_BY_HOP.includes(key)) headers[key] = value;
  }
  headers.host = `127.0.0.1:${target}`;
  const search = new URL(req.url ?? '/', 'http://sandbox').search;
  const options = {
    host: '127.0.0.1',
    port: target,
    method: req.method,
    path: `/${info.rest.join('/')}${search}`,
    headers,
  };
  const upstream = scheme === 'https' ? httpsRequest({ ...options, rejectUnauthorized: false }) : httpRequest(options);
  upstream.on('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', (error) => {
    sendError(res, serviceUnavailable(`error trying to reach service: ${error.message}`));
  });
  req.pipe(upstream);
}
