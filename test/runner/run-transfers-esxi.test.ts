/**
 * A run where one ESXi host has a Ready Host CR: its VMs' DataVolumes read from the host with a VDDK Secret made from
 * the Host's Secret, the others from vCenter with the Provider's; the sandbox's importer copies a disk only through
 * vCenter or the disk's own host with the right thumbprint, so every disk finishing is the check. Both Secrets are made
 * after the plan event and deleted once every disk is copied.
 */
import { esxiThumbprint } from '@kubectl-mtv/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { esxiVddkSecretName } from '../../src/cluster/vddk-secret.js';
import { type RunnerFixture, scenario, startRunner } from './runner-fixture.js';

describe('runTransfers with a Ready Host CR', () => {
  let runner: RunnerFixture | undefined;

  afterEach(async () => {
    await runner?.close();
    runner = undefined;
  });

  it("copies every disk, esx-01's from the host, and makes and deletes one VDDK Secret per credential source", async () => {
    const base = scenario(4, 3, 4);
    runner = await startRunner({
      ...base,
      hosts: [
        { ...base.hosts[0], ipAddress: '192.0.2.11', hostCr: 'ready' },
        { ...base.hosts[1], ipAddress: '192.0.2.12', hostCr: 'not-ready' },
      ],
    });
    const { resolved, dataVolumes } = runner;
    const vcenter = resolved.vddkSecret;
    const esxi = esxiVddkSecretName(resolved.plan, 'host-1');
    const sources = dataVolumes.map((dv) => ({ host: dv.host, ...dv.manifest.spec.source.vddk }));
    expect(new Set(sources.map((s) => s.host))).toEqual(new Set(['host-1', 'host-2']));
    for (const source of sources) {
      expect(source).toMatchObject(
        source.host === 'host-1'
          ? { url: 'https://192.0.2.11/sdk', thumbprint: esxiThumbprint('esx-01'), secretRef: esxi }
          : {
              url: runner.cluster.sandbox.vcenter.url,
              thumbprint: runner.cluster.sandbox.vcenter.thumbprint,
              secretRef: vcenter,
            },
      );
    }

    const { events, done } = runner.run();
    const summary = await done;
    expect(summary).toMatchObject({ outcome: 'completed', disks: 12, transferred: 12, stuck: 0, failed: 0 });
    expect(runner.cluster.sandbox.stats().imports).toMatchObject({ started: 12, succeeded: 12 });
    const secretEvents = events.filter((e) => e.type === 'secret');
    expect(events[0]).toMatchObject({ type: 'plan' });
    expect(events.slice(1, 3)).toEqual([
      expect.objectContaining({
        type: 'secret',
        action: 'created',
        name: vcenter,
        from: 'openshift-mtv/vsphere-a-secret',
      }),
      expect.objectContaining({
        type: 'secret',
        action: 'created',
        name: esxi,
        host: 'esx-01',
        from: 'openshift-mtv/vsphere-a-host-1-secret',
      }),
    ]);
    expect(secretEvents.filter((e) => e.action === 'deleted').map((e) => e.name)).toEqual([vcenter, esxi]);
    for (const name of [vcenter, esxi])
      expect(runner.cluster.sandbox.store.get('secrets', 'demo', name)).toBeUndefined();
  });

  it('makes no vCenter Secret when every VM is read from its ESXi host', async () => {
    const base = scenario(2, 2, 4);
    runner = await startRunner({
      ...base,
      hosts: base.hosts.map((host, i) => ({ ...host, ipAddress: `192.0.2.${11 + i}`, hostCr: 'ready' as const })),
    });
    const { events, done } = runner.run();
    expect(await done).toMatchObject({ outcome: 'completed', transferred: 4 });
    const made = events.flatMap((e) => (e.type === 'secret' && e.action === 'created' ? [e.name] : []));
    expect(made).toEqual([
      esxiVddkSecretName(runner.resolved.plan, 'host-1'),
      esxiVddkSecretName(runner.resolved.plan, 'host-2'),
    ]);
  });
});
