/**
 * Which Forklift Plans `migrate` can finish, decided by each release's own rule for the disk copy (Forklift
 * pkg/apis/forklift/v1beta1/plan.go ShouldUseV2vForTransfer and IsWarm; migrator Itinerary; research notes in
 * docs/COMPATIBILITY.md): kubectl-mtv copies with CDI VDDK DataVolumes, so a plan is its own when Forklift too would
 * copy with CDI and convert nothing afterwards (skipGuestConversion, 2.9+), or, on MTV 2.12+, when the copied disks
 * can be converted in place through Forklift's Conversion CR (conversion.ts conversionSupport). Otherwise a plan that
 * needs a conversion after the copy is copied only with --disks-only; conversion-only, storage-offload and NetApp
 * Shift plans are the controller's. Warm plans follow the same rule (their disks are copied by CDI too).
 */
import { atLeastRelease, type MtvRelease } from './mtv-release.js';

/** The parts of a Plan (and its storage map) the rule reads. */
export interface PlanShape {
  warm?: boolean;
  type?: string;
  skipGuestConversion?: boolean;
  /** The destination is the cluster Forklift runs on (an openshift Provider without a URL). */
  destinationIsHost: boolean;
  /** Storage map entries with an offload plugin (vSphere xcopy, 2.12 CSI volume import). */
  offload: boolean;
  /** 2.12 Plan status netAppShiftDestination: the storage map resolves to NetApp Shift. */
  netAppShift: boolean;
}

export type PlanScope =
  /** Copy with CDI; nothing to convert. */
  | { kind: 'ours'; conversion?: undefined }
  /** Copy with CDI, then convert each VM in place through a Conversion CR (MTV 2.12+); `why` says why it needs one. */
  | { kind: 'ours'; conversion: true; why: string }
  /** Copy with CDI, then a guest conversion kubectl-mtv cannot run here: only with --disks-only. */
  | { kind: 'needs-conversion'; why: string }
  | { kind: 'theirs'; why: string; hint: string };

/** Whether the cluster converts through Conversion CRs (conversion.ts ConversionSupport), and why (not). */
export interface ConversionAvailability {
  available: boolean;
  why: string;
}

const atLeast = atLeastRelease;

/**
 * How `release` treats a plan of this shape, for kubectl-mtv's purpose. `conversion`, when the cluster was asked,
 * makes a plan that needs a guest conversion ours where Conversion CRs are available, and says why not otherwise.
 */
export function planScope(shape: PlanShape, release: MtvRelease, conversion?: ConversionAvailability): PlanScope {
  const controller = 'run it with the MTV controller';
  // type arrives in 2.9 (pruned before); 2.9 reads only warm (IsWarm from 2.10: warm || type == warm)
  const type = atLeast(release, '2.9') ? shape.type : undefined;
  if (type === 'conversion') {
    return {
      kind: 'theirs',
      why: 'is a conversion-only plan (type: conversion): it copies nothing, the MTV controller converts disks already in place',
      hint: controller,
    };
  }
  // a warm plan is copied as a cold one (CDI VDDK DataVolumes, Plan.ShouldUseV2vForTransfer is false for warm), in
  // precopy rounds (warm-loop.ts); the same conversion rule follows
  const warm = shape.warm === true || (atLeast(release, '2.10') && type === 'warm');
  if (type !== undefined && type !== 'cold' && type !== 'warm') {
    return {
      kind: 'theirs',
      why: `is a ${type} migration (type: ${type}); kubectl mtv migrate runs cold and warm plans`,
      hint: controller,
    };
  }
  if (shape.offload) {
    return {
      kind: 'theirs',
      why: 'copies with storage offload (its storage map names an offload plugin): the MTV controller copies those disks with its volume populator',
      hint: controller,
    };
  }
  if (release === '2.12' && shape.netAppShift) {
    return {
      kind: 'theirs',
      why: 'maps its storage to NetApp Shift, which MTV 2.12 copies itself (PVCs, no DataVolumes)',
      hint: controller,
    };
  }
  const skip = atLeast(release, '2.9') && shape.skipGuestConversion === true;
  if (skip) return { kind: 'ours' };
  // without skipGuestConversion every copy is followed by a virt-v2v conversion (in place after CDI, or virt-v2v
  // copying and converting for a local plan that migrates shared disks): the MTV controller's, never ours
  const where = shape.destinationIsHost ? 'to the local cluster' : 'to a remote cluster';
  const kind = warm ? 'a warm plan' : 'a cold plan';
  const why = atLeast(release, '2.9')
    ? `needs a guest conversion after the copy (${kind} ${where} without skipGuestConversion, MTV ${release})`
    : `needs a guest conversion after the copy (every copy on MTV ${release}, which has no Raw Copy mode)`;
  if (conversion?.available) return { kind: 'ours', conversion: true, why };
  return { kind: 'needs-conversion', why: conversion ? `${why}, and ${conversion.why}` : why };
}
