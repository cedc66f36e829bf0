/**
 * One vCenter SDK endpoint over HTTPS: POSTs envelopes, keeps the `vmware_soap_session` cookie in memory (as govmomi's
 * soap.Client keeps it in its cookie jar), turns Faults into VSphereFault and failures to connect into
 * VCenterUnreachable. Nothing is sent on a connection before its certificate is judged (tls-trust.ts): the request
 * is ended only once the socket's handshake was accepted, so a refused server never sees a password or the cookie.
 */
import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import { rootCertificates, type TLSSocket } from 'node:tls';
import { describeNetworkError } from '../network-errors.js';
import { parseSoapBody, SOAP_ACTION, type SoapValue, soapEnvelope, type XmlNode } from './soap-envelope.js';
import { faultOf, vsphereFault } from './soap-fault.js';
import { judgeCertificate } from './tls-trust.js';
import { type MoRef, type VCenterEndpoint, VCenterUnreachable } from './types.js';

/** The session cookie vCenter (and vcsim) set on Login. */
const SESSION_COOKIE = 'vmware_soap_session';
/** Kept-alive connections the agent holds to one endpoint. */
const MAX_SOCKETS = 4;

/** A connection to one endpoint that sends vim25 calls. */
export interface SoapTransport {
  /** Calls `method` on `target` and returns its `<methodResponse>` element; throws VSphereFault or VCenterUnreachable. */
  call(method: string, target: MoRef, args?: Record<string, SoapValue | undefined>): Promise<XmlNode>;
  /** Masks `secret` (the session's key, as Login returns it) out of every fault message from now on. */
  conceal(secret: string): void;
  /** Forgets the cookie and closes the idle connections. */
  close(): void;
}

/** A transport to `endpoint.url`; `timeoutMs` bounds each call from connecting to the last byte of the answer. */
export function soapTransport(endpoint: VCenterEndpoint, timeoutMs: number): SoapTransport {
  const url = new URL(endpoint.url);
  const where = `${url.origin}${url.pathname}`;
  const agent = new Agent({
    keepAlive: true,
    maxSockets: MAX_SOCKETS,
    ca: endpoint.ca === undefined ? undefined : [...rootCertificates, endpoint.ca],
    // judged in `trusted` below, before anything is written: a thumbprint may accept what the chain does not
    rejectUnauthorized: false,
  });
  const judged = new WeakMap<TLSSocket, string | undefined>();
  let cookie: string | undefined;
  const concealed: string[] = [endpoint.password, endpoint.user];

  /** undefined when the socket's certificate is accepted, else why not (judged once per connection). */
  function refusal(socket: TLSSocket): string | undefined {
    if (!judged.has(socket)) {
      const why = socket.authorized ? undefined : String(socket.authorizationError);
      const verdict =
        why === undefined ? { accepted: true as const } : judgeCertificate(endpoint, why, socket.getPeerCertificate());
      judged.set(socket, verdict.accepted ? undefined : verdict.reason);
    }
    return judged.get(socket);
  }

  /**
   * Sends one call. A server closes a kept-alive connection left idle (Node's own servers after 5 s), and only when no
   * call is in progress on it; a call that went out on it just then meets a reset before any answer (Node's documented
   * race, http.ClientRequest reusedSocket), unread, so it is sent again on another connection. Each kept-alive
   * connection fails so at most once: after MAX_SOCKETS such resets the agent opens a new one, whose reset is a failure.
   */
  function post(method: string, payload: string, stale = 0): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(url, {
        agent,
        method: 'POST',
        headers: {
          'Content-Type': 'text/xml; charset=utf-8',
          SOAPAction: SOAP_ACTION,
          'Content-Length': Buffer.byteLength(payload),
          ...(cookie === undefined ? {} : { Cookie: `${SESSION_COOKIE}=${cookie}` }),
        },
      });
      const timer = setTimeout(
        () => req.destroy(new Error(`no answer to ${method} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      req.once('close', () => clearTimeout(timer));
      let answered = false;
      req.on('error', (error) => {
        const reset = (error as NodeJS.ErrnoException).code === 'ECONNRESET';
        if (reset && req.reusedSocket && !answered && stale < MAX_SOCKETS) {
          post(method, payload, stale + 1).then(resolve, reject);
          return;
        }
        reject(new VCenterUnreachable(where, describeNetworkError(error)));
      });
      req.once('socket', (raw) => {
        const socket = raw as TLSSocket;
        const send = () => {
          // an event handler: whatever goes wrong here fails this call, never the process
          try {
            const why = refusal(socket);
            if (why === undefined) req.end(payload);
            else req.destroy(new Error(why));
          } catch (error) {
            req.destroy(error instanceof Error ? error : new Error(String(error)));
          }
        };
        // every connection of this agent is judged on its handshake; a reused keep-alive one already was
        if (judged.has(socket)) send();
        else socket.once('secureConnect', send);
      });
      req.once('response', (res: IncomingMessage) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => reject(new VCenterUnreachable(where, describeNetworkError(error))));
        res.on('end', () => {
          for (const line of res.headers['set-cookie'] ?? []) {
            const match = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(line);
            if (match !== null) cookie = match[1];
          }
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
    });
  }

  return {
    async call(method, target, args) {
      const { status, body } = await post(method, soapEnvelope(method, target, args));
      let parsed: XmlNode;
      try {
        parsed = parseSoapBody(body);
      } catch {
        throw new VCenterUnreachable(
          where,
          `the server answered HTTP ${status} without a SOAP envelope (is ${where} the SDK endpoint?)`,
        );
      }
      const fault = faultOf(parsed);
      // the answer may echo what identifies the session or the user: neither reaches a message
      const secrets = [cookie ?? '', ...concealed].filter((secret) => secret.length >= 3);
      if (fault !== undefined) throw vsphereFault(fault, method, secrets);
      const response = parsed[`${method}Response`];
      if (!Array.isArray(response) || response[0] === undefined) {
        throw new VCenterUnreachable(where, `the server's answer to ${method} has no ${method}Response`);
      }
      return response[0];
    },
    conceal(secret) {
      concealed.push(secret);
    },
    close() {
      cookie = undefined;
      agent.destroy();
    },
  };
}
