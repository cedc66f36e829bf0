import { describe, expect, it } from 'vitest';
import type { TopEntry } from '../../../src/ui/live/top-entry.js';
import { formatTopJson, formatTopTable, topJsonPlans } from '../../../src/ui/live/top-table.js';
import { busyRun, fold, learnedHost, settings, throughput } from './run-events-fixture.js';

function entry(stale?: string, paused = false, adaptive = false): TopEntry {
  const events = [...busyRun(), settings(301, { paused }), ...(adaptive ? [throughput(302)] : [])];
  const snapshot = fold(events, 'alice@ws1/1234').snapshot();
  if (!snapshot) throw new Error('no snapshot');
  return stale ? { snapshot, stale } : { snapshot };
}

describe('formatTopTable', () => {
  it('prints one line per plan, then its disks in flight and the head of its queue', () => {
    const text = formatTopTable([entry()]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(
      /^NAMESPACE +PLAN +HOLDER +POLICY +IN FLIGHT +QUEUED +DONE +STUCK +PROGRESS +RATE +ETA +STATUS$/,
    );
    expect(lines[1]).toMatch(
      /^openshift-mtv +plan-a +alice@ws1\/1234 +disk +3\/20 +40 +1 +1 +\S+ GiB\/4\.39 TiB \(\d+%\) +\S+ \S*B\/s +\S+ +Running$/,
    );
    expect(text).toContain('openshift-mtv/plan-a: 3 in flight\nVM ');
    expect(text).toMatch(
      /\nVM +DISK +DATAVOLUME +HOST +SIZE +PROGRESS +RATE\napp-01 +0 +plan-a-app-01-disk-0 +esx-01 +100 GiB +60% +180 MiB\/s\n/,
    );
    expect(text).toContain('openshift-mtv/plan-a: 40 queued, the first 8\nVM ');
    expect(text).toMatch(
      /\nVM +DISK +SIZE +REASON\napp-10 +0 +50 GiB +cap 20\/20\napp-11 +0 +50 GiB +host esx-02 saturated\n/,
    );
    expect(text.endsWith('\n')).toBe(true);
  });

  it('lists at most 10 queued disks per plan', () => {
    const snapshot = fold(busyRun({ head: 30, queuedTotal: 60 })).snapshot();
    if (!snapshot) throw new Error('no snapshot');
    const text = formatTopTable([{ snapshot }]);
    expect(text).toContain('60 queued, the first 10');
    expect(text.match(/cap 20\/20|saturated/g)).toHaveLength(10);
  });

  it('says Paused and Stale in STATUS, and why a plan is stale', () => {
    const text = formatTopTable([entry(undefined, true), entry('lease expired 40s ago: the runner is gone')]);
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/ Paused$/);
    expect(lines[2]).toMatch(/ Stale$/);
    expect(text).toContain('openshift-mtv/plan-a: stale: lease expired 40s ago: the runner is gone');
  });

  it('adds columns when wide, drops headers and titles with noHeaders', () => {
    const wide = formatTopTable([entry()], { wide: true });
    expect(wide.split('\n')[0]).toMatch(/ STUCK +FAILED +PER HOST +PROGRESS .* STATUS +UPDATED$/);
    expect(wide).toMatch(/ RATE +ETA +RESTARTS +PHASE +ALERT\n/);
    const bare = formatTopTable([entry()], { noHeaders: true });
    expect(bare).not.toContain('NAMESPACE');
    expect(bare).not.toContain('in flight');
    expect(bare.split('\n')[0]).toMatch(/^openshift-mtv +plan-a /);
  });

  it('lists the hosts adaptive admission learned before the disks in flight, and none without it', () => {
    const text = formatTopTable([entry(undefined, false, true)]);
    expect(text).toContain(
      [
        'openshift-mtv/plan-a: 2 hosts; importers 104 MiB/s each',
        'NAME     IN FLIGHT   LIMIT   THROUGHPUT   PHASE',
        'esx-01   2           3       305 MiB/s    settled',
        'esx-02   1           4       210 MiB/s    climbing',
        '',
        'openshift-mtv/plan-a: 3 in flight',
      ].join('\n'),
    );
    expect(formatTopTable([entry()])).not.toContain('THROUGHPUT');
    const bare = formatTopTable([entry(undefined, false, true)], { noHeaders: true });
    expect(bare).not.toContain('THROUGHPUT');
    expect(bare).toMatch(/\nesx-01 +2 +3 +305 MiB\/s +settled\n/);
  });

  it('says when the runner listed only the first hosts, and - for a host not measured yet', () => {
    const hosts = Array.from({ length: 3 }, (_, i) => learnedHost(`esx-0${i + 1}`));
    const snapshot = fold([...busyRun(), throughput(302, hosts, null)]).snapshot(undefined, { hosts: 2 });
    if (!snapshot) throw new Error('no snapshot');
    const text = formatTopTable([{ snapshot }]);
    expect(text).toContain('openshift-mtv/plan-a: 3 hosts, the first 2\nNAME ');
    expect(text).toMatch(/\nesx-01 +2 +2 +- +climbing\n/);
  });

  it('says so when no run is found', () => {
    expect(formatTopTable([])).toBe('No kubectl-mtv migration is running.\n');
    expect(formatTopTable([], { noHeaders: true })).toBe('');
  });
});

