/**
 * `clean -o table|wide|json|yaml|name|jsonpath=|custom-columns=` and `--no-headers`, against the embedded sandbox
 * over real HTTP.
 */

import { DEFAULT_SANDBOX_SCENARIO } from '@kubectl-mtv/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type CleanOptions, clean } from '../../src/services/clean.js';
import { migrate } from '../../src/services/migrate.js';
import type { ObjectOutput } from '../../src/ui/object-output.js';
import { parseTemplateOutput, type TemplateOutput } from '../../src/ui/template-output.js';
import { type ClusterFixture, startCluster } from '../cluster/cluster-fixture.js';

const NS = 'openshift-mtv';
let cluster: ClusterFixture;
let names: string[];

function captured() {
  const out = { stdout: '', stderr: '' };
  const streams = {
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
  };
  return { out, streams };
}

async function cleanOut(output: ObjectOutput | TemplateOutput, extra: Partial<CleanOptions> = {}) {
  const { out, streams } = captured();
  const connection = { kubeconfig: cluster.kubeconfigPath, env: {}, namespace: NS };
  await clean({ connection, plan: 'plan-a', stuckOnly: false, yes: false, output, streams, ...extra });
  return out;
}

beforeAll(async () => {
  cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
  // two DataVolumes made the way a run makes them (the client dry run builds them; POST creates them)
  const { out, streams } = captured();
  await migrate({
    connection: { kubeconfig: cluster.kubeconfigPath, env: {}, namespace: NS, requestTimeoutMs: 5_000 },
    inventory: { env: {} },
    plan: 'plan-a',
    allowPoweredOn: true,
    scheduler: { policy: 'disk', maxInFlight: 20, order: 'largest' },
    maxRestarts: 3,
    stuckAfterMs: 600_000,
    dryRun: 'client',
    output: 'table',
    dryRunOutput: 'json',
    takeover: false,
    signal: new AbortController().signal,
    streams,
  });
  const manifests = (JSON.parse(out.stdout) as { items: { metadata: { name: string } }[] }).items;
  names = manifests.slice(0, 2).map((manifest) => manifest.metadata.name);
  for (const manifest of manifests.slice(0, 2)) {
    await cluster.kube.transport.request('POST', '/apis/cdi.kubevirt.io/v1beta1/namespaces/demo/datavolumes', {
      body: manifest,
    });
  }
});

afterAll(async () => {
  await cluster?.close();
});

describe('clean -o', () => {
  it('prints a table by default, and without its header line with --no-headers', async () => {
    const table = (await cleanOut('table')).stdout.trimEnd().split('\n');
    expect(table[0]).toMatch(/^NAME +VM +DISK +PHASE +PROGRESS +STUCK$/);
    const bare = (await cleanOut('table', { noHeaders: true })).stdout.trimEnd().split('\n');
    expect(bare).toEqual(table.slice(1));
  });

  it('adds restarts, size and storage class with -o wide', async () => {
    const header = (await cleanOut('wide')).stdout.split('\n')[0];
    expect(header).toMatch(/^NAME +VM +DISK +PHASE +PROGRESS +RESTARTS +SIZE +STORAGECLASS +STUCK$/);
  });

  it('prints a v1 List of the DataVolumes with -o json and -o yaml', async () => {
    const json = JSON.parse((await cleanOut('json')).stdout);
    expect(json.kind).toBe('List');
    expect(json.items.map((dv: { kind: string; metadata: { name: string } }) => [dv.kind, dv.metadata.name])).toEqual(
      names.map((name) => ['DataVolume', name]).sort((a, b) => a[1].localeCompare(b[1])),
    );
    expect(parse((await cleanOut('yaml')).stdout)).toEqual(json);
  });

  it('prints datavolume.cdi.kubevirt.io/<name> lines with -o name, as kubectl get -o name', async () => {
    const out = await cleanOut('name');
    expect(out.stdout.trimEnd().split('\n').sort()).toEqual(names.map((n) => `datavolume.cdi.kubevirt.io/${n}`).sort());
  });

  it('runs -o jsonpath on the List -o json prints, and -o custom-columns on each DataVolume', async () => {
    const template = (raw: string) => parseTemplateOutput('--output', raw) as TemplateOutput;
    const jsonpath = await cleanOut(template('jsonpath={range .items[*]}{.metadata.name} {.kind}{"\\n"}{end}'));
    expect(jsonpath.stdout.trimEnd().split('\n').sort()).toEqual(names.map((n) => `${n} DataVolume`).sort());
    const columns = await cleanOut(template('custom-columns=NAME:.metadata.name,STUCK:.metadata.annotations.stuck'));
    const lines = columns.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME {3,}STUCK$/);
    expect(
      lines
        .slice(1)
        .map((line) => line.split(/ {3,}/))
        .sort(),
    ).toEqual(names.map((n) => [n, '<none>']).sort());
    // nothing matches: the template runs on the empty List, the columns print their header alone
    expect((await cleanOut(template('jsonpath={.kind}:{.items[*]}'), { stuckOnly: true })).stdout).toBe('List:');
    expect((await cleanOut(template('custom-columns=NAME:.metadata.name'), { stuckOnly: true })).stdout).toBe('NAME\n');
  });

  it('prints an empty List for json when nothing matches, and nothing for name', async () => {
    expect(JSON.parse((await cleanOut('json', { stuckOnly: true })).stdout).items).toEqual([]);
    expect((await cleanOut('name', { stuckOnly: true })).stdout).toBe('');
  });

  it('prints the deleted names bare with --yes -o name', async () => {
    const out = await cleanOut('name', { yes: true });
    expect(out.stdout.trimEnd().split('\n').sort()).toEqual(names.map((n) => `datavolume.cdi.kubevirt.io/${n}`).sort());
  });
});
