/**
 * Which server certificates a session accepts, as govmomi's soap.Client with Forklift's settings
 * (Forklift release-2.12 pkg/controller/plan/adapter/vsphere/client.go connect: soap.NewClient(url, insecure),
 * SetThumbprint(host, provider.status.fingerprint)): the chain is verified against the system roots plus the
 * Provider's CA; when that fails for an unknown authority or a host name mismatch and a thumbprint is set, the
 * certificate is accepted only if its SHA-1 fingerprint is that thumbprint (govmomi 0.24.2 vim25/soap/client.go
 * dialTLS, ThumbprintSHA1); insecureSkipVerify accepts anything. An expired certificate is refused even with a
 * matching thumbprint, as in dialTLS. Thumbprints compare case-insensitively (govmomi compares as sent: upper case).
 */
import type { PeerCertificate } from 'node:tls';
import type { VCenterEndpoint } from './types.js';

/** Node's verification errors that govmomi's dialTLS lets a thumbprint overrule (x509.UnknownAuthorityError, HostnameError). */
const OVERRULED_BY_THUMBPRINT = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** `aa:bb:…` or `AABB…` as `AA:BB:…`, for comparing. */
export function normalizeThumbprint(thumbprint: string): string {
  const hex = thumbprint.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  return (hex.match(/../g) ?? []).join(':');
}

/**
 * Whether a certificate whose chain did not verify (`why`: Node's authorizationError code) is still accepted, and if
 * not, the reason in words. `certificate` is the peer's; `fingerprint` is Node's colon-separated SHA-1.
 */
export function judgeCertificate(
  endpoint: Pick<VCenterEndpoint, 'thumbprint' | 'insecureSkipVerify'>,
  why: string,
  certificate: Partial<Pick<PeerCertificate, 'fingerprint'>>,
): { accepted: true } | { accepted: false; reason: string } {
  if (endpoint.insecureSkipVerify === true) return { accepted: true };
  // Node gives an empty object when the peer sent no certificate or the socket is already gone
  if (!certificate.fingerprint) return { accepted: false, reason: `the server presented no certificate (${why})` };
  const pinned = endpoint.thumbprint?.trim() ?? '';
  if (pinned === '') return { accepted: false, reason: `the server certificate is not trusted (${why})` };
  if (!OVERRULED_BY_THUMBPRINT.has(why)) {
    return {
      accepted: false,
      reason: `the server certificate is not trusted (${why}); a thumbprint cannot overrule that`,
    };
  }
  if (normalizeThumbprint(certificate.fingerprint) === normalizeThumbprint(pinned)) return { accepted: true };
  return {
    accepted: false,
    reason: `the server certificate is not trusted (${why}) and its SHA-1 thumbprint ${certificate.fingerprint} is not the Provider's ${pinned}`,
  };
}
