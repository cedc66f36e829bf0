/**
 * A test's view of a vim25 endpoint: raw envelopes over node:https (trusting only the given CA), the answer parsed
 * with namespace prefixes dropped. Deliberately no client: each test writes the body govmomi would send.
 */
import { request } from 'node:https';
import { XMLParser } from 'fast-xml-parser';

/** Parsed XML, walked by the tests' expectations (each path they read is asserted, so a wrong one fails). */
// biome-ignore lint/suspicious/noExplicitAny: the shape is what the tests assert
export type Xml = any;

export interface SoapReply {
  status: number;
  /** The parsed Body (e.g. `{ LoginResponse: {...} }` or `{ Fault: {...} }`). */
  body: Record<string, Xml>;
  text: string;
  setCookie?: string;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  removeNSPrefix: true,
  attributeNamePrefix: '@_',
  parseTagValue: false,
});

export function soap(url: string, ca: string, body: string, cookie?: string): Promise<SoapReply> {
  const envelope = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        ca,
        agent: false,
        headers: {
          'Content-Type': 'text/xml; charset="utf-8"',
          SOAPAction: '"urn:vim25/7.0.3.0"',
          ...(cookie && { Cookie: cookie }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => {
          const parsed = parser.parse(text) as { Envelope: { Body: Record<string, Xml> } };
          const raw = res.headers['set-cookie']?.[0];
          resolve({
            status: res.statusCode ?? 0,
            body: parsed.Envelope.Body,
            text,
            ...(raw && { setCookie: raw.split(';')[0] }),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(envelope);
  });
}

/** The detail fault's xsi:type of a fault reply, or undefined. */
export function faultType(reply: SoapReply): string | undefined {
  const detail = reply.body.Fault?.detail as Record<string, Record<string, string>> | undefined;
  const first = detail && Object.values(detail)[0];
  return first?.['@_type'];
}

export const ref = (type: string, value: string) => `<_this type="${type}">${value}</_this>`;

/** RetrievePropertiesEx of `paths` of one object, as govmomi's property.Collector sends it. */
export function retrieveBody(type: string, value: string, paths: string[]): string {
  return `<RetrievePropertiesEx xmlns="urn:vim25">${ref('PropertyCollector', 'propertyCollector')}<specSet><propSet><type>${type}</type>${paths.map((p) => `<pathSet>${p}</pathSet>`).join('')}</propSet><objectSet><obj type="${type}">${value}</obj><skip>false</skip></objectSet></specSet><options></options></RetrievePropertiesEx>`;
}
