/** The built plugin as a user runs it, and `kubectl mtv sandbox` in another process, for the e2e tests. */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectKube, type KubeClient } from '../../src/cluster/kube-client.js';

export const repo = fileURLToPath(new URL('../..', import.meta.url));
export const bin = join(repo, 'bin', 'kubectl-mtv');

export interface Finished {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface Started {
  child: ChildProcessWithoutNullStreams;
  done: Promise<Finished>;
  stdout: () => string;
  stderr: () => string;
}

export interface SandboxProcess {
  kubeconfig: string;
  client: KubeClient;
  child: ChildProcessWithoutNullStreams;
}

/** vitest's NODE_ENV=test would put oclif in development mode; CI set keeps the output plain. */
export function pluginEnv(): NodeJS.ProcessEnv {
  const { NODE_ENV: _, KUBECONFIG: __, MTV_INVENTORY_URL: ___, MAX_VM_INFLIGHT: ____, ...env } = process.env;
  return { ...env, NO_COLOR: '1', CI: '1' };
}

export function requireBuild(): void {
  if (!existsSync(join(repo, 'dist', 'commands', 'migrate.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
}

/** Processes started here; `killAll` ends those still running. */
const children: ChildProcessWithoutNullStreams[] = [];

export function killAll(): void {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** The plugin with `args` (or, with `program`, another command line: a shell pipeline around the plugin). */
export function start(
  args: string[],
  cwd: string,
  program?: { command: string; args: string[] },
  env: NodeJS.ProcessEnv = pluginEnv(),
): Started {
  const child = program
    ? spawn(program.command, program.args, { cwd, env })
    : spawn(process.execPath, [bin, ...args], { cwd, env });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<Finished>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

/** `kubectl mtv sandbox` in the background; resolves once it serves. */
export async function startSandbox(dir: string, ...args: string[]): Promise<SandboxProcess> {
  const kubeconfig = join(mkdtempSync(join(dir, 'sandbox-')), 'kubeconfig');
  const run = start(['sandbox', '--port', '0', '--kubeconfig', kubeconfig, ...args], dir);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the sandbox printed no kubeconfig path within 15 s')), 15_000);
    run.child.stdout.on('data', () => {
      if (run.stdout().includes('\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
    run.done.then((end) => reject(new Error(`the sandbox exited (${end.code}): ${end.stderr}`)));
  });
  const client = await connectKube({ kubeconfig, env: {}, requestTimeoutMs: 10_000 });
  return { kubeconfig, client, child: run.child };
}

/** Waits until `ready` resolves true (checked every 50 ms, at most `ms`). */
export async function until(ready: () => boolean | Promise<boolean>, ms = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > end) throw new Error(`${what} not reached in ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Runs the built plugin to its end, as kubectl would: without colour and without vitest's NODE_ENV=test (oclif's dev
 * mode). A command that never ends fails its test instead of hanging the suite (spawnSync blocks vitest's timer).
 */
export function kubectlMtv(...args: string[]): { status: number | string | null; stdout: string; stderr: string } {
  const { NODE_ENV: _, ...env } = process.env;
  const run = spawnSync(process.execPath, [bin, ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...env, NO_COLOR: '1' },
    timeout: 30_000,
  });
  return { status: run.signal ? run.signal : run.status, stdout: run.stdout, stderr: run.stderr };
}
