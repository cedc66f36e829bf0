// Loaded into the runner with `node --import` by the scale part: on exit, writes the process's own resource usage
// (peak RSS, user and system CPU) to $CHAOS_USAGE_FILE, exact where sampling /proc from outside would miss the end,
// with the peak V8 heap sampled every 250 ms (to tell the heap from the rest of the RSS) and, with --expose-gc, the
// heap still in use at exit after a full collection.
import { writeFileSync } from 'node:fs';

const file = process.env.CHAOS_USAGE_FILE;
if (file) {
  let peakHeapUsed = 0;
  let peakHeapTotal = 0;
  const sample = () => {
    const { heapUsed, heapTotal } = process.memoryUsage();
    peakHeapUsed = Math.max(peakHeapUsed, heapUsed);
    peakHeapTotal = Math.max(peakHeapTotal, heapTotal);
  };
  setInterval(sample, 250).unref();
  process.on('exit', () => {
    sample();
    const usage = process.resourceUsage();
    // what the run still holds at its end (every disk's state), garbage aside: needs --expose-gc
    globalThis.gc?.();
    const retainedHeap = process.memoryUsage().heapUsed;
    writeFileSync(file, JSON.stringify({ ...usage, peakHeapUsed, peakHeapTotal, retainedHeap }));
  });
}
