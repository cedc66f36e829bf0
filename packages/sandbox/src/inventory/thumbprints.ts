/**
 * The certificate thumbprints the sandbox's ESXi hosts present: a SHA-1 in vSphere's `AA:BB:...` form (the form
 * govmomi's soap.ThumbprintSHA1 writes and compares), derived from a name, so the same every run and matching no real
 * server. The inventory's hosts carry them (`thumbprint`, Forklift web/vsphere/host.go); CDI's importer in the sandbox
 * checks a DataVolume's against them. vCenter's is the real SHA-1 of the sandbox vCenter's certificate
 * (vcenter/sandbox-vcenter.ts).
 */
import { createHash } from 'node:crypto';

/** The thumbprint of the sandbox server named `subject`. */
export function sandboxThumbprint(subject: string): string {
  const bytes = createHash('sha1').update(`kubectl-mtv sandbox fake thumbprint ${subject}`).digest('hex').toUpperCase();
  return bytes.match(/../g)?.join(':') ?? '';
}

/** The ESXi host's, as the inventory reports it. */
export function esxiThumbprint(hostName: string): string {
  return sandboxThumbprint(`esxi/${hostName}`);
}
