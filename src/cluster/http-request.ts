/**
 * Plain HTTP(S) for the API server and the inventory: one request, its whole answer as text (or its response as a
 * stream, for watches), and network errors in words. No retries and no meaning here: kube-transport.ts and
 * inventory-client.ts decide what an answer means.
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseRetryAfter } from './retry-policy.js';

/** A whole answer. */
export interface HttpAnswer {
  status: number;
  /** Retry-After in seconds, when the server sent one. */
  retryAfterSeconds?: number;
  text: string;
}

/**
 * Opens a request over http or https (by the URL's scheme); resolves with the response once its head arrives. A
 * `timeoutMs` deadline (0: none) runs from when the request has a connection, so that waiting for one of an agent's
 * connections is not counted as the server's slowness; it covers the whole answer, body included.
 */
export function openHttp(url: URL, options: RequestOptions, payload?: string, timeoutMs = 0): Promise<IncomingMessage> {
  const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, options, resolve);
    if (timeoutMs > 0) {
      req.once('socket', () => {
        const timer = setTimeout(
          () => req.destroy(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')),
          timeoutMs,
        );
        req.once('close', () => clearTimeout(timer));
      });
    }
    req.on('error', reject);
    req.end(payload);
  });
}

/** Sends one request and collects the whole answer as text (`timeoutMs` as for openHttp). */
export async function sendHttp(
  url: URL,
  options: RequestOptions,
  payload?: string,
  timeoutMs = 0,
): Promise<HttpAnswer> {
  const res = await openHttp(url, options, payload, timeoutMs);
  const text = await readAll(res);
  const retryAfterSeconds = parseRetryAfter(res.headers['retry-after']);
  const answer: HttpAnswer = { status: res.statusCode ?? 0, text };
  if (retryAfterSeconds !== undefined) answer.retryAfterSeconds = retryAfterSeconds;
  return answer;
}

/** The rest of a response's body as text. */
export function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('error', reject);
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** The body as JSON; undefined when empty, `{message}` with its start when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}
