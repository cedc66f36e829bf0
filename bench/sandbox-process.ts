/** `kubectl mtv sandbox` in another process, for the sections that run the built plugin against it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent } from '../src/runner/run-events.js';

/**
 * `kubectl mtv sandbox` at `speed` in the background, with `args` besides (e.g. `--scenario FILE`); resolves with
 * the kubeconfig path it prints once it serves.
 */
export function startSandbox(
  bin: string,
  dir: string,
  speed: number,
  args: readonly string[] = [],
): Promise<{ kubeconfig: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [bin, 'sandbox', '--speed', String(speed), '--port', '0', '--kubeconfig', join(dir, 'kc'), ...args],
    { env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const onExit = (code: number | null) => fail(new Error(`sandbox exited (${code}) before serving`));
    const timer = setTimeout(() => fail(new Error('sandbox: no kubeconfig path after 60 s')), 60_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(new Error(`${e.message}\n${err}`));
    };
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve({ kubeconfig: out.slice(0, nl).trim(), child });
    });
    child.on('exit', onExit);
  });
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the sandbox is gone. */
export function stopSandbox(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** What one `kubectl mtv migrate` run printed and how it ended. */
export interface MigrateProcess {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  /** Wall seconds from spawning migrate to its exit. */
  wallSeconds: number;
}

/**
 * `kubectl mtv migrate ARGS --kubeconfig KUBECONFIG` to its end, or SIGTERM after `deadlineSeconds`, run as kubectl
 * runs a plugin: no colour, not interactive, none of the caller's cluster settings.
 */
export async function runMigrate(
  bin: string,
  cwd: string,
  args: readonly string[],
  kubeconfig: string,
  deadlineSeconds: number,
): Promise<MigrateProcess> {
  const { KUBECONFIG: _, MTV_INVENTORY_URL: __, MAX_VM_INFLIGHT: ___, NODE_ENV: ____, ...env } = process.env;
  const started = performance.now();
  const child = spawn(process.execPath, [bin, ...args, '--kubeconfig', kubeconfig], {
    cwd,
    env: { ...env, CI: '1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const deadline = setTimeout(() => child.kill('SIGTERM'), deadlineSeconds * 1000);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(deadline);
  return { stdout, stderr, exitCode, wallSeconds: (performance.now() - started) / 1000 };
}

/** The ndjson events of a run's stdout. */
export function parseEvents(stdout: string): RunEvent[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as RunEvent);
}

/** A failed run's output, kept for a look: its ndjson and stderr in a temporary directory, said on stderr. */
export function keepFailedRun(section: string, args: readonly string[], stdout: string, stderr: string): void {
  const dir = mkdtempSync(join(tmpdir(), `bench-${section}-failed-`));
  writeFileSync(join(dir, 'migrate.ndjson'), stdout);
  writeFileSync(join(dir, 'migrate.stderr'), `${args.join(' ')}\n\n${stderr}`);
  process.stderr.write(`${section}: the failed run's output is in ${dir}\n`);
}
