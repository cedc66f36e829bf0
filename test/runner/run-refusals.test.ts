/**
 * Every answer the API server can give a DataVolume create, fed through a real run: an answer about that DataVolume
 * alone (400, 404, 409, 422) fails that disk and the run goes on (exit 1); an answer about every request (401, 403,
 * and 429 or 5xx once the retry policy gives up) ends the run with exit 3.
 */

import type { ScriptedStatus } from '@kubectl-mtv/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeApiError } from '../../src/cluster/kube-errors.js';
import { ExitCode, UserError } from '../../src/errors.js';
import { exitCodeOf } from '../../src/services/migrate.js';
import { type RunnerFixture, scenario, startRunner } from './runner-fixture.js';

/** 3 VMs of 2 disks, cap 2: the third create is refused. */
const DISKS = 6;
/** A short retry policy, so that "after retries" takes milliseconds. */
const FAST_RETRIES = { attempts: 3, firstDelayMs: 1, maxDelayMs: 5 };

describe('a DataVolume create refused by the API server', () => {
  let runner: RunnerFixture | undefined;

  afterEach(async () => {
    await runner?.close();
    runner = undefined;
  });

  async function runRefusing(status: ScriptedStatus, count: number) {
    runner = await startRunner(scenario(3, 2, 2), {
      speed: 2000,
      faults: { answers: [{ verb: 'create', resource: 'datavolumes', status, after: 2, count }] },
    });
    const client = await runner.cluster.connect({ retry: FAST_RETRIES });
    return runner.run({ client });
  }

  it.each([400, 404, 409, 422] as const)('%i fails that disk only: the run goes on and exits 1', async (status) => {
    const { done, events } = await runRefusing(status, 1);
    const summary = await done;
    expect(summary).toMatchObject({ outcome: 'stuck', disks: DISKS, transferred: DISKS - 1, failed: 1, stuck: 0 });
    expect(summary.problems).toHaveLength(1);
    expect(summary.problems[0].reason).toContain(`DataVolume not created: ${status} `);
    expect(exitCodeOf(summary)).toBe(ExitCode.failed);
    const failed = events.filter((e) => e.type === 'stuck' && e.failed === true);
    expect(failed).toHaveLength(1);
    // the refused disk never reached the cluster; every other one did
    expect(runner?.stored()).toHaveLength(DISKS - 1);
  });

  it.each([401, 403] as const)('%i ends the run with exit 3 at once', async (status) => {
    const { done } = await runRefusing(status, 1);
    const error = await done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).status).toBe(status);
    expect((error as UserError).exitCode).toBe(ExitCode.unreachable);
    expect(runner?.cluster.sandbox.stats().faults.injected).toBe(1);
  });

  it.each([429, 500, 503] as const)('%i ends the run with exit 3 once the retries are spent', async (status) => {
    const { done } = await runRefusing(status, Number.POSITIVE_INFINITY);
    const error = await done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as KubeApiError).status).toBe(status);
    expect((error as UserError).exitCode).toBe(ExitCode.unreachable);
    // every create that met the fault made every attempt of the policy
    const injected = runner?.cluster.sandbox.stats().faults.injected ?? 0;
    expect(injected).toBeGreaterThanOrEqual(FAST_RETRIES.attempts);
    expect(injected % FAST_RETRIES.attempts).toBe(0);
  });

  it('a 429 answered once is retried: the run completes', async () => {
    const { done } = await runRefusing(429, 1);
    const summary = await done;
    expect(summary).toMatchObject({ outcome: 'completed', transferred: DISKS, failed: 0 });
  });
});
