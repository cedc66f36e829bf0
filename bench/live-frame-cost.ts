/**
 * What one frame of the live view costs, in-process, as the TUI reporter draws it: the snapshot, the frame's lines
 * (live-frame.ts) and the terminal writer (terminal-frame.ts) on a fake terminal, fed a run like the sandbox's plan-a
 * (20 disks in flight, a queue of 72), every disk's progress moved between two frames so that every row changes.
 * `npx tsx bench/live-frame-cost.ts [frames]` prints it.
 */
import { fileURLToPath } from 'node:url';
import type { DiskRef, RunEvent } from '../src/runner/run-events.js';
import { RunSnapshotBuilder } from '../src/runner/run-snapshot.js';
import { completionLogLines } from '../src/ui/live/completion-log.js';
import { liveFrame } from '../src/ui/live/live-frame.js';
import { TerminalFrame } from '../src/ui/live/terminal-frame.js';

const GiB = 2 ** 30;
const T0 = Date.parse('2025-05-01T10:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
/** Frames drawn before the measured ones: the JIT warms up. */
const WARM_UP = 20;
const IN_FLIGHT = 20;

/** A terminal; counts what it is sent. */
class FakeTerminal {
  bytes = 0;
  constructor(readonly columns: number) {}
  write(text: string): boolean {
    this.bytes += Buffer.byteLength(text);
    return true;
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
  const builder = new RunSnapshotBuilder(null);
  const apply = (event: RunEvent) => builder.apply(event);
  apply({
    type: 'plan',
    time: at(0),
    plan: 'plan-a',
    namespace: 'openshift-mtv',
    targetNamespace: 'vms',
    policy: 'disk',
    objective: 'makespan',
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

  const terminal = new FakeTerminal(columns);
  const writer = new TerminalFrame(terminal, true);
  const style = { color: true, ascii: false, columns };
  const view = { help: false, offset: () => 0, hint: null };
  let printed = 0;
  // what the reporter's draw does (src/ui/live/tui-reporter.ts)
  const draw = (seconds: number) => {
    const snapshot = builder.snapshot(T0 + seconds * 1000);
    const frame = liveFrame({ snapshot, view, readOnly: false, style, rows });
    const above = completionLogLines(builder.completions, printed, style);
    printed = builder.completions.length;
    writer.draw(frame.lines, above);
  };
  draw(1);
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
    const before = terminal.bytes;
    const start = process.cpuUsage();
    draw(seconds);
    const used = process.cpuUsage(start);
    if (frame < WARM_UP) continue;
    cpu.push((used.user + used.system) / 1000);
    bytes += terminal.bytes - before;
  }
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
    `a frame: ${cost.medianMs.toFixed(3)} ms CPU (median; mean ${cost.meanMs.toFixed(3)} ms), ${cost.bytes.toFixed(0)} bytes to the terminal\n`,
  );
}
