import { MISSING_META_PREFIX, REQUIRE_VARIABLE } from '@kubectl-mtv/test-support';
import type { Reporter, TestCase, TestModule } from 'vitest/node';

/**
 * Ends a run with one plain line, `N passed, N failed, N skipped`, that CI logs can read without ANSI colour or
 * vitest's own layout; then one line per missing tool or folder (test/support/requirements.ts) with its hint and the
 * number of tests skipped for want of it.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0, notRun: 0 };
    /** Skipped tests by the note of what they missed; a test that missed two things counts under both. */
    const skippedFor = new Map<string, number>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') counts.passed++;
        else if (result.state === 'failed') counts.failed++;
        else if (result.state === 'skipped' && result.note === undefined && stoppedByItsSuite(test)) {
          counts.failed++;
          counts.notRun++;
        } else {
          counts.skipped++;
          for (const [key, note] of Object.entries(test.meta())) {
            if (key.startsWith(MISSING_META_PREFIX)) skippedFor.set(note, (skippedFor.get(note) ?? 0) + 1);
          }
        }
      }
    }
    const lines = [`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`];
    if (counts.notRun > 0) lines.push(`${counts.notRun} of the failed never ran: a hook of their suite failed`);
    for (const [note, count] of skippedFor) lines.push(`skipped ${count} ${count === 1 ? 'test' : 'tests'}: ${note}`);
    if (skippedFor.size > 0) lines.push(`(${REQUIRE_VARIABLE}=1, as .ci/run sets, makes these failures)`);
    process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}

/**
 * A test that was meant to run but did not because its suite or module failed around it (a beforeAll threw): vitest
 * reports it as skipped, but nothing chose to skip it, so it counts as failed.
 */
function stoppedByItsSuite(test: TestCase): boolean {
  if (test.options.mode !== 'run' && test.options.mode !== 'only') return false;
  for (let parent = test.parent; ; parent = parent.parent) {
    if (parent.state() === 'failed') return true;
    if (parent.type === 'module') return false;
  }
}
