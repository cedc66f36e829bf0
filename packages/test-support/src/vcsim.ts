/**
 * govmomi's vCenter simulator (vcsim 0.24.2, Debian's golang-github-vmware-govmomi-dev) as a TestVCenter: vcsim/main.go
 * is built once per content (GOPATH mode against /usr/share/gocode) into node_modules/.cache/kubectl-mtv/vcsim-<hash>
 * and started as a child process that prints its description on one JSON line and serves until its stdin closes.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GOCODE, govmomiSimulator } from './requirements.js';
import type { TestVCenter } from './test-vcenter.js';

const run = promisify(execFile);
const mainGo = fileURLToPath(new URL('../vcsim/main.go', import.meta.url));
const cacheRoot = fileURLToPath(new URL('../../../node_modules/.cache/kubectl-mtv', import.meta.url));

/** How long the simulator may take to print its description once built (ms). */
const START_TIMEOUT_MS = 30_000;

/** The simulator's binary, built when this main.go has not been built before; its path. */
export async function buildVcsim(): Promise<string> {
  const go = govmomiSimulator().path();
  const hash = createHash('sha256').update(readFileSync(mainGo)).digest('hex').slice(0, 16);
  const dir = join(cacheRoot, `vcsim-${hash}`);
  const binary = join(dir, 'vcsim');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  // several test files may build at once: each writes its own file and the rename is atomic
  const partial = `${binary}.${process.pid}.${Date.now()}`;
  await run(go, ['build', '-o', partial, mainGo], {
    cwd: dir,
    env: { ...process.env, GOPATH: GOCODE, GO111MODULE: 'off', GOCACHE: join(cacheRoot, 'go-build'), GOFLAGS: '' },
    timeout: 300_000,
  });
  renameSync(partial, binary);
  return binary;
}

/** Starts a fresh simulator (its own inventory: tests may power VMs off and take snapshots). */
export async function startVcsim(): Promise<TestVCenter> {
  const binary = await buildVcsim();
  const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`vcsim printed nothing within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    createInterface({ input: child.stdout }).once('line', (first) => {
      clearTimeout(timer);
      resolve(first);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vcsim exited (${code}) before describing itself: ${stderr.trim()}`));
    });
  });
  const described = JSON.parse(line) as Omit<TestVCenter, 'stop'>;
  let stopped: Promise<void> | undefined;
  return {
    ...described,
    stop() {
      stopped ??= (async () => {
        child.stdin.end();
        const timer = setTimeout(() => child.kill('SIGTERM'), 5000);
        await exited;
        clearTimeout(timer);
      })();
      return stopped;
    },
  };
}
