/**
 * Network and TLS failures in words, for every adapter that speaks HTTP (the API server, the inventory, vCenter):
 * one wording, so the same refusal reads the same whoever met it.
 */

/** A network or TLS failure in a few words, with its code: "connection refused (ECONNREFUSED)". */
export function describeNetworkError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ECONNRESET: 'connection reset',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed and not trusted',
    SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate chains to a CA that is not trusted',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate is not signed by a trusted CA',
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its TLS certificate is signed by an unknown CA',
    CERT_HAS_EXPIRED: 'its TLS certificate has expired',
    ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate does not name this host',
  };
  const text = words[code] ?? firstLine(error);
  return code ? `${text} (${code})` : text;
}

/** The TLS certificate checks describeNetworkError names: the server answered, but we do not trust it. */
export function isCertificateError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  return /CERT|LEAF_SIGNATURE/.test(code);
}

/** The first line of an error's message (or of what was thrown), trimmed. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].trim();
}