describe('formatTopJson', () => {
  it('keeps the documented key order, then the extras', () => {
    const json = JSON.parse(formatTopJson([entry()]));
    expect(Object.keys(json)).toEqual(['plans']);
    const [plan] = json.plans;
    expect(Object.keys(plan)).toEqual([
      'plan',
      'namespace',
      'holder',
      'policy',
      'cap',
      'paused',
      'inFlight',
      'queued',
      'completed',
      'stuck',
      'perHostCap',
      'failed',
      'disks',
      'bytes',
      'bytesDone',
      'rate',
      'etaSeconds',
      'queuedTotal',
      'updatedAt',
      'stale',
      'outcome',
    ]);
    expect(Object.keys(plan.inFlight[0])).toEqual(['vm', 'index', 'name', 'host', 'bytes', 'progress', 'rate']);
    expect(Object.keys(plan.queued[0])).toEqual(['vm', 'index', 'bytes', 'reason']);
    expect(plan).toMatchObject({
      plan: 'plan-a',
      namespace: 'openshift-mtv',
      holder: 'alice@ws1/1234',
      policy: 'disk',
      cap: 20,
      paused: false,
      completed: 1,
      stuck: 1,
      queuedTotal: 40,
      stale: null,
      outcome: null,
    });
    expect(plan.inFlight[0]).toEqual({
      vm: 'app-01',
      index: 0,
      name: 'plan-a-app-01-disk-0',
      host: 'esx-01',
      bytes: 100 * 2 ** 30,
      progress: 0.6,
      rate: 180 * 2 ** 20,
    });
  });

  it('adds what adaptive admission learned, as the runner published it, after the documented keys', () => {
    const [plan] = JSON.parse(formatTopJson([entry(undefined, false, true)])).plans;
    expect(Object.keys(plan).at(-1)).toBe('learned');
    expect(plan.learned).toEqual({
      hosts: [
        {
          name: 'esx-01',
          inFlight: 2,
          limit: 3,
          phase: 'holding',
          bandwidth: 305 * 2 ** 20,
          throughput: 301 * 2 ** 20,
        },
        {
          name: 'esx-02',
          inFlight: 1,
          limit: 4,
          phase: 'climbing',
          bandwidth: null,
          throughput: Math.round(210.4 * 2 ** 20),
        },
      ],
      hostsTotal: 2,
      diskRate: 104 * 2 ** 20,
    });
    expect(JSON.parse(formatTopJson([entry()])).plans[0].learned).toBeUndefined();
  });

  it('gives ndjson watchers the same plan objects', () => {
    const entries = [entry(), entry('lease expired')];
    expect(JSON.parse(formatTopJson(entries)).plans).toEqual(JSON.parse(JSON.stringify(topJsonPlans(entries))));
    expect(topJsonPlans(entries)[1].stale).toBe('lease expired');
  });
});
