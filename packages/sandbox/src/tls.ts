/**
 * The sandbox's own certificate authority: a CA the kubeconfig carries and one server certificate it signs, so that
 * kubectl, client-node and curl verify the sandbox like any cluster (no `insecure-skip-tls-verify` over HTTPS).
 * Keys come from node:crypto (native RSA generation is fast); node-forge only builds and signs the certificates.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/** PEM texts of a sandbox CA and a server certificate it signed (and, when asked, a client certificate). */
export interface SandboxTls {
  /** The CA certificate (PEM): what clients trust. */
  caCert: string;
  /** The server certificate (PEM), signed by the CA, with every requested host in subjectAltName. */
  serverCert: string;
  /** The server's private key (PEM, PKCS#1). */
  serverKey: string;
  /** A client certificate the CA signed for `clientCommonName` (extKeyUsage clientAuth), and its key: when asked. */
  client?: { cert: string; key: string };
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long both certificates are valid. */
const VALIDITY_DAYS = 365;
/** notBefore lies this far in the past so a client whose clock is a little behind still accepts the certificate. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Creates a fresh CA and a server certificate for `hosts` (IP addresses or DNS names), and with `clientCommonName` a
 * client certificate for that user, as a cluster's CA signs the certificates of kubeconfig users. `caCommonName`
 * names the CA (default "kubectl-mtv sandbox CA"), e.g. as OpenShift's ingress operator names its own.
 */
export function createSandboxTls(
  hosts: string[] = ['127.0.0.1', 'localhost'],
  options: { clientCommonName?: string; caCommonName?: string } = {},
): SandboxTls {
  if (hosts.length === 0) throw new Error('createSandboxTls needs at least one host, received none');
  const now = Date.now();
  const ca = rsaKeyPair();
  const caCert = forge.pki.createCertificate();
  fill(caCert, ca.publicKey, now, [{ name: 'commonName', value: options.caCommonName ?? 'kubectl-mtv sandbox CA' }]);
  caCert.setIssuer(caCert.subject.attributes);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());

  const server = rsaKeyPair();
  const serverCert = forge.pki.createCertificate();
  fill(serverCert, server.publicKey, now, [{ name: 'commonName', value: hosts[0] }]);
  serverCert.setIssuer(caCert.subject.attributes);
  serverCert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    // type 7 = iPAddress, type 2 = dNSName (RFC 5280 GeneralName)
    {
      name: 'subjectAltName',
      altNames: hosts.map((host) => (isIP(host) ? { type: 7, ip: host } : { type: 2, value: host })),
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  serverCert.sign(ca.privateKey, forge.md.sha256.create());

  const issued: SandboxTls = {
    caCert: forge.pki.certificateToPem(caCert),
    serverCert: forge.pki.certificateToPem(serverCert),
    serverKey: forge.pki.privateKeyToPem(server.privateKey),
  };
  if (options.clientCommonName === undefined) return issued;
  const client = rsaKeyPair();
  const clientCert = forge.pki.createCertificate();
  fill(clientCert, client.publicKey, now, [{ name: 'commonName', value: options.clientCommonName }]);
  clientCert.setIssuer(caCert.subject.attributes);
  clientCert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  clientCert.sign(ca.privateKey, forge.md.sha256.create());
  return {
    ...issued,
    client: { cert: forge.pki.certificateToPem(clientCert), key: forge.pki.privateKeyToPem(client.privateKey) },
  };
}

function rsaKeyPair(): { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey } {
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(pair.publicKey),
    privateKey: forge.pki.privateKeyFromPem(pair.privateKey),
  };
}

/** Public key, random positive serial, validity and subject: what both certificates share. */
function fill(
  cert: forge.pki.Certificate,
  publicKey: forge.pki.PublicKey,
  now: number,
  subject: forge.pki.CertificateField[],
) {
  cert.publicKey = publicKey;
  const serial = randomBytes(16);
  // DER integers are signed and minimal: a first byte in 0x01..0x7f keeps the serial positive and unpadded
  serial[0] = 0x01 + (serial[0] % 0x7f);
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now - CLOCK_SKEW_MS);
  cert.validity.notAfter = new Date(now + VALIDITY_DAYS * DAY_MS);
  cert.setSubject(subject);
}
