/** `kubectl mtv demo`, the README's first command: the sandbox and migrate in one process, done in about a minute. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(repo, 'bin', 'kubectl-mtv');

beforeAll(() => {
  if (!existsSync(join(repo, 'dist', 'commands', 'demo.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
});

describe('kubectl mtv demo', () => {
  it('migrates plan-a on an in-process sandbox and exits 0 within 90 s', async () => {
    const { NODE_ENV: _, KUBECONFIG: __, ...env } = process.env;
    const started = Date.now();
    const child = spawn(process.execPath, [bin, 'demo'], { env: { ...env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    const seconds = (Date.now() - started) / 1000;
    expect({ code, tail: stderr.slice(-400) }).toMatchObject({ code: 0 });
    expect(seconds).toBeLessThan(90);
    expect(seconds).toBeGreaterThan(30);
    expect(stderr).toMatch(/^demo: a sandbox cluster in this process/);
    expect(stderr).toContain('completed: 92/92 disks transferred');
    expect(stdout).toMatch(/^OUTCOME\s+DISKS\s+TRANSFERRED/);
    expect(stdout).toMatch(/\ncompleted\s+92\s+92\s+0\s+0\s+0\s+0\s/);
  }, 120_000);
});
