/**
 * The sandbox's vCenter: a vim25 SOAP endpoint (POST /sdk) over HTTPS serving the sandbox inventory's VMs through a
 * VcenterModel. It answers what govmomi sends for Forklift's vSphere client (pkg/controller/plan/adapter/vsphere
 * client.go) and CDI's VDDK importer log-in: RetrieveServiceContent, Login/Logout with a `vmware_soap_session` cookie,
 * FindByUuid, the PropertyCollector, snapshots, power and tasks. Wire shapes follow govmomi 0.24.2's simulator
 * (simulator.go ServeHTTP); behaviour follows a real vCenter where vcsim cuts corners (tasks take simulated time and
 * can fail; ShutdownGuest needs Tools; only the Provider Secret's credentials log in). Nothing here logs a password or
 * a session cookie.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type PropertyValue, snapshotProperty, type Timestamp, taskProperty, vmProperty } from './properties.js';
import { serviceContent } from './service-content.js';
import {
  faultEnvelope,
  moRefNode,
  moRefOf,
  parseRequest,
  responseEnvelope,
  SoapFault,
  type SoapRequest,
  textOf,
  type XmlNode,
} from './soap.js';
import { type MoRef, objectNotFound, type VcenterModel } from './vcenter-model.js';

export interface VcenterServerOptions {
  model: VcenterModel;
  /** PEM certificate and key the server presents. */
  tls: { cert: string; key: string };
  /** The only credentials Login accepts (the source Provider Secret's user and password). */
  user: string;
  password: string;
  /** Wall-clock xsd:dateTime of a simulated instant (task and snapshot times). */
  timestamp: Timestamp;
  port?: number;
}

export interface VcenterServer {
  /** `https://127.0.0.1:PORT/sdk`. */
  url: string;
  close(): Promise<void>;
}

const SESSION_COOKIE = 'vmware_soap_session';
/** The methods a client may call before it logs in (vcsim session_manager.go: RetrieveServiceContent and the logins). */
const WITHOUT_SESSION = new Set(['RetrieveServiceContent', 'Login']);
const MAX_BODY_BYTES = 1 << 20;

interface Session {
  key: string;
  userName: string;
  loginTime: string;
}

interface Context {
  options: VcenterServerOptions;
  sessions: Map<string, Session>;
  collectors: Set<string>;
}

