/**
 * Which uuid a DataVolume's vddk source names its VM by. CDI's importer looks the VM up in vCenter by that uuid; a
 * BIOS uuid repeats on cloned VMs, so a clone's disk could be copied instead, which the instance uuid rules out. MTV
 * 2.12 gives CDI the instance uuid where the destination's CDI finds VMs by it (Forklift release-2.12
 * pkg/controller/plan/adapter/vsphere/builder.go canUseInstanceUUID, used by DataVolumes and PopulatorVolumes);
 * earlier releases always give the BIOS uuid.
 */
import semver from 'semver';
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-errors.js';
import { atLeastRelease, type MtvRelease } from './mtv-release.js';
import type { VddkUuid } from './resolved-plan.js';
import { RESOURCES } from './resource-types.js';

interface CdiObject {
  status?: { observedVersion?: string };
}

/**
 * Forklift's canUseInstanceUUID, for a CDI that reports `observedVersion`. The downstream CDI of OpenShift
 * Virtualization reports its CNV version (v4.y.z): instance uuids from 4.22.1, 4.21.9 and 4.20.16 on. Upstream
 * versions (v1.y.z) Forklift accepts all; here only from v1.66.0, where CDI's importer first looks a VM up by instance
 * uuid (containerized-data-importer pkg/importer/vddk-datasource_amd64.go FindVM, commit 226a35037 "VDDK: use
 * instance UUIDs instead of BIOS UUIDs"): an older one searches BIOS uuids only and would not find the VM.
 */
export function cdiFindsInstanceUuid(observedVersion: string): { ok: true } | { ok: false; why: string } {
  const version = semver.parse(observedVersion);
  if (version === null) return { ok: false, why: `CDI's version "${observedVersion}" is not a semantic version` };
  const below = (floor: string, ceiling?: string) =>
    semver.lt(version, floor) && (ceiling === undefined || semver.gte(version, ceiling));
  if (below('4.22.1', '4.22.0') || below('4.21.9', '4.21.0') || below('4.20.16', '4.0.0')) {
    return {
      ok: false,
      why: `CDI ${observedVersion} finds VMs by BIOS uuid only (instance uuids from 4.20.16, 4.21.9 and 4.22.1)`,
    };
  }
  if (version.major === 1 && semver.lt(version, '1.66.0')) {
    return { ok: false, why: `CDI ${observedVersion} finds VMs by BIOS uuid only (instance uuids from v1.66.0)` };
  }
  return { ok: true };
}

/**
 * The uuid `release` would give CDI on this cluster. From 2.12 it lists CDI installations cluster-wide as Forklift
 * does and reads the first one's status.observedVersion; a user who may not list them gets the BIOS uuid and a note,
 * as Forklift falls back to it on any error.
 */
export async function chooseVddkUuid(client: KubeClient, release: MtvRelease): Promise<VddkUuid> {
  if (!atLeastRelease(release, '2.12')) return { kind: 'bios', why: `MTV ${release} gives CDI the BIOS uuid` };
  let cdis: CdiObject[];
  try {
    cdis = await client.list<CdiObject>(RESOURCES.cdis);
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 403) {
      return {
        kind: 'bios',
        why: "CDI's version is unknown: listing cdis.cdi.kubevirt.io cluster-wide is forbidden",
        unknownCdi: true,
      };
    }
    if (error instanceof KubeApiError && error.status === 404) {
      return { kind: 'bios', why: 'the cluster serves no cdis.cdi.kubevirt.io', unknownCdi: true };
    }
    throw error;
  }
  const first = cdis[0];
  if (first === undefined) return { kind: 'bios', why: 'no CDI installation found', unknownCdi: true };
  const observed = first.status?.observedVersion ?? '';
  if (observed === '') return { kind: 'bios', why: 'CDI has not reported its version (status.observedVersion)' };
  const finds = cdiFindsInstanceUuid(observed);
  return finds.ok ? { kind: 'instance', cdiVersion: observed } : { kind: 'bios', why: finds.why };
}
