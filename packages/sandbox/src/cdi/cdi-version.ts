/**
 * The CDI version the sandbox stands for: what its CDI resource reports (status.observedVersion) and what its importer
 * can do. Upstream CDI reports v1.y.z; OpenShift Virtualization's reports its own version, v4.y.z.
 */
import semver from 'semver';

/** The version the sandbox's CDI CRDs come from (crds/cdi: v1.66.0+6), reported unless another is asked for. */
export const DEFAULT_CDI_VERSION = 'v1.66.0';

/**
 * The first versions whose importer looks a VM up by instance uuid, then BIOS uuid: upstream from v1.66.0
 * (containerized-data-importer commit 226a35037, pkg/importer/vddk-datasource_amd64.go FindVM); in OpenShift
 * Virtualization from 4.20.16, 4.21.9 and 4.22.1 (the backports Forklift release-2.12 names in
 * pkg/controller/plan/adapter/vsphere/builder.go canUseInstanceUUID). Each entry: the first version with it, and the
 * first version of the next line, below which the entry applies (none for the newest).
 */
const INSTANCE_UUID_SINCE: readonly [since: string, nextLine?: string][] = [
  ['1.66.0', '2.0.0'],
  ['4.20.16', '4.21.0'],
  ['4.21.9', '4.22.0'],
  ['4.22.1'],
];

/** A version the sandbox can report: semantic, with or without its leading v. */
export function isCdiVersion(version: string): boolean {
  return semver.valid(version) !== null;
}

/** Whether CDI `version`'s importer finds a VM by its instance uuid; false for a version it cannot read. */
export function findsInstanceUuid(version: string): boolean {
  const parsed = semver.parse(version);
  if (parsed === null) return false;
  return INSTANCE_UUID_SINCE.some(
    ([since, nextLine]) => semver.gte(parsed, since) && (nextLine === undefined || semver.lt(parsed, nextLine)),
  );
}
