/**
 * Every way a `migrate` run is stopped from outside ends it as Ctrl-C does: no new admissions, the Lease released, the
 * summary on the streams still open, and its own exit code (SIGTERM 143, SIGHUP 129, a closed output 141).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs, systemTool } from '@kubectl-mtv/test-support';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import {
  bin,
  killAll,
  requireBuild,
  type SandboxProcess,
  type Started,
  start,
  startSandbox,
  until,
} from './plugin-fixture.js';

const bash = systemTool('bash');
let dir: string;
let cluster: SandboxProcess;

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'kubectl-mtv-stops-'));
});

beforeEach(async () => {
  // a sandbox per test: a stopped run leaves DataVolumes copying; slow enough that a run is still admitting
  cluster = await startSandbox(dir, '--speed', '50');
});

afterEach(() => {
  killAll();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const lease = () => cluster.client.get(inNamespace(RESOURCES.leases, 'openshift-mtv'), 'kubectl-mtv-plan-a');

/** migrate plan-a with ndjson on stdout and plain lines on stderr, started; resolves once it has started a disk. */
async function running(): Promise<Started> {
  const run = start(
    [
      'migrate',
      'plan-a',
      '-n',
      'openshift-mtv',
      '--kubeconfig',
      cluster.kubeconfig,
      '--allow-powered-on',
      '--takeover',
    ],
    dir,
  );
  await until(() => /^\d\d:\d\d:\d\d started /m.test(run.stderr()), 30_000, `a start; stderr: ${run.stderr()}`);
  expect(await lease()).toBeDefined();
  return run;
}

describe('migrate stopped from outside', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s: stops admitting, releases the Lease, prints the summary and exits %i', async (signal, code) => {
    const run = await running();
    run.child.kill(signal);
    const end = await run.done;
    expect({ code: end.code, signal: end.signal }, end.stderr).toEqual({ code, signal: null });
    expect(end.stderr).toContain(`migrate: ${signal}`);
    expect(end.stderr).toMatch(/\binterrupted: \d+\/\d+ disks transferred/);
    expect(await lease()).toBeUndefined();
  });

  /**
   * `kubectl mtv migrate ... | head` as a shell runs it (a real pipe: its reader, head, exits), with migrate's own exit
   * status written to a file.
   */
  async function piped(pipeline: string): Promise<{ code: number; stderr: string }> {
    const status = join(dir, `status-${Date.now()}`);
    const migrate = [
      process.execPath,
      bin,
      'migrate plan-a -n openshift-mtv',
      `--kubeconfig ${cluster.kubeconfig}`,
      '--allow-powered-on -o ndjson',
    ].join(' ');
    const run = start([], dir, {
      command: bash.path(),
      args: ['-c', `${migrate} ${pipeline}; echo "\${PIPESTATUS[0]}" > ${status}`],
    });
    const end = await run.done;
    return { code: Number(readFileSync(status, 'utf8').trim()), stderr: end.stderr };
  }

  it(
    'a closed stdout (`| head -1`, EPIPE): the summary on stderr, the Lease released, exit 141',
    needs(bash),
    async () => {
      const end = await piped('| head -1 > /dev/null');
      expect(end.code, end.stderr).toBe(141);
      expect(end.stderr).toContain('migrate: EPIPE on stdout (its reader went away)');
      expect(end.stderr).toMatch(/\binterrupted: \d+\/\d+ disks transferred/);
      expect(await lease()).toBeUndefined();
    },
  );

  it('both streams closed (`2>&1 | head -2`): the Lease released, exit 141', needs(bash), async () => {
    const end = await piped('2>&1 | head -2 > /dev/null');
    expect(end.code).toBe(141);
    expect(await lease()).toBeUndefined();
  });
});
