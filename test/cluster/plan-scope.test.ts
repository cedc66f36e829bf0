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
    [
      'warm: true',
      { ...cold, warm: true, skipGuestConversion: true },
      ['theirs', 'theirs', 'theirs', 'theirs', 'theirs'],
    ],
    // type: warm is read from 2.10 (IsWarm); 2.9 reads only spec.warm; 2.8 prunes type
    [
      'type: warm',
      { ...cold, type: 'warm', skipGuestConversion: true },
      ['needs-conversion', 'ours', 'theirs', 'theirs', 'theirs'],
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
