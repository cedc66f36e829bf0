/**
 * `kubectl mtv sandbox`'s service with the vCenter faults: --fail-snapshot and --ignore-shutdown (and a scenario
 * file's tools and ignoresShutdown) reach the sandbox's vCenter, seen as Forklift sees it: the Provider Secret's
 * credentials read through the kubeconfig, then vim25 calls. Unknown VM names are refused before anything serves.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidFromName } from '@kubectl-mtv/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectKube } from '../../src/cluster/kube-client.js';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import { ExitCode, UserError } from '../../src/errors.js';
import { type SandboxServiceOptions, type ServedSandbox, serveSandbox } from '../../src/services/sandbox.js';
import { connectVCenter, type VCenterSession, waitForTask } from '../../src/vsphere/index.js';

let dir: string;
let served: ServedSandbox | undefined;
let session: VCenterSession | undefined;

const SCENARIO = `
vms:
  - {name: slow, powerState: poweredOn, disks: [{size: 1Gi}]}
  - {name: fine, powerState: poweredOn, disks: [{size: 1Gi}]}
  - {name: hung, powerState: poweredOn, ignoresShutdown: true, disks: [{size: 1Gi}]}
  - {name: bare, powerState: poweredOn, tools: false, disks: [{size: 1Gi}]}
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kubectl-mtv-sandbox-service-'));
  writeFileSync(join(dir, 'scenario.yaml'), SCENARIO);
});

afterEach(async () => {
  await session?.logout();
  session = undefined;
  await served?.stop();
  served = undefined;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function options(more: Partial<SandboxServiceOptions>): SandboxServiceOptions {
  return {
    scenarioPath: join(dir, 'scenario.yaml'),
    port: 0,
    kubeconfigPath: join(dir, 'kubeconfig'),
    speed: 1000,
    insecureHttp: false,
    faultRate: 0,
    faultSeed: 1,
    latencyMs: 0,
    failDisks: [],
    deny: [],
    ...more,
  };
}

/** Logs in to the sandbox's vCenter as Forklift would: with the source Provider Secret's user, password and CA. */
async function vcenterSession(sandbox: ServedSandbox): Promise<{ session: VCenterSession; password: string }> {
  const client = await connectKube({ kubeconfig: sandbox.kubeconfigPath, env: {}, requestTimeoutMs: 10_000 });
  const [namespace, name] = sandbox.vcenter.secret.split('/');
  const secret = await client.get<{ data: Record<string, string> }>(inNamespace(RESOURCES.secrets, namespace), name);
  const field = (key: string) => Buffer.from(secret?.data[key] ?? '', 'base64').toString('utf8');
  expect(field('user')).not.toBe('');
  const password = field('password');
  const opened = await connectVCenter(
    { url: sandbox.vcenter.url, user: field('user'), password, ca: field('cacert') },
    { timeoutMs: 10_000 },
  );
  return { session: opened, password };
}

async function vm(name: string) {
  const ref = await session?.findVm(uuidFromName(name));
  if (!session || !ref) throw new Error(`the sandbox's vCenter has no VM ${name}`);
  return ref;
}

async function snapshotState(name: string) {
  if (!session) throw new Error('no session');
  const task = await session.createSnapshot(await vm(name), 'forklift-migration-precopy', '');
  return (await waitForTask(session, task, { intervalMs: 20, timeoutMs: 10_000 })).state;
}

describe('serveSandbox and the sandbox vCenter', () => {
  it('fails the snapshots of --fail-snapshot VMs and only theirs', async () => {
    served = await serveSandbox(options({ failSnapshots: ['slow'] }));
    ({ session } = await vcenterSession(served));
    expect(await snapshotState('slow')).toBe('error');
    expect(await snapshotState('fine')).toBe('success');
  });

  it('keeps --ignore-shutdown and ignoresShutdown guests on while the others shut down', async () => {
    served = await serveSandbox(options({ ignoreShutdown: ['slow'] }));
    const opened = await vcenterSession(served);
    session = opened.session;
    const current = session;
    for (const name of ['slow', 'fine', 'hung']) await current.shutdownGuest(await vm(name));
    // a guest shuts down 15 simulated seconds after ShutdownGuest: 15 ms at 1000x
    const deadline = Date.now() + 5000;
    while ((await current.vmPower(await vm('fine'))).powerState !== 'poweredOff') {
      if (Date.now() > deadline) throw new Error('fine never shut down');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await current.vmPower(await vm('slow'))).powerState).toBe('poweredOn');
    expect((await current.vmPower(await vm('hung'))).powerState).toBe('poweredOn');
    // tools: false: no Tools running, so ShutdownGuest is refused
    expect(await current.vmPower(await vm('bare'))).toEqual({ powerState: 'poweredOn', toolsRunning: false });
    await expect(current.shutdownGuest(await vm('bare'))).rejects.toMatchObject({ fault: 'ToolsUnavailable' });
  });

  it.each([
    ['failSnapshots', '--fail-snapshot'],
    ['ignoreShutdown', '--ignore-shutdown'],
  ] as const)('refuses %s naming no scenario VM as a usage error, before anything serves', async (key, flag) => {
    const kubeconfig = join(dir, `refused-${key}.kubeconfig`);
    const error = await serveSandbox(options({ [key]: ['fine', 'nope'], kubeconfigPath: kubeconfig })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({
      message: `${flag}: "nope" names no VM of the scenario`,
      exitCode: ExitCode.usage,
      hint: 'a VM name such as slow',
    });
    expect(existsSync(kubeconfig)).toBe(false);
  });
});
