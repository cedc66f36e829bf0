import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface JsonReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed body, or the raw text when it is not JSON. */
  body: unknown;
}

/** A GET over real HTTP(S): `token` as a bearer token when given, `ca` as the only trusted CA for https. */
export function getJson(url: string, options: { token?: string; ca?: string } = {}): Promise<JsonReply> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  const headers = options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` };
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, ca: options.ca, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
