/** `kubectl mtv sandbox` in another process, for the sections that run the built plugin against it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

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
