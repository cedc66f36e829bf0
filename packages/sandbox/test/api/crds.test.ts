/**
 * The project's own CRDs (packages/sandbox/crds) are the shared ones, unchanged, and the registry derived from them
 * names what kubectl and Forklift expect.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { needs, PROJECT_CRDS, SHARED_CRDS, sharedCrdFiles } from '@kubectl-mtv/test-support';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { crdDirectory } from '../../src/api/crd-loader.js';
import { ResourceRegistry } from '../../src/api/resource-registry.js';

describe('the sandbox CRDs', () => {
  it('are found next to the source', () => {
    expect(crdDirectory()).toBe(PROJECT_CRDS);
  });

  it('equal ../shared/crds where the shared folder has them', needs(SHARED_CRDS), () => {
    const shared = sharedCrdFiles();
    const ours = new Set(readdirSync(PROJECT_CRDS));
    const compared = shared.filter(([file]) => ours.has(file));
    for (const [file, crd] of compared) {
      expect(parse(readFileSync(join(PROJECT_CRDS, file), 'utf8')), file).toEqual(crd);
    }
    expect(compared.map(([file]) => file).sort()).toEqual([
      'datavolumes.cdi.kubevirt.io.yaml',
      'forklift.konveyor.io_migrations.yaml',
      'forklift.konveyor.io_networkmaps.yaml',
      'forklift.konveyor.io_plans.yaml',
      'forklift.konveyor.io_providers.yaml',
      'forklift.konveyor.io_storagemaps.yaml',
    ]);
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
});
