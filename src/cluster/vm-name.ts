/**
 * The name a source VM gets in the target namespace, as each MTV release gives it. Pure.
 *
 * Forklift renames only a source name that is not a DNS-1123 subdomain (migration.go, Started phase:
 * IsDNS1123Subdomain), with changeVmNameDNS1123: release-2.8/2.9 pkg/controller/plan/vm_name_handler.go changeVmName,
 * 2.10+ pkg/controller/plan/util/utils.go ChangeVmName. A name that comes out empty becomes `vm-<4 random characters>`
 * there, and a name already taken gets `-<4 random characters>`: not reproducible, so here an empty result becomes
 * `vm-<4 characters of the VM id's SHA-256>` and a taken name is refused by the resolver (vm-target.ts).
 */
import { createHash } from 'node:crypto';
import { atLeastRelease, type MtvRelease } from './mtv-release.js';

/** k8s.io/apimachinery validation.DNS1123LabelMaxLength, Forklift's NameMaxLength in 2.8 and 2.9. */
const LABEL_MAX = 63;
/** validation.DNS1123SubdomainMaxLength. */
const SUBDOMAIN_MAX = 253;
const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})*$`);

/** k8s.io/apimachinery validation.IsDNS1123Subdomain, as a boolean. */
export function isDns1123Subdomain(name: string): boolean {
  return name.length <= SUBDOMAIN_MAX && SUBDOMAIN.test(name);
}

/**
 * The release's changeVmName of `name`: lowercase, trimmed of `.` and `-`, each dot-separated part with `_` as `-`
 * (2.10+ also `+`, `*`, space, `/` and `\`), other characters dropped, trimmed; 2.10+ collapses runs of `-` and caps
 * each part at 63; the whole capped at 63 (2.10+ trims `.`/`-` left at the cut). An empty result is `vm-<suffix>`,
 * the suffix taken from `vmId` (Forklift's is random).
 */
export function cleanVmName(name: string, release: MtvRelease, vmId: string): string {
  const modern = atLeastRelease(release, '2.10');
  const parts: string[] = [];
  for (const raw of trim(name.toLowerCase(), '.-').split('.')) {
    let part = raw.replaceAll('_', '-');
    if (modern) part = part.replace(/[+* /\\]/g, '-');
    part = trim(part.replace(/[^a-z0-9-]/g, ''), '-.');
    if (modern) {
      part = part
        .split('-')
        .filter((piece) => piece !== '')
        .join('-');
      if (part.length > LABEL_MAX) part = trim(part.slice(0, LABEL_MAX), '-');
    }
    if (part !== '') parts.push(part);
  }
  let cleaned = parts.join('.');
  if (cleaned.length > LABEL_MAX) {
    cleaned = cleaned.slice(0, LABEL_MAX);
    if (modern) cleaned = trim(cleaned, '.-');
  }
  return cleaned === '' ? `vm-${idSuffix(vmId)}` : cleaned;
}

/** The name Forklift would give the VM when no targetName or earlier newName says: the source name if valid. */
export function defaultTargetName(name: string, release: MtvRelease, vmId: string): string {
  return isDns1123Subdomain(name) ? name : cleanVmName(name, release, vmId);
}

/** Four lowercase letters and digits from the VM id, where Forklift draws four at random. */
function idSuffix(vmId: string): string {
  const charset = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const hash = createHash('sha256').update(vmId).digest();
  return Array.from(hash.subarray(0, 4), (byte) => charset[byte % charset.length]).join('');
}

/** Go's strings.Trim with a cutset. */
function trim(text: string, cutset: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && cutset.includes(text[start])) start++;
  while (end > start && cutset.includes(text[end - 1])) end--;
  return text.slice(start, end);
}