export async function startVcenterServer(options: VcenterServerOptions): Promise<VcenterServer> {
  const context: Context = { options, sessions: new Map(), collectors: new Set() };
  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key }, (request, response) => {
    serve(request, response, context).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, faultEnvelope(new SoapFault('SystemError', String(error))));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/sdk`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function serve(request: IncomingMessage, response: ServerResponse, context: Context): Promise<void> {
  const path = new URL(request.url ?? '/', 'https://vcenter').pathname;
  if (request.method !== 'POST' || path !== '/sdk') {
    response.writeHead(404, { 'Content-Type': 'text/plain' });
    response.end('404 page not found\n');
    return;
  }
  const body = await readBody(request);
  context.options.model.sync();
  try {
    const call = parseRequest(body);
    const cookie = sessionCookie(request);
    const session = cookie === undefined ? undefined : context.sessions.get(cookie);
    if (!session && isSessionlessRetrieve(call)) {
      // vcsim property_collector.go: the shared collector answers without a session, every property it was asked
      // for in missingSet with NotAuthenticated (System.Read on the object); govmomi's mo.ObjectContentToType makes
      // that the call's error
      send(response, 200, responseEnvelope(call.method, unauthenticatedRetrieve(call)));
      return;
    }
    if (!session && !WITHOUT_SESSION.has(call.method)) {
      // vcsim: NotAuthenticated with the object and System.View; the message is a real vCenter's
      throw new SoapFault('NotAuthenticated', 'The session is not authenticated.', {
        object: moRefNode(call.self),
        privilegeId: 'System.View',
      });
    }
    const answer = dispatch(call, context, response, cookie);
    send(response, 200, responseEnvelope(call.method, answer));
  } catch (error) {
    if (!(error instanceof SoapFault)) throw error;
    send(response, 500, faultEnvelope(error));
  }
}

/** The returnval of a call (undefined for a void method). */
function dispatch(
  call: SoapRequest,
  context: Context,
  response: ServerResponse,
  cookie: string | undefined,
): XmlNode | XmlNode[] | undefined {
  const { model, timestamp } = context.options;
  const { method, self, args } = call;
  const on = (type: string, value?: string) => self.type === type && (value === undefined || self.value === value);
  switch (method) {
    case 'RetrieveServiceContent':
      if (on('ServiceInstance', 'ServiceInstance')) return serviceContent();
      break;
    case 'Login':
      if (on('SessionManager', 'SessionManager')) return login(context, args, response);
      break;
    case 'Logout':
      if (on('SessionManager', 'SessionManager')) {
        if (cookie !== undefined) context.sessions.delete(cookie);
        return undefined;
      }
      break;
    case 'FindByUuid':
      if (on('SearchIndex', 'SearchIndex')) {
        // vcsim search_index.go FindByUuid: vmSearch false looks for hosts, of which this vCenter serves none
        if (textOf(args.vmSearch) !== 'true') return undefined;
        const vm = model.findByUuid(textOf(args.uuid), textOf(args.instanceUuid) === 'true');
        return vm && moRefNode({ type: 'VirtualMachine', value: vm.id });
      }
      break;
    case 'CreatePropertyCollector':
      if (on('PropertyCollector')) {
        // vcsim property_collector.go: a collector of the session, `session[<key>]<uuid>`
        const id = `session[${randomUUID()}]${randomUUID()}`;
        context.collectors.add(id);
        return moRefNode({ type: 'PropertyCollector', value: id });
      }
      break;
    case 'DestroyPropertyCollector':
      if (on('PropertyCollector')) {
        if (!context.collectors.delete(self.value)) throw objectNotFound(self);
        return undefined;
      }
      break;
    case 'RetrieveProperties':
    case 'RetrievePropertiesEx':
      if (on('PropertyCollector')) {
        if (self.value !== 'propertyCollector' && !context.collectors.has(self.value)) throw objectNotFound(self);
        const objects = retrieve(context, args.specSet, timestamp);
        // RetrievePropertiesEx wraps them in a RetrieveResult (no token: everything fits), and answers nothing at all
        // when no object matched (vcsim: an empty returnval)
        if (method === 'RetrieveProperties') return objects;
        return objects.length === 0 ? '' : { objects };
      }
      break;
    case 'CreateSnapshot_Task':
      if (on('VirtualMachine')) {
        const task = model.createSnapshot(
          self,
          textOf(args.name),
          textOf(args.description),
          textOf(args.quiesce) === 'true',
        );
        return moRefNode({ type: 'Task', value: task.moRef });
      }
      break;
    case 'RemoveSnapshot_Task':
      if (on('VirtualMachineSnapshot')) {
        const task = model.removeSnapshot(
          self,
          textOf(args.removeChildren) === 'true',
          textOf(args.consolidate) !== 'false',
        );
        return moRefNode({ type: 'Task', value: task.moRef });
      }
      break;
    case 'PowerOffVM_Task':
    case 'PowerOnVM_Task':
      if (on('VirtualMachine')) {
        const task = model.setPower(self, method === 'PowerOnVM_Task');
        return moRefNode({ type: 'Task', value: task.moRef });
      }
      break;
    case 'ShutdownGuest':
      if (on('VirtualMachine')) {
        model.shutdownGuest(self);
        return undefined;
      }
      break;
  }
  throw methodNotFound(self, method);
}

/**
 * SessionManager.Login: only the configured user and password (vcsim accepts any unless its URL pins them, then
 * answers InvalidLogin "Login failure"; the message here is a real vCenter's). The cookie is HttpOnly, as vcsim sets it.
 */
function login(context: Context, args: Record<string, unknown>, response: ServerResponse): XmlNode {
  const { user, password } = context.options;
  const userName = textOf(args.userName);
  if (!same(userName, user) || !same(textOf(args.password), password)) {
    throw new SoapFault('InvalidLogin', 'Cannot complete login due to an incorrect user name or password.');
  }
  const cookie = randomBytes(20).toString('hex');
  const now = new Date().toISOString();
  const session: Session = { key: randomUUID(), userName, loginTime: now };
  context.sessions.set(cookie, session);
  response.setHeader('Set-Cookie', `${SESSION_COOKIE}="${cookie}"; Path=/; HttpOnly; Secure`);
  return {
    key: session.key,
    userName,
    fullName: userName,
    loginTime: now,
    lastActiveTime: now,
    locale: 'en',
    messageLocale: 'en',
    extensionSession: false,
    ipAddress: '127.0.0.1',
    userAgent: 'govmomi',
    callCount: 0,
  };
}

/** A RetrieveProperties specSet's objects with the paths asked for (no traversal: every object is named directly). */
function retrieve(context: Context, specSet: unknown, time: Timestamp): XmlNode[] {
  const { model } = context.options;
  const specs = Array.isArray(specSet) ? (specSet as Record<string, unknown>[]) : [];
  const objects: XmlNode[] = [];
  for (const spec of specs) {
    const propSets = (spec.propSet ?? []) as Record<string, unknown>[];
    for (const objectSpec of (spec.objectSet ?? []) as Record<string, unknown>[]) {
      const ref = moRefOf(objectSpec.obj);
      if (!ref) throw new SoapFault('InvalidArgument', 'A specified parameter was not correct: specSet.objectSet.obj');
      const wanted = propSets.find((propSet) => textOf(propSet.type) === ref.type);
      if (!wanted) continue;
      const paths = ((wanted.pathSet ?? []) as unknown[]).map(textOf);
      const read = reader(model, ref, time);
      const propSet: XmlNode[] = [];
      const missingSet: XmlNode[] = [];
      for (const path of paths) {
        const value = read(path);
        // vcsim: an unknown path is a missingSet entry with an InvalidProperty fault
        if (value === null)
          missingSet.push({ path, fault: { fault: { '@_xsi:type': 'InvalidProperty', name: path } } });
        else if (value !== undefined) propSet.push({ name: path, val: value });
      }
      objects.push({
        obj: moRefNode(ref),
        ...(propSet.length > 0 && { propSet }),
        ...(missingSet.length > 0 && { missingSet }),
      });
    }
  }
  return objects;
}

function reader(model: VcenterModel, ref: MoRef, time: Timestamp): (path: string) => PropertyValue {
  switch (ref.type) {
    case 'VirtualMachine': {
      const { vm } = model.vm(ref);
      return (path) => vmProperty(model, vm, path, time);
    }
    case 'VirtualMachineSnapshot': {
      const node = model.snapshot(ref);
      return (path) => snapshotProperty(node, path);
    }
    case 'Task': {
      const task = model.task(ref);
      return (path) => taskProperty(model, task, path, time);
    }
    default:
      throw objectNotFound(ref);
  }
}

function isSessionlessRetrieve(call: SoapRequest): boolean {
  const { method, self } = call;
  return (
    (method === 'RetrieveProperties' || method === 'RetrievePropertiesEx') &&
    self.type === 'PropertyCollector' &&
    self.value === 'propertyCollector'
  );
}

/** Each object asked for, its paths in missingSet with NotAuthenticated (vcsim's answer without a session). */
function unauthenticatedRetrieve(call: SoapRequest): XmlNode | XmlNode[] {
  const specs = Array.isArray(call.args.specSet) ? (call.args.specSet as Record<string, unknown>[]) : [];
  const objects: XmlNode[] = [];
  for (const spec of specs) {
    const propSets = (spec.propSet ?? []) as Record<string, unknown>[];
    for (const objectSpec of (spec.objectSet ?? []) as Record<string, unknown>[]) {
      const ref = moRefOf(objectSpec.obj);
      const wanted = ref && propSets.find((propSet) => textOf(propSet.type) === ref.type);
      if (!ref || !wanted) continue;
      const missingSet = ((wanted.pathSet ?? []) as unknown[]).map((path) => ({
        path: textOf(path),
        fault: { fault: { '@_xsi:type': 'NotAuthenticated', object: moRefNode(ref), privilegeId: 'System.Read' } },
      }));
      objects.push({ obj: moRefNode(ref), ...(missingSet.length > 0 && { missingSet }) });
    }
  }
  if (call.method === 'RetrieveProperties') return objects;
  return objects.length === 0 ? '' : { objects };
}

/** vcsim simulator.go call: `<type>:<value> does not implement: <method>`, fault MethodNotFound. */
function methodNotFound(self: MoRef, method: string): SoapFault {
  return new SoapFault('MethodNotFound', `${self.type}:${self.value} does not implement: ${method}`, {
    receiver: moRefNode(self),
    method,
  });
}

function sessionCookie(request: IncomingMessage): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === SESSION_COOKIE)
      return part
        .slice(at + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error(`a SOAP request over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}
