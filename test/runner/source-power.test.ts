/**
 * Forklift's cold steps before a VM's copy (source-power.ts) against a vCenter kept in memory: the power state
 * recorded before the shutdown and never overwritten, ShutdownGuest (PowerOffVM_Task only when forced), the wait
 * until poweredOff with its timeout, one shutdown per VM whatever the number of its disks. The same steps against
 * the sandbox's vCenter, end to end, are in test/e2e/migrate-power-off.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/runner/run-events.js';
import { type PowerRecord, SourcePowerOff } from '../../src/runner/source-power.js';
import { MemoryVcenter } from './memory-vcenter.js';

class MemoryRecord implements PowerRecord {
  readonly states = new Map<string, string>();
  writes = 0;

  async record(vmId: string, state: string): Promise<string> {
    const standing = this.states.get(vmId);
    if (standing !== undefined) return standing;
    this.writes++;
    this.states.set(vmId, state);
    return state;
  }
}

function setUp(
  vcenter: MemoryVcenter,
  options: { force?: boolean; shutdownTimeoutMs?: number; record?: MemoryRecord } = {},
) {
  const events: RunEvent[] = [];
  const record = options.record ?? new MemoryRecord();
  let clock = 0;
  const power = new SourcePowerOff({
    session: vcenter,
    record,
    refs: new Map(['vm-1', 'vm-2', 'vm-3'].map((id) => [id, { type: 'VirtualMachine', value: id }])),
    force: options.force ?? false,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 60_000,
    emit: (event) => events.push(event),
    // each poll moves the clock 2 s, so a timeout is reached in polls, not in wall time
    now: () => (clock += 1000),
    pollMs: 1,
  });
  return { power, events, record };
}

const sourcePower = (events: RunEvent[]) =>
  events.flatMap((e) => (e.type === 'source-power' ? [`${e.vm} ${e.phase} ${e.action} was ${e.was}`] : []));

describe('SourcePowerOff', () => {
  it('records poweredOn, asks ShutdownGuest once for all the VM’s disks, and waits until vCenter says poweredOff', async () => {
    const vcenter = new MemoryVcenter({ 'vm-1': 'poweredOn' }, { shutdownPolls: 3 });
    const { power, events, record } = setUp(vcenter);
    const vm = { id: 'vm-1', name: 'web-01' };
    await Promise.all([power.ready(vm), power.ready(vm), power.ready(vm)]);
    expect(vcenter.state('vm-1')).toBe('poweredOff');
    expect(vcenter.calls.filter((c) => c.startsWith('shutdown'))).toEqual(['shutdown vm-1']);
    expect(vcenter.calls).not.toContain('poweroff vm-1');
    expect(record.states.get('vm-1')).toBe('poweredOn');
    // the record is written before the shutdown is asked
    expect(vcenter.calls.indexOf('shutdown vm-1')).toBeGreaterThan(vcenter.calls.indexOf('power vm-1'));
    expect(sourcePower(events)).toEqual([
      'web-01 requested shutdown was poweredOn',
      'web-01 off shutdown was poweredOn',
    ]);
    const off = events.find((e) => e.type === 'source-power' && e.phase === 'off');
    expect(off?.type === 'source-power' && off.seconds).toBeGreaterThan(0);
  });

  it('leaves a powered-off VM alone, recording its state', async () => {
    const vcenter = new MemoryVcenter({ 'vm-2': 'poweredOff' });
    const { power, events, record } = setUp(vcenter);
    await power.ready({ id: 'vm-2', name: 'db-01' });
    expect(vcenter.calls).toEqual(['power vm-2']);
    expect(record.states.get('vm-2')).toBe('poweredOff');
    expect(events).toEqual([]);
  });

  it('keeps the state an earlier run recorded: a VM it shut down is still restored as poweredOn', async () => {
    const record = new MemoryRecord();
    record.states.set('vm-2', 'poweredOn');
    const vcenter = new MemoryVcenter({ 'vm-2': 'poweredOff' });
    const { power } = setUp(vcenter, { record });
    await power.ready({ id: 'vm-2', name: 'db-01' });
    expect(record.states.get('vm-2')).toBe('poweredOn');
    expect(record.writes).toBe(0);
  });

  it('sends PowerOffVM_Task with --force-power-off and fails with the task’s error', async () => {
    const forced = new MemoryVcenter({ 'vm-1': 'poweredOn' });
    await setUp(forced, { force: true }).power.ready({ id: 'vm-1', name: 'web-01' });
    expect(forced.calls).toContain('poweroff vm-1');
    expect(forced.calls.some((c) => c.startsWith('shutdown'))).toBe(false);
    expect(forced.state('vm-1')).toBe('poweredOff');

    const failing = new MemoryVcenter({ 'vm-1': 'poweredOn' }, { taskError: 'the host is in maintenance' });
    const { power, events } = setUp(failing, { force: true });
    await expect(power.ready({ id: 'vm-1', name: 'web-01' })).rejects.toThrow(
      'source VM web-01 not powered off: PowerOffVM_Task failed: the host is in maintenance',
    );
    expect(sourcePower(events)).toEqual([
      'web-01 requested power-off was poweredOn',
      'web-01 failed power-off was poweredOn',
    ]);
  });

  it('gives up after --shutdown-timeout on a guest that ignores the shutdown, naming the fixes', async () => {
    const vcenter = new MemoryVcenter({ 'vm-3': 'poweredOn' }, { ignores: ['vm-3'] });
    const { power, events } = setUp(vcenter, { shutdownTimeoutMs: 10_000 });
    await expect(power.ready({ id: 'vm-3', name: 'app-03' })).rejects.toThrow(
      'source VM app-03 not powered off: still poweredOn 10 s after ShutdownGuest; pass a longer --shutdown-timeout, or --force-power-off',
    );
    expect(vcenter.state('vm-3')).toBe('poweredOn');
    expect(events.at(-1)).toMatchObject({ type: 'source-power', phase: 'failed', vm: 'app-03' });
  });

  it('stops waiting once the run stops', async () => {
    const vcenter = new MemoryVcenter({ 'vm-3': 'poweredOn' }, { ignores: ['vm-3'] });
    const { power } = setUp(vcenter, { shutdownTimeoutMs: 3_600_000 });
    const ready = power.ready({ id: 'vm-3', name: 'app-03' });
    power.stop();
    await expect(ready).rejects.toThrow('still poweredOn');
  });

  it('refuses a VM vCenter did not find', async () => {
    const { power } = setUp(new MemoryVcenter({}));
    await expect(power.ready({ id: 'vm-9', name: 'gone' })).rejects.toThrow('source VM gone was not found in vCenter');
  });
});
