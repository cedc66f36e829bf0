/**
 * What one frame of the live view costs, in-process: LiveApp drawn by Ink on a fake terminal, fed a run like the
 * sandbox's plan-a (20 disks in flight, a queue of 72), every disk's progress moved between two frames so that every
 * row changes. Each frame is drawn past Ink's throttle window, so rerender() draws it at once and its CPU is measured
 * around that call alone. `npx tsx bench/live-frame-cost.ts [frames]` prints it.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { DiskRef, RunEvent } from '../src/runner/run-events.js';
import { RunSnapshotBuilder } from '../src/runner/run-snapshot.js';

const GiB = 2 ** 30;
const T0 = Date.parse('2025-05-01T10:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
/** Frames drawn before the measured ones: the JIT warms up, Ink's caches fill. */
const WARM_UP = 20;
const IN_FLIGHT = 20;

/** A terminal as Ink sees it; counts what it is sent. */
class FakeTerminal extends EventEmitter {
  readonly isTTY = true;
  bytes = 0;
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  write(text: string, callback?: () => void): boolean {
    this.bytes += Buffer.byteLength(text);
    callback?.();
    return true;
  }
}

/** A keyboard nobody types on. */
class IdleKeyboard extends EventEmitter {
  readonly isTTY = true;
  setRawMode() {
    return this;
  }
  setEncoding() {
    return this;
  }
  ref() {
    return this;
  }
  unref() {
    return this;
  }
  resume() {
    return this;
  }
  pause() {
    return this;
  }
  read() {
    return null;
  }
}

function disk(i: number): DiskRef {
  const vm = `app-${String(Math.floor(i / 10) + 1).padStart(2, '0')}`;
  return { vm, index: i % 10, name: `plan-a-${vm}-disk-${i % 10}`, host: i % 2 ? 'esx-02' : 'esx-01' };
}

/** CPU per frame, ms (the median, and the mean), and bytes written per frame. */
export interface FrameCost {
  medianMs: number;
  meanMs: number;
  bytes: number;
}

export async function liveFrameCost(options: { frames?: number; columns?: number; rows?: number } = {}) {
  const { frames = 100, columns = 120, rows = 40 } = options;
  // as migrate runs it: React's production build, and Ink drawing every frame (is-in-ci reads CI as Ink loads)
  const ci = process.env.CI;
  delete process.env.CI;
  process.env.NODE_ENV ??= 'production';
  const [{ render }, { createElement }, { LiveApp }] = await Promise.all([
    import('ink'),
    import('react'),
    import('../src/ui/live/live-view.js'),
  ]);
  if (ci !== undefined) process.env.CI = ci;

  const builder = new RunSnapshotBuilder(null);
  const apply = (event: RunEvent) => builder.apply(event);
  apply({
    type: 'plan',
    time: at(0),
    plan: 'plan-a',
    namespace: 'openshift-mtv',
    targetNamespace: 'vms',
    policy: 'disk',
    maxInFlight: IN_FLIGHT,
    maxInFlightPerHost: null,
    controllerMaxInFlight: null,
    disks: 92,
    bytes: 4000 * GiB,
    bytesDone: 0,
    adopted: { done: 0, running: 0, stuck: 0 },
    planning: null,
    mtvRelease: { release: '2.12', source: 'schema' },
  });
  for (let i = 0; i < IN_FLIGHT; i++) apply({ type: 'started', time: at(1), disk: disk(i), bytes: 100 * GiB });
  const head = Array.from({ length: 50 }, (_, i) => ({
    disk: disk(IN_FLIGHT + i),
    bytes: 40 * GiB,
    reason: 'cap 20/20',
  }));
  apply({ type: 'queue', time: at(1), head, total: 72 });

  const terminal = new FakeTerminal(columns, rows);
  const element = (seconds: number) =>
    createElement(LiveApp, {
      snapshot: builder.snapshot(T0 + seconds * 1000),
      completions: builder.completions,
      controls: { detach() {}, togglePause() {}, changeCap() {} },
      color: true,
      ascii: false,
      columns,
      rows,
    });
  const instance = render(element(1), {
    stdout: terminal as unknown as NodeJS.WriteStream,
    stdin: new IdleKeyboard() as unknown as NodeJS.ReadStream,
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: 10,
  });
  const cpu: number[] = [];
  let bytes = 0;
  for (let frame = 0; frame < WARM_UP + frames; frame++) {
    const seconds = 2 + frame;
    for (let i = 0; i < IN_FLIGHT; i++) {
      apply({
        type: 'progress',
        time: at(seconds),
        disk: disk(i),
        bytes: 100 * GiB,
        bytesDone: Math.min(99, seconds * 0.37 + i) * GiB,
        rate: (90 + ((seconds + i) % 7)) * 2 ** 20,
        phase: 'ImportInProgress',
        restarts: 0,
      });
    }
    await sleep(110);
    const before = terminal.bytes;
    const start = process.cpuUsage();
    instance.rerender(element(seconds));
    const used = process.cpuUsage(start);
    if (frame < WARM_UP) continue;
    cpu.push((used.user + used.system) / 1000);
    bytes += terminal.bytes - before;
  }
  instance.unmount();
  const sorted = [...cpu].sort((a, b) => a - b);
  const cost: FrameCost = {
    medianMs: sorted[Math.floor(sorted.length / 2)],
    meanMs: cpu.reduce((a, b) => a + b, 0) / cpu.length,
    bytes: bytes / frames,
  };
  return cost;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const cost = await liveFrameCost({ frames: Number(process.argv[2] ?? 100) });
  process.stderr.write(
    `a frame: ${cost.medianMs.toFixed(2)} ms CPU (median; mean ${cost.meanMs.toFixed(2)} ms), ${cost.bytes.toFixed(0)} bytes to the terminal\n`,
  );
}
