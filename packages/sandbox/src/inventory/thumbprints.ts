/**
 * The certificate thumbprints the sandbox's vCenter and ESXi hosts present: a SHA-1 in vSphere's `AA:BB:...` form (the
 * form govmomi's soap.ThumbprintSHA1 writes and compares), derived from a name, so the same every run and matching no
 * real server. The Provider's status.fingerprint carries vCenter's; the inventory's hosts carry their own
 * (`thumbprint`, Forklift web/vsphere/host.go); CDI's importer in the sandbox checks a DataVolume's against them.
 */
import { createHash } from 'node:crypto';
import { SEED_NAMES } from '../seed/names.js';

/** The thumbprint of the sandbox server named `subject`. */
export function sandboxThumbprint(subject: string): string {
  const bytes = createHash('sha1').update(`kubectl-mtv sandbox fake thumbprint ${subject}`).digest('hex').toUpperCase();
  return bytes.match(/../g)?.join(':') ?? '';
}

/** vCenter's: the source Provider's status.fingerprint. */
export const VCENTER_THUMBPRINT = sandboxThumbprint(SEED_NAMES.vcenterUrl);

/** The ESXi host's, as the inventory reports it. */
export function esxiThumbprint(hostName: string): string {
  return sandboxThumbprint(`esxi/${hostName}`);
}
