/**
 * vim25 SOAP on the wire: the request envelope and the response's Body, parsed to plain nodes. Every element becomes
 * an array of nodes (so one child and many read alike) and every leaf keeps its text under `#text`; element prefixes
 * are dropped, attribute names are kept as sent (`@_type` is a MoRef's type). The xsi:type is read by namespace, not
 * by prefix: a real vCenter (and the sandbox's) writes `xsi:type` with `xsi` bound on the envelope, vcsim writes
 * `XMLSchema-instance:type` with that prefix bound on the property value and used again by its descendants; either
 * is resolved against the declarations in scope and kept under XSI_TYPE.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { MoRef } from './types.js';

/** A parsed element: attributes as `@_name`, text as `#text`, children as arrays. */
export interface XmlNode {
  [name: string]: XmlNode[] | string | undefined;
}

/** One argument of a vim25 method, in the order the WSDL's sequence wants it; undefined arguments are left out. */
export type SoapValue = string | number | boolean | MoRef | SoapValue[] | { [element: string]: SoapValue | undefined };

/** The XML Schema instance namespace, whose `type` attribute names a value's type. */
const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

/** Where parseSoapBody keeps an element's xsi:type (Clark notation: no attribute or element can be named so). */
const XSI_TYPE = `{${XSI_NAMESPACE}}type`;

/** govmomi 0.24.2 vim25/client.go: Version "7.0", sent as SOAPAction `urn:vim25/7.0` (soap/client.go RoundTrip). */
export const SOAP_ACTION = 'urn:vim25/7.0';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', textNodeName: '#text' });

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  alwaysCreateTextNode: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
  transformTagName: (name) => name.slice(name.indexOf(':') + 1),
});

function isMoRef(value: SoapValue): value is MoRef {
  return typeof value === 'object' && !Array.isArray(value) && Object.keys(value).join() === 'type,value';
}

function toXml(value: SoapValue): unknown {
  if (isMoRef(value)) return { '@_type': value.type, '#text': value.value };
  if (Array.isArray(value)) return value.map(toXml);
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter((entry): entry is [string, SoapValue] => entry[1] !== undefined)
        .map(([name, v]) => [name, toXml(v)]),
    );
  }
  return String(value);
}

/** The envelope of one call: `<method xmlns="urn:vim25"><_this type=…>…</_this>…args</method>`. */
export function soapEnvelope(method: string, target: MoRef, args: Record<string, SoapValue | undefined> = {}): string {
  const call = { '@_xmlns': 'urn:vim25', ...(toXml({ _this: target, ...args }) as object) };
  const envelope = {
    'soapenv:Envelope': {
      '@_xmlns:soapenv': 'http://schemas.xmlsoap.org/soap/envelope/',
      '@_xmlns:xsd': 'http://www.w3.org/2001/XMLSchema',
      '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      'soapenv:Body': { [method]: call },
    },
  };
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(envelope)}`;
}

/** The Body of a response (its one child: `<methodResponse>` or `<Fault>`); throws when it is not a SOAP envelope. */
export function parseSoapBody(xml: string): XmlNode {
  const doc = parser.parse(xml) as XmlNode;
  resolveXsiTypes(doc, new Map());
  const body = child(child(doc, 'Envelope'), 'Body');
  if (body === undefined) throw new Error('the answer is not a SOAP envelope');
  return body;
}

/** The children of `node` named `name` ([] when none). */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const value = node?.[name];
  return Array.isArray(value) ? value : [];
}

/** The first child of `node` named `name`. */
export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return children(node, name)[0];
}

/** The text of `node` ('' for an empty element). */
export function text(node: XmlNode | undefined): string {
  const value = node?.['#text'];
  return typeof value === 'string' ? value : '';
}

/** The text of the first child named `name`, or undefined when there is none. */
export function childText(node: XmlNode | undefined, name: string): string | undefined {
  const found = child(node, name);
  return found === undefined ? undefined : text(found);
}

/**
 * Records each element's xsi:type under XSI_TYPE: a `<prefix>:type` attribute whose prefix the element or an
 * ancestor binds to the XML Schema instance namespace (an unbound prefix, or one bound elsewhere, is not it).
 */
function resolveXsiTypes(node: XmlNode, inherited: ReadonlyMap<string, string>): void {
  let scope = inherited;
  for (const [name, value] of Object.entries(node)) {
    if (typeof value === 'string' && name.startsWith('@_xmlns:')) {
      if (scope === inherited) scope = new Map(inherited);
      (scope as Map<string, string>).set(name.slice('@_xmlns:'.length), value);
    }
  }
  for (const [name, value] of Object.entries(node)) {
    const prefix = /^@_([^:]+):type$/.exec(name)?.[1];
    if (typeof value === 'string' && prefix !== undefined && scope.get(prefix) === XSI_NAMESPACE) {
      node[XSI_TYPE] = value;
    }
  }
  for (const [name, value] of Object.entries(node)) {
    if (name !== XSI_TYPE && Array.isArray(value)) for (const element of value) resolveXsiTypes(element, scope);
  }
}

/** The node's xsi:type (without the value's own prefix: `xsd:string` is `string`), as parseSoapBody resolved it. */
export function xsiType(node: XmlNode | undefined): string | undefined {
  const value = node?.[XSI_TYPE];
  return typeof value === 'string' ? value.slice(value.indexOf(':') + 1) : undefined;
}

/** A MoRef element (`<obj type="Task">task-1</obj>`), or undefined when the element or its type is absent. */
export function moRef(node: XmlNode | undefined): MoRef | undefined {
  const type = node?.['@_type'];
  return typeof type === 'string' ? { type, value: text(node) } : undefined;
}
