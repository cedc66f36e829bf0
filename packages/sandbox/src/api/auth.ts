/**
 * Authentication (one bearer token) and authorization (everything allowed except the `deny` rules, each
 * "VERB:RESOURCE", e.g. "create:datavolumes", "list:plans.forklift.konveyor.io", "patch:datavolumes/status",
 * "*:secrets", and namespace-scoped as a Role is: "get:secrets@openshift-mtv"), with kube's 401 and 403 answers.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { forbidden } from './api-error.js';
import type { ResourceType } from './resource-type.js';

/** True when the request carries `Authorization: Bearer <token>`. */
export function authenticated(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The user a verified TLS client certificate names (its CN), as kube-apiserver's x509 authenticator
 * (k8s.io/apiserver/pkg/authentication/request/x509 x509.go: verified against --client-ca-file, user = CN); undefined
 * without one, or when it did not verify.
 */
export function certificateUser(req: IncomingMessage): string | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (socket.authorized !== true || typeof socket.getPeerCertificate !== 'function') return undefined;
  const subject = socket.getPeerCertificate().subject as { CN?: string } | undefined;
  return subject?.CN || undefined;
}

/** What an authorizer is asked: kube's resource attributes. */
export interface AccessAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

interface DenyRule {
  verb: string;
  resource: string;
  /** Only in this namespace; every namespace (and the cluster scope) when absent. */
  namespace?: string;
}

export class Authorizer {
  private readonly rules: DenyRule[];

  /** `user` is the name the sandbox's token stands for, as 403 messages quote it. */
  constructor(
    deny: readonly string[],
    readonly user: string,
  ) {
    this.rules = deny.map((rule) => {
      const match = /^([^:@]+):([^@]+)(?:@(.+))?$/.exec(rule.trim());
      if (!match)
        throw new Error(
          `a deny rule is "VERB:RESOURCE[@NAMESPACE]", e.g. "create:datavolumes"; got ${JSON.stringify(rule)}`,
        );
      return {
        verb: match[1].toLowerCase(),
        resource: match[2].toLowerCase(),
        ...(match[3] !== undefined && { namespace: match[3] }),
      };
    });
  }

  allowed(attributes: AccessAttributes): boolean {
    const plain = attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;
    const qualified = attributes.group
      ? attributes.subresource
        ? `${attributes.resource}.${attributes.group}/${attributes.subresource}`
        : `${attributes.resource}.${attributes.group}`
      : plain;
    return !this.rules.some(
      (rule) =>
        (rule.verb === '*' || rule.verb === attributes.verb.toLowerCase()) &&
        (rule.resource === '*' || rule.resource === plain || rule.resource === qualified) &&
        (rule.namespace === undefined || rule.namespace === attributes.namespace),
    );
  }

  /** Throws kube's 403 when the request is denied. */
  authorize(type: ResourceType, attributes: AccessAttributes): void {
    if (this.allowed(attributes)) return;
    const resource = attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;
    const scope = attributes.namespace ? `in the namespace "${attributes.namespace}"` : 'at the cluster scope';
    throw forbidden(
      type,
      attributes.name ?? '',
      `User "${this.user}" cannot ${attributes.verb} resource "${resource}" in API group "${attributes.group}" ${scope}`,
    );
  }
}
