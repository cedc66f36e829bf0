/**
 * The project's own CRDs (packages/sandbox/crds: CDI's, Multus', KubeVirt's and Forklift's of each MTV release served) are the
 * shared ones, unchanged, and the registry derived from them names what kubectl and Forklift expect.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { needs, PROJECT_CRDS, SHARED_CRDS } from '@kubectl-mtv/test-support';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { crdDirectory, MTV_RELEASES } from '../../src/api/crd-loader.js';
import { ResourceRegistry } from '../../src/api/resource-registry.js';

const MULTUS_CRD = 'multus/k8s.cni.cncf.io_network-attachment-definitions.yaml';
const KUBEVIRT_CRD = 'kubevirt/kubevirt.io_virtualmachines.yaml';

describe('the sandbox CRDs', () => {
  it('are found next to the source', () => {
    expect(crdDirectory()).toBe(PROJECT_CRDS);
  });

  it(
    "equal ../shared/crds: CDI's, Multus', KubeVirt's and Forklift's of every release served",
    needs(SHARED_CRDS),
    () => {
      const shared = SHARED_CRDS.path();
      const pairs: [string, string][] = [
        ['cdi/datavolumes.cdi.kubevirt.io.yaml', 'cdi/datavolumes.cdi.kubevirt.io.yaml'],
        [MULTUS_CRD, MULTUS_CRD],
        [KUBEVIRT_CRD, KUBEVIRT_CRD],
      ];
      for (const release of MTV_RELEASES) {
        for (const file of readdirSync(join(PROJECT_CRDS, 'forklift', `release-${release}`))) {
          pairs.push([`forklift/release-${release}/${file}`, `forklift-releases/release-${release}/${file}`]);
        }
      }
      for (const [ours, theirs] of pairs) {
        const read = (path: string) => parse(readFileSync(path, 'utf8'));
        expect(read(join(PROJECT_CRDS, ours)), ours).toEqual(read(join(shared, theirs)));
      }
      expect(pairs.length).toBeGreaterThan(36);
    },
  );

  /** The files SHA256SUMS in `folder` lists, each checked against its sum. */
  function checkedSums(folder: string): string[] {
    const sums = readFileSync(join(folder, 'SHA256SUMS'), 'utf8').trim().split('\n');
    return sums.map((line) => {
      const [sum, file] = line.split(/\s+/);
      expect(
        createHash('sha256')
          .update(readFileSync(join(folder, file)))
          .digest('hex'),
        file,
      ).toBe(sum);
      return file.replace(/^\.\//, '');
    });
  }

  it("match the checksums kept with them (SHA256SUMS): Forklift's of every release, CDI's, Multus', KubeVirt's", () => {
    const forklift = join(PROJECT_CRDS, 'forklift');
    const present = MTV_RELEASES.flatMap((release) =>
      readdirSync(join(forklift, `release-${release}`)).map((file) => `release-${release}/${file}`),
    );
    expect(checkedSums(forklift).sort()).toEqual(present.sort());
    for (const folder of ['cdi', 'multus', 'kubevirt']) {
      const path = join(PROJECT_CRDS, folder);
      expect(checkedSums(path).sort(), folder).toEqual(
        readdirSync(path)
          .filter((file) => file.endsWith('.yaml'))
          .sort(),
      );
    }
  });

  it.each([
    ['2.8', []],
    ['2.9', ['skipGuestConversion', 'type']],
    ['2.10', ['skipGuestConversion', 'type', 'runPreflightInspection']],
    ['2.11', ['skipGuestConversion', 'type', 'runPreflightInspection', 'rdmAsLun']],
    ['2.12', ['skipGuestConversion', 'type', 'runPreflightInspection', 'rdmAsLun', 'tagMapping']],
  ] as const)('serve release %s with the Plan fields of that release', (release, markers) => {
    const plan = ResourceRegistry.standard(release).require('plans.forklift.konveyor.io');
    const spec = (plan.schema as { properties: { spec: { properties: Record<string, unknown> } } }).properties.spec
      .properties;
    const all = ['skipGuestConversion', 'type', 'runPreflightInspection', 'rdmAsLun', 'tagMapping'];
    expect(all.filter((field) => field in spec)).toEqual(markers);
  });

  it.each([
    ['datavolumes.cdi.kubevirt.io', 'DataVolume', ['dv', 'dvs'], ['Name', 'Phase', 'Progress', 'Restarts', 'Age']],
    ['plans.forklift.konveyor.io', 'Plan', [], ['Name', 'READY', 'EXECUTING', 'SUCCEEDED', 'FAILED', 'AGE']],
    [
      'providers.forklift.konveyor.io',
      'Provider',
      [],
      ['Name', 'TYPE', 'STATUS', 'READY', 'CONNECTED', 'INVENTORY', 'URL', 'AGE'],
    ],
    ['forkliftcontrollers.forklift.konveyor.io', 'ForkliftController', [], ['Name', 'Age']],
  ])('derive %s: kind, short names, status subresource and columns', (name, kind, shortNames, columns) => {
    const type = ResourceRegistry.standard().require(name);
    expect(type).toMatchObject({
      kind,
      shortNames,
      namespaced: true,
      statusSubresource: true,
      custom: true,
      version: 'v1beta1',
    });
    expect(type.columns.map((column) => column.name)).toEqual(columns);
  });

  it("derive Multus' NetworkAttachmentDefinition: namespaced, net-attach-def, no status subresource", () => {
    const type = ResourceRegistry.standard().require('network-attachment-definitions.k8s.cni.cncf.io');
    expect(type).toMatchObject({
      kind: 'NetworkAttachmentDefinition',
      shortNames: ['net-attach-def'],
      namespaced: true,
      statusSubresource: false,
      version: 'v1',
    });
    expect(type.columns.map((column) => column.name)).toEqual(['Name', 'Age']);
  });

  it("derive KubeVirt's VirtualMachine: kubevirt.io/v1, vm and vms, status subresource, Age/Status/Ready columns", () => {
    const type = ResourceRegistry.standard().require('virtualmachines.kubevirt.io');
    expect(type).toMatchObject({
      kind: 'VirtualMachine',
      shortNames: ['vm', 'vms'],
      categories: ['all'],
      namespaced: true,
      statusSubresource: true,
      custom: true,
      version: 'v1',
    });
    expect(type.columns.map((column) => column.name)).toEqual(['Name', 'Age', 'Status', 'Ready']);
  });

  it("derive CDI's own resource: cluster-scoped, status written with the object (no status subresource)", () => {
    const type = ResourceRegistry.standard().require('cdis.cdi.kubevirt.io');
    expect(type).toMatchObject({
      kind: 'CDI',
      shortNames: ['cdi', 'cdis'],
      namespaced: false,
      statusSubresource: false,
      version: 'v1beta1',
    });
    expect(type.columns.map((column) => column.name)).toEqual(['Name', 'Age', 'Phase']);
  });
});
