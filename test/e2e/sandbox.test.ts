/**
 * `kubectl mtv sandbox` as a user runs it: the built plugin in the foreground, its kubeconfig path on stdout, the
 * real kubectl against it, a clean exit 0 on SIGTERM or SIGINT; bad flags and a taken port in one line with exit 2.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needs, systemTool } from '@kubectl-mtv/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(repo, 'bin', 'kubectl-mtv');
const kubectlTool = systemTool('kubectl');

/** vitest's NODE_ENV=test would put oclif in development mode. */
function pluginEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_ENV: _, ...env } = process.env;
  return { ...env, NO_COLOR: '1', ...extra };
}

interface Running {
  child: ChildProcessWithoutNullStreams;
  /** The first stdout line: the kubeconfig path. */
  path: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | string>;
}

const running: ChildProcessWithoutNullStreams[] = [];
let dir: string;

/** Starts the sandbox and waits until it prints its kubeconfig path (stdout) and its summary (stderr). */
async function startPlugin(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [bin, 'sandbox', ...args], { cwd: dir, env: pluginEnv(env) });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const path = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no kubeconfig path after 15 s; stderr: ${stderr}`)), 15_000);
    const check = () => {
      if (!stdout.includes('\n') || !stderr.includes('Ctrl-C stops the sandbox\n')) return;
      clearTimeout(timer);
      resolve(stdout.split('\n')[0]);
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited (${code}) before serving; stderr: ${stderr}`));
    });
  });
  return { child, path, stdout: () => stdout, stderr: () => stderr, exited };
}

function kubectl(kubeconfig: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      kubectlTool.path(),
      ['--kubeconfig', kubeconfig, ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: dir, KUBECACHEDIR: join(dir, 'cache') }, timeout: 20_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) || 1 : 0, stdout, stderr }),
    );
  });
}

/** The process must be gone within `ms`. */
function exitWithin(run: Running, ms: number): Promise<number | string> {
  return Promise.race([
    run.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms)),
  ]);
}

