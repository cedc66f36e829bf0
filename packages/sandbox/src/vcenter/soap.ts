/**
 * vim25 SOAP envelopes as vCenter writes them, measured against govmomi 0.24.2's simulator (vcsim, simulator.go
 * ServeHTTP and serverFaultBody): the body's first element names the method, `_this` its managed object; an answer is
 * `<MethodResponse xmlns="urn:vim25"><returnval>…`, a fault is HTTP 500 with
 * `<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>…</faultstring><detail><XxxFault xmlns="urn:vim25"
 * xsi:type="Xxx">…`. One difference on purpose: vcsim's Go encoder writes a value's type as
 * `XMLSchema-instance:type` with its own namespace declaration; a real vCenter writes `xsi:type` with the envelope's
 * `xsi` prefix, which is what this module writes (the same attribute to a namespace-aware reader).
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/** A managed object reference. */
export interface MoRef {
  type: string;
  value: string;
}

/** An element's content as XMLBuilder takes it: text, attributes (`@_name`), children (arrays repeat the element). */
export type XmlNode = string | number | boolean | { [name: string]: XmlNode | XmlNode[] | undefined };

/** A request: the method, its `_this` and its arguments (as parsed, namespace prefixes removed, values as text). */
export interface SoapRequest {
  method: string;
  self: MoRef;
  args: Record<string, unknown>;
}

/** A vim25 fault: its type (`InvalidPowerState`), the faultstring, and the detail fault's content. */
export class SoapFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly detail: Record<string, XmlNode> = {},
  ) {
    super(message);
    this.name = 'SoapFault';
  }
}

const ENVELOPE_NS = {
  '@_xmlns:soapenc': 'http://schemas.xmlsoap.org/soap/encoding/',
  '@_xmlns:soapenv': 'http://schemas.xmlsoap.org/soap/envelope/',
  '@_xmlns:xsd': 'http://www.w3.org/2001/XMLSchema',
  '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
};

/** Elements that repeat in the requests served here, kept arrays even when there is one. */
const REPEATED = new Set(['specSet', 'propSet', 'pathSet', 'objectSet', 'selectSet']);

const parser = new XMLParser({
  ignoreAttributes: false,
  removeNSPrefix: true,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  isArray: (name) => REPEATED.has(name),
});
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });

/** The request in a SOAP envelope; a body that is not one is an InvalidRequest fault (as vcsim answers). */
export function parseRequest(text: string): SoapRequest {
  let parsed: Record<string, unknown>;
  try {
    parsed = parser.parse(text, true) as Record<string, unknown>;
  } catch (error) {
    throw new SoapFault('InvalidRequest', `the request is not XML: ${(error as Error).message}`);
  }
  const body = (parsed.Envelope as { Body?: Record<string, unknown> } | undefined)?.Body;
  const method = body && Object.keys(body).find((key) => !key.startsWith('@_'));
  if (!body || !method) throw new SoapFault('InvalidRequest', 'the request has no SOAP body');
  const args = (typeof body[method] === 'object' ? body[method] : {}) as Record<string, unknown>;
  const self = moRefOf(args._this);
  if (!self) throw new SoapFault('InvalidRequest', `${method} names no _this`);
  return { method, self, args };
}

/** A managed object reference argument (`<obj type="VirtualMachine">vm-1</obj>`), or undefined. */
export function moRefOf(value: unknown): MoRef | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const node = value as { '@_type'?: string; '#text'?: string };
  if (typeof node['@_type'] !== 'string' || typeof node['#text'] !== 'string') return undefined;
  return { type: node['@_type'], value: node['#text'] };
}

/** A scalar argument as text ('' when absent). */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && '#text' in value)
    return String((value as { '#text': unknown })['#text']);
  return '';
}

/** `<x type="T">v</x>`. */
export function moRefNode(ref: MoRef): XmlNode {
  return { '@_type': ref.type, '#text': ref.value };
}

/** A value with its type: `<val xsi:type="T">…</val>`. */
export function typed(type: string, content: XmlNode): XmlNode {
  if (typeof content === 'object') return { '@_xsi:type': type, ...content };
  return { '@_xsi:type': type, '#text': content };
}

/** The answer to `method`: `<methodResponse xmlns="urn:vim25">` with `returnval` when there is one. */
export function responseEnvelope(method: string, returnval?: XmlNode | XmlNode[]): string {
  return envelope({
    [`${method}Response`]: { '@_xmlns': 'urn:vim25', ...(returnval === undefined ? { '#text': '' } : { returnval }) },
  });
}

/** A fault as vCenter sends it (HTTP 500): faultcode ServerFaultCode, the message, `<TypeFault xsi:type="Type">`. */
export function faultEnvelope(fault: SoapFault): string {
  return envelope({
    'soapenv:Fault': {
      faultcode: 'ServerFaultCode',
      faultstring: fault.message,
      detail: {
        [`${fault.type}Fault`]: {
          '@_xmlns': 'urn:vim25',
          '@_xsi:type': fault.type,
          ...(Object.keys(fault.detail).length === 0 ? { '#text': '' } : fault.detail),
        },
      },
    },
  });
}

function envelope(body: XmlNode): string {
  const xml = builder.build({ 'soapenv:Envelope': { ...ENVELOPE_NS, 'soapenv:Body': body } }) as string;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
}
