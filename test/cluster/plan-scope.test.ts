/**
 * Forklift's own rule for the disk copy, release by release (plan.go ShouldUseV2vForTransfer and IsWarm of
 * release-2.8 to release-2.12, docs/COMPATIBILITY.md): which plans kubectl-mtv finishes (CDI copy, no conversion),
 * which need a conversion after the copy (only with --disks-only), and which are the controller's.
 */
import { describe, expect, it } from 'vitest';
import type { MtvRelease } from '../../src/cluster/mtv-release.js';
import { type PlanShape, planScope } from '../../src/cluster/plan-scope.js';

const cold: PlanShape = { destinationIsHost: true, offload: false, netAppShift: false };
const releases: MtvRelease[] = ['2.8', '2.9', '2.10', '2.11', '2.12'];
const kinds = (shape: PlanShape) => releases.map((release) => planScope(shape, release).kind);

describe('which plans kubectl-mtv can finish, per MTV release', () => {
  it.each([
    [
      'a cold local plan',
      cold,
      ['needs-conversion', 'needs-conversion', 'needs-conversion', 'needs-conversion', 'needs-conversion'],
    ],
    [
      'a cold remote plan',
      { ...cold, destinationIsHost: false },
      ['needs-conversion', 'needs-conversion', 'needs-conversion', 'needs-conversion', 'needs-conversion'],
    ],
    // skipGuestConversion arrives in 2.9: on 2.8 the API server pruned it, and every copy is converted
    [
      'skipGuestConversion',
      { ...cold, skipGuestConversion: true },
      ['needs-conversion', 'ours', 'ours', 'ours', 'ours'],
    ],
    // a warm plan is copied by CDI as a cold one: the same rule (skipGuestConversion from 2.9)
    [
      'warm: true',
      { ...cold, warm: true, skipGuestConversion: true },
      ['needs-conversion', 'ours', 'ours', 'ours', 'ours'],
    ],
    [
      'warm: true without skipGuestConversion',
      { ...cold, warm: true },
      ['needs-conversion', 'needs-conversion', 'needs-conversion', 'needs-conversion', 'needs-conversion'],
    ],
    // type: warm is read from 2.10 (IsWarm); 2.9 reads only spec.warm; 2.8 prunes type
    [
      'type: warm',
      { ...cold, type: 'warm', skipGuestConversion: true },
      ['needs-conversion', 'ours', 'ours', 'ours', 'ours'],
    ],
    [
      'type: conversion',
      { ...cold, type: 'conversion', skipGuestConversion: true },
      ['needs-conversion', 'theirs', 'theirs', 'theirs', 'theirs'],
    ],
    [
      'storage offload',
      { ...cold, offload: true, skipGuestConversion: true },
      ['theirs', 'theirs', 'theirs', 'theirs', 'theirs'],
    ],
    // NetApp Shift is a 2.12 status field
    [
      'NetApp Shift',
      { ...cold, netAppShift: true, skipGuestConversion: true },
      ['needs-conversion', 'ours', 'ours', 'ours', 'theirs'],
    ],
  ] as [string, PlanShape, string[]][])('%s: %j on 2.8 .. 2.12', (_, shape, expected) => {
    expect(kinds(shape)).toEqual(expected);
  });

  it('names the release and the reason', () => {
    expect(planScope(cold, '2.8')).toEqual({
      kind: 'needs-conversion',
      why: 'needs a guest conversion after the copy (every copy on MTV 2.8, which has no Raw Copy mode)',
    });
    expect(planScope({ ...cold, destinationIsHost: false }, '2.11')).toEqual({
      kind: 'needs-conversion',
      why: 'needs a guest conversion after the copy (a cold plan to a remote cluster without skipGuestConversion, MTV 2.11)',
    });
  });
});

describe('a plan that needs a guest conversion, where the cluster was asked about Conversion CRs', () => {
  it('is ours, converted in place, where they are available (MTV 2.12, feature on)', () => {
    expect(planScope(cold, '2.12', { available: true, why: 'MTV 2.12 converts through Conversion CRs' })).toEqual({
      kind: 'ours',
      conversion: true,
      why: 'needs a guest conversion after the copy (a cold plan to the local cluster without skipGuestConversion, MTV 2.12)',
    });
    expect(planScope({ ...cold, destinationIsHost: false }, '2.12', { available: true, why: '' })).toMatchObject({
      kind: 'ours',
      conversion: true,
    });
  });

  it('still needs one, saying why none is available (release or feature)', () => {
    expect(
      planScope(cold, '2.12', {
        available: false,
        why: 'ForkliftController "openshift-mtv/forklift-controller" sets feature_use_conversion_cr: "false"',
      }),
    ).toEqual({
      kind: 'needs-conversion',
      why:
        'needs a guest conversion after the copy (a cold plan to the local cluster without skipGuestConversion, ' +
        'MTV 2.12), and ForkliftController "openshift-mtv/forklift-controller" sets feature_use_conversion_cr: "false"',
    });
    expect(planScope(cold, '2.11', { available: false, why: 'MTV 2.11 has no Conversion CR' }).kind).toBe(
      'needs-conversion',
    );
  });

  it('changes nothing for plans that need none or are the controller’s', () => {
    const yes = { available: true, why: '' };
    expect(planScope({ ...cold, skipGuestConversion: true }, '2.12', yes)).toEqual({ kind: 'ours' });
    expect(planScope({ ...cold, warm: true }, '2.12', yes)).toEqual({
      kind: 'ours',
      conversion: true,
      why: 'needs a guest conversion after the copy (a warm plan to the local cluster without skipGuestConversion, MTV 2.12)',
    });
    expect(planScope({ ...cold, offload: true }, '2.12', yes).kind).toBe('theirs');
  });
});
