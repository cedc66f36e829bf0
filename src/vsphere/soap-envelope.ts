/**
 * vim25 SOAP on the wire: the request envelope and the response's Body, parsed to plain nodes. Every element becomes
 * an array of nodes (so one child and many read alike) and every leaf keeps its text under `#text`; element prefixes
 * are dropped, attribute names are kept as sent (`@_type` is a MoRef's type, `@_<prefix>:type` the xsi:type: vcsim
 * binds the XML Schema instance namespace to the prefix `XMLSchema-instance`, not `xsi`, inside property values).
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { MoRef } from './types.js';

/** A parsed element: attributes as `@_name`, text as `#text`, children as arrays. */
export interface XmlNode {
  [name: string]: XmlNode[] | string | undefined;
}

/** One argument of a vim25 method, in the order the WSDL's sequence wants it; undefined arguments are left out. */
export type SoapValue = string | number | boolean | MoRef | SoapValue[] | { [element: string]: SoapValue | undefined };

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

/** The node's xsi:type, whatever prefix the server bound the XML Schema instance namespace to. */
export function xsiType(node: XmlNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  for (const [name, value] of Object.entries(node)) {
    if (typeof value === 'string' && /^@_[^:]+:type$/.test(name)) return value.slice(value.indexOf(':') + 1);
  }
  return undefined;
}

/** A MoRef element (`<obj type="Task">task-1</obj>`), or undefined when the element or its type is absent. */
export function moRef(node: XmlNode | undefined): MoRef | undefined {
  const type = node?.['@_type'];
  return typeof type === 'string' ? { type, value: text(node) } : undefined;
}