beforeAll(() => {
  if (!existsSync(join(repo, 'dist', 'commands', 'sandbox.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
  dir = mkdtempSync(join(tmpdir(), 'kubectl-mtv-sandbox-e2e-'));
});

afterEach(() => {
  for (const child of running.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('kubectl mtv sandbox', () => {
  it(
    'serves kubectl over HTTPS through the kubeconfig it prints, and exits 0 on SIGTERM',
    needs(kubectlTool),
    async () => {
      const kubeconfig = join(dir, 'sandbox.kubeconfig');
      const run = await startPlugin(['--port', '0', '--kubeconfig', kubeconfig, '--speed', '100']);
      expect(run.path).toBe(kubeconfig);
      const text = readFileSync(run.path, 'utf8');
      expect(text).toContain('namespace: openshift-mtv');
      expect(text).toContain('certificate-authority-data');
      const token = /token: (\S+)/.exec(text)?.[1] as string;
      expect(token.length).toBeGreaterThanOrEqual(32);
      expect(run.stderr()).toContain(`export KUBECONFIG=${kubeconfig}`);
      expect(run.stderr()).toMatch(/Kubernetes API https:\/\/127\.0\.0\.1:\d+/);
      expect(run.stderr()).toContain('plan openshift-mtv/plan-a');
      expect(run.stderr()).toMatch(
        /^sandbox: vCenter https:\/\/127\.0\.0\.1:\d+\/sdk \(its user and password are in the source Provider's Secret openshift-mtv\/vsphere-a-secret\)$/m,
      );
      const secret = await kubectl(run.path, 'get', 'secret', 'vsphere-a-secret', '-o', 'jsonpath={.data.password}');
      const password = Buffer.from(secret.stdout, 'base64').toString('utf8');
      expect(password.length).toBeGreaterThanOrEqual(16);

      const plans = await kubectl(run.path, 'get', 'plans', '-n', 'openshift-mtv');
      expect(plans.stdout).toMatch(/^plan-a\s+True\s/m);
      // the default scenario's Host CRs, by the CRD's printer columns (READY, CONNECTED)
      const hosts = await kubectl(run.path, 'get', 'hosts', '-n', 'openshift-mtv');
      expect(hosts.stdout).toMatch(/^NAME\s+READY\s+CONNECTED\s+AGE$/m);
      expect(hosts.stdout).toMatch(/^vsphere-a-host-1\s+True\s+True\s/m);
      // esx-02's failed its connection test: no Ready, no ConnectionTestSucceeded condition
      expect(hosts.stdout).toMatch(/^vsphere-a-host-2\s+\d+s$/m);
      const dataVolumes = await kubectl(run.path, 'get', 'dv', '-n', 'demo');
      expect(dataVolumes).toMatchObject({ code: 0, stderr: 'No resources found in demo namespace.\n' });

      run.child.kill('SIGTERM');
      expect(await exitWithin(run, 5000)).toBe(0);
      // stdout carried the path and nothing else; the token was never printed
      expect(run.stdout()).toBe(`${kubeconfig}\n`);
      expect(run.stderr()).not.toContain(token);
      // nor the vCenter's password, as written or as its Secret holds it
      expect(run.stderr()).not.toContain(password);
      expect(run.stderr()).not.toContain(secret.stdout);
      // the kubeconfig names a server and a token that no longer exist: it is removed
      expect(existsSync(kubeconfig)).toBe(false);
    },
  );

  it(
    'serves plain HTTP with --insecure-http, writes under $XDG_RUNTIME_DIR by default, and exits 0 on SIGINT',
    needs(kubectlTool),
    async () => {
      const runtime = mkdtempSync(join(dir, 'runtime-'));
      const run = await startPlugin(['--insecure-http', '--speed', '100'], { XDG_RUNTIME_DIR: runtime });
      expect(run.path).toMatch(new RegExp(`^${runtime}/kubectl-mtv/sandbox-\\d+\\.kubeconfig$`));
      expect(readFileSync(run.path, 'utf8')).toContain('insecure-skip-tls-verify: true');
      const plans = await kubectl(run.path, 'get', 'plans', '-o', 'name');
      expect(plans.stdout).toBe('plan.forklift.konveyor.io/plan-a\nplan.forklift.konveyor.io/plan-remote\n');
      run.child.kill('SIGINT');
      expect(await exitWithin(run, 5000)).toBe(0);
      expect(existsSync(run.path)).toBe(false);
    },
  );

  it('never writes over a file it did not write: exit 2, the file unchanged, nothing started', () => {
    const kubeconfig = join(dir, 'prod.kubeconfig');
    const prod = 'apiVersion: v1\nkind: Config\nclusters: []\n# the production cluster\n';
    writeFileSync(kubeconfig, prod);
    const run = spawnSync(process.execPath, [bin, 'sandbox', '--port', '0', '--kubeconfig', kubeconfig], {
      cwd: dir,
      env: pluginEnv(),
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.stderr).toBe(
      `error: kubeconfig "${kubeconfig}" exists and was not written by kubectl mtv sandbox; the sandbox writes only a new file or one it wrote before (try: --kubeconfig with a path where no file is, e.g. ./sandbox.kubeconfig)\n`,
    );
    expect(run.stdout).toBe('');
    expect(run.status).toBe(2);
    expect(readFileSync(kubeconfig, 'utf8')).toBe(prod);
  });

  it(
    'takes over a kubeconfig an earlier sandbox left, and removes its own even after kubectl rewrote it',
    needs(kubectlTool),
    async () => {
      const kubeconfig = join(dir, 'reused.kubeconfig');
      const first = await startPlugin(['--port', '0', '--kubeconfig', kubeconfig]);
      const left = readFileSync(kubeconfig, 'utf8');
      // a sandbox killed without cleaning up leaves its kubeconfig behind
      first.child.kill('SIGKILL');
      await first.exited;
      expect(readFileSync(kubeconfig, 'utf8')).toBe(left);
      const second = await startPlugin(['--port', '0', '--kubeconfig', kubeconfig]);
      expect(readFileSync(kubeconfig, 'utf8')).not.toBe(left);
      // kubectl rewrites the file (and keeps the sandbox's mark): it is still the sandbox's to remove
      const set = await kubectl(kubeconfig, 'config', 'set-context', '--current', '--namespace=demo');
      expect(set.code).toBe(0);
      expect(readFileSync(kubeconfig, 'utf8')).toContain('namespace: demo');
      second.child.kill('SIGTERM');
      expect(await exitWithin(second, 5000)).toBe(0);
      expect(existsSync(kubeconfig)).toBe(false);
    },
  );

  it('refuses a port in use in one line naming it, with exit 2', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const run = spawnSync(process.execPath, [bin, 'sandbox', '--port', String(port)], {
        cwd: dir,
        env: pluginEnv(),
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(run.stderr).toBe(`error: port ${port} on 127.0.0.1 is already in use (try: --port 0 picks a free port)\n`);
      expect(run.stdout).toBe('');
      expect(run.status).toBe(2);
    } finally {
      server.close();
    }
  });

  it.each([
    [
      ['--speed', '0'],
      'error: --speed: "0" must be a number above 0 and at most 1000000 (simulated seconds per real second)',
    ],
    [['--fault-rate', '2'], 'error: --fault-rate: "2" must be a number from 0 to 1'],
    [['--fail-disk', 'nope'], 'error: --fail-disk: "nope" is not VM/INDEX (e.g. app-01/0)'],
    [
      ['--fail-snapshot', 'app-01', '--fail-snapshot', 'nope'],
      'error: --fail-snapshot: "nope" names no VM of the scenario (try: a VM name such as app-01)',
    ],
    [
      ['--ignore-shutdown', 'nope'],
      'error: --ignore-shutdown: "nope" names no VM of the scenario (try: a VM name such as app-01)',
    ],
  ])('refuses sandbox %j in one line with exit 2', (args, line) => {
    const run = spawnSync(process.execPath, [bin, 'sandbox', ...args], {
      cwd: dir,
      env: pluginEnv(),
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.stderr).toBe(`${line}\n`);
    expect(run.stdout).toBe('');
    expect(run.status).toBe(2);
  });
});
