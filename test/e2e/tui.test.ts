/**
 * The live view in a real terminal: `migrate` and `top --control` inside tmux (started with `env -u CI`, since CI runs
 * with CI=true), driven by send-keys and read with capture-pane: the sections, `p` and `+` changing the header, a
 * pause asked from another workstation's `top`, the summary and the exit code.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs, systemTool } from '@kubectl-mtv/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bin, killAll, requireBuild, startSandbox, until } from './plugin-fixture.js';

const tmuxTool = systemTool('tmux');
let dir: string;
const SESSION = `kubectl-mtv-tui-${process.pid}`;

/** 4 VMs of 3 disks on two hosts, cap 4: about 15 s at --speed 60. */
const SCENARIO = `name: tui
migration: cold
maxInFlight: 4
diskRate: 100Mi
hosts:
  - { name: esx-01, bandwidth: 400Mi }
  - { name: esx-02, bandwidth: 400Mi }
vms:
  - { name: db, count: 2, host: esx-01, disks: [{ size: 40Gi }, { size: 20Gi }, { size: 10Gi }] }
  - { name: web, count: 2, host: esx-02, disks: [{ size: 30Gi }, { size: 20Gi }, { size: 10Gi }] }
`;

function tmux(...args: string[]): string {
  return execFileSync(tmuxTool.path(), ['-L', SESSION, ...args], { encoding: 'utf8' });
}

/** The window's screen, as text. */
function screen(target: string): string {
  return tmux('capture-pane', '-p', '-t', target);
}

/** The window's screen and its scrollback. */
function history(target: string): string {
  return tmux('capture-pane', '-p', '-S', '-500', '-t', target);
}

/** Runs `command` (the plugin's arguments) in a new tmux window of 100x40, CI unset, then prints its exit code. */
function open(window: string, args: string[]): void {
  const quoted = [process.execPath, bin, ...args].map((a) => `'${a}'`).join(' ');
  const command = `env -u CI -u NODE_ENV NO_COLOR=1 ${quoted}; echo EXIT=$?; sleep 600`;
  if (window === 'runner') tmux('new-session', '-d', '-s', 'tui', '-n', window, '-x', '100', '-y', '40', command);
  else tmux('new-window', '-d', '-t', 'tui', '-n', window, command);
  tmux('resize-window', '-t', `tui:${window}`, '-x', '100', '-y', '40');
}

const header = (target: string) => screen(target).split('\n')[0];

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'kubectl-mtv-tui-e2e-'));
  writeFileSync(join(dir, 'tui.yaml'), SCENARIO);
});

afterEach(() => {
  try {
    tmux('kill-server');
  } catch {
    // no server left
  }
  killAll();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the live view in tmux', needs(tmuxTool), () => {
  it('shows the sections; p pauses, + raises the cap, top --control pauses from afar; the run ends with its summary, exit 0', async () => {
    const cluster = await startSandbox(dir, '--scenario', join(dir, 'tui.yaml'), '--speed', '60');
    const kube = ['--kubeconfig', cluster.kubeconfig, '-n', 'openshift-mtv'];
    open('runner', ['migrate', 'plan-a', ...kube, '--max-inflight', '4', '--adaptive']);
    const runner = 'tui:runner';
    await until(() => screen(runner).includes('In flight (4)'), 20_000, 'the In flight section');
    const first = screen(runner);
    expect(first.split('\n')[0]).toMatch(/^plan openshift-mtv\/plan-a\s+policy disk\s+In flight 4\/4/);
    expect(first).toMatch(/^Queued \(8\)/m);
    expect(first).toMatch(/cap 4\/4/);
    expect(first).toMatch(/^q detach {2}p pause\/resume {2}\+\/- cap/m);
    for (const line of first.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    // adaptive admission (--adaptive) says what it learned of the two hosts
    await until(() => /^Hosts \(2\)/m.test(screen(runner)), 10_000, 'the hosts panel');
    expect(screen(runner)).toMatch(/^ {2}host-[12] +\d+\/\d+ in flight +(-|\S+ \S+\/s) (climbing|settled|probing)$/m);

    tmux('send-keys', '-t', runner, 'p');
    await until(() => header(runner).includes('PAUSED'), 5_000, 'PAUSED in the header');
    tmux('send-keys', '-t', runner, '+');
    await until(() => /In flight \d+\/5/.test(header(runner)), 5_000, 'the cap 5 in the header');
    tmux('send-keys', '-t', runner, 'p');
    await until(() => !header(runner).includes('PAUSED'), 5_000, 'PAUSED gone');

    // another workstation: top --control, p pauses the runner, which says who asked
    open('top', ['top', ...kube, '--control']);
    const top = 'tui:top';
    await until(() => screen(top).includes('plan-a'), 15_000, 'the run in top');
    expect(screen(top)).toMatch(/runner \S+@\S+\/\d+/);
    await until(() => /^Hosts \(2\)/m.test(screen(top)), 5_000, "the hosts panel in top, as the runner's");
    tmux('send-keys', '-t', top, 'p');
    await until(() => /PAUSED by \S+@\S+/.test(header(runner)), 10_000, 'PAUSED by the top user in the runner');
    await until(() => screen(top).includes('PAUSED'), 5_000, 'PAUSED in top');
    tmux('send-keys', '-t', top, 'p');
    await until(() => !header(runner).includes('PAUSED'), 10_000, 'the runner resumed');
    tmux('send-keys', '-t', top, 'q');
    await until(() => screen(top).includes('EXIT=0'), 5_000, 'top to exit 0');

    await until(() => screen(runner).includes('EXIT='), 60_000, 'the run to end');
    const end = history(runner);
    expect(end).toMatch(/^completed: 12\/12 disks transferred, 4\/4 VMs ready in \S+/m);
    expect(end).toMatch(/^✓ \S+\/\d \S+ \d+ GiB in \S+ at \S+/m);
    // the summary table reaches stdout once the view is gone
    expect(end).toMatch(/^OUTCOME\s+DISKS\s+TRANSFERRED/m);
    expect(end).toContain('EXIT=0');
  });

  it('q detaches: no new disk starts, the copies go on, exit 130', async () => {
    const cluster = await startSandbox(dir, '--scenario', join(dir, 'tui.yaml'), '--speed', '20');
    open('runner', [
      'migrate',
      'plan-a',
      '--kubeconfig',
      cluster.kubeconfig,
      '-n',
      'openshift-mtv',
      '--max-inflight',
      '4',
    ]);
    const runner = 'tui:runner';
    await until(() => screen(runner).includes('In flight (4)'), 20_000, 'the In flight section');
    tmux('send-keys', '-t', runner, 'q');
    await until(() => screen(runner).includes('EXIT='), 20_000, 'the runner to exit');
    const end = history(runner);
    expect(end).toMatch(/^interrupted: \d+\/12 disks transferred, \d+ still copying, \d+ not started/m);
    expect(end).toContain('EXIT=130');
  });
});
