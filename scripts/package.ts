/**
 * `npm run package` (after `npm run build`): one single executable per platform, its archive, and
 * krew-manifest.yaml. `-- --host` packages only this machine's platform and leaves the manifest alone.
 *
 * An executable is the platform's Node.js runtime (scripts/node-runtime.ts) with a single-executable-application blob
 * injected by postject. The blob holds the CommonJS stub scripts/sea-main.cjs as its main and, as assets, the ESM
 * bundle (the files dist/bundle.json lists), oclif.manifest.json and a package.json reduced to what oclif reads; no
 * code cache and no snapshot, so the blob is the same bytes for every platform and every machine. The stub unpacks
 * the assets into a cache directory on first run and imports the bundle from there.
 *
 * Reproducible: the same commit gives the same archives (scripts/archive.ts says how); nothing in them comes from git
 * or the clock.
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type ArchiveEntry, tarGz, zip } from './archive.js';
import { BUNDLE_LIST } from './bundle.js';
import { homepageOf, krewManifest, type PackagedArchive } from './krew-manifest.js';
import { nodeRuntime } from './node-runtime.js';
import {
  archiveName,
  hostTarget,
  NODE_VERSION,
  type PackageTarget,
  packageDir,
  packagedExecutable,
  TARGETS,
} from './package-targets.js';
import { stripMachOSignature, stripPeSignature } from './strip-signature.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** postject's API (it ships no types). */
interface Postject {
  inject(
    file: string,
    resource: string,
    data: Buffer,
    options: { sentinelFuse: string; machoSegmentName?: string; overwrite?: boolean },
  ): Promise<void>;
}

/** Node.js looks for this fuse to know that a blob was injected. */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export interface PackageOptions {
  /** Where executables and archives go; default dist-package/. */
  outDir?: string;
  log?: (line: string) => void;
}

interface Payload {
  /** Asset name (a path relative to the unpacked root, with `/`) -> the file's bytes. */
  files: Map<string, Buffer>;
  /** sha256 of the names and bytes, which names the stub's cache directory. */
  id: string;
}

/** What oclif reads from package.json, nothing more: no scripts, no dependencies. */
function runtimePackageJson(pjson: Record<string, unknown>): Buffer {
  const { name, version, description, license, type, oclif } = pjson;
  return Buffer.from(`${JSON.stringify({ name, version, description, license, type, oclif }, null, 2)}\n`);
}

async function payload(pjson: Record<string, unknown>): Promise<Payload> {
  const manifest = join(root, 'oclif.manifest.json');
  if (!existsSync(BUNDLE_LIST) || !existsSync(manifest)) {
    throw new Error('dist/bundle.json or oclif.manifest.json is missing: run `npm run build` first');
  }
  const files = new Map<string, Buffer>([
    ['package.json', runtimePackageJson(pjson)],
    ['oclif.manifest.json', await readFile(manifest)],
  ]);
  const bundled = JSON.parse(await readFile(BUNDLE_LIST, 'utf8')) as string[];
  for (const name of bundled) files.set(name, await readFile(join(root, name)));
  const hash = createHash('sha256');
  for (const [name, data] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    hash.update(`${name}\0${data.length}\0`).update(data);
  }
  return { files, id: hash.digest('hex').slice(0, 24) };
}

/**
 * The blob, made by the pinned Node.js itself (the host platform's runtime from the cache), so that the blob's format
 * matches the runtime it goes into whatever Node.js runs this script.
 */
async function seaBlob(content: Payload, log: (line: string) => void): Promise<Buffer> {
  const host = hostTarget();
  let node: string;
  if (host) node = await nodeRuntime(root, host, log);
  else if (process.version === `v${NODE_VERSION}`) node = process.execPath;
  else
    throw new Error(`no Node.js ${NODE_VERSION} for this platform to make the blob with (running ${process.version})`);
  const work = join(root, '.cache', 'sea');
  await rm(work, { recursive: true, force: true });
  await mkdir(join(work, 'assets'), { recursive: true });
  const names = [...content.files.keys()];
  const assets: Record<string, string> = {};
  for (const [i, name] of names.entries()) {
    assets[name] = join(work, 'assets', String(i));
    await writeFile(assets[name], content.files.get(name) ?? Buffer.alloc(0));
  }
  assets['index.json'] = join(work, 'index.json');
  await writeFile(assets['index.json'], JSON.stringify({ id: content.id, files: names }));
  // The blob records the main script's path as given: relative to the repository, so that no checkout's path is in it.
  const config = {
    main: 'scripts/sea-main.cjs',
    output: join(work, 'sea-prep.blob'),
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: false,
    assets,
  };
  await writeFile(join(work, 'sea-config.json'), JSON.stringify(config, null, 2));
  execFileSync(node, ['--experimental-sea-config', join(work, 'sea-config.json')], { cwd: root, stdio: 'ignore' });
  return readFile(config.output);
}

/** The runtime with its signature removed and the blob injected, written to `file`. */
async function writeExecutable(target: PackageTarget, blob: Buffer, file: string, log: (line: string) => void) {
  let runtime: Buffer = await readFile(await nodeRuntime(root, target, log));
  if (target.os === 'windows') runtime = stripPeSignature(runtime);
  if (target.os === 'darwin') runtime = stripMachOSignature(runtime);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, runtime, { mode: 0o755 });
  const postject = createRequire(import.meta.url)('postject') as Postject;
  // postject's LIEF prints notes on ELF sections it does not know; the result is checked by the tests instead.
  await postject.inject(file, 'NODE_SEA_BLOB', blob, {
    sentinelFuse: SEA_FUSE,
    ...(target.os === 'darwin' ? { machoSegmentName: 'NODE_SEA' } : {}),
  });
}

/** Packages `targets`; returns each archive's name and sha256. */
export async function packageTargets(
  targets: readonly PackageTarget[],
  options: PackageOptions = {},
): Promise<PackagedArchive[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const outDir = options.outDir ?? packageDir(root);
  const pjson = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const version = String(pjson.version);
  const license = await readFile(join(root, 'LICENSE'));
  const content = await payload(pjson);
  const blob = await seaBlob(content, log);
  const archives: PackagedArchive[] = [];
  for (const target of targets) {
    const started = performance.now();
    const file = options.outDir
      ? join(outDir, `${target.os}-${target.arch}`, target.executable)
      : packagedExecutable(root, target);
    await writeExecutable(target, blob, file, log);
    const entries: ArchiveEntry[] = [
      { name: target.executable, data: await readFile(file), executable: true },
      {
        name: target.completionHelper,
        data: await readFile(join(root, 'bin', target.completionHelper)),
        executable: true,
      },
      { name: 'LICENSE', data: license, executable: false },
    ];
    const name = archiveName(version, target);
    const archive = target.archiveExtension === '.zip' ? zip(entries) : tarGz(entries);
    await writeFile(join(outDir, name), archive);
    const sha256 = createHash('sha256').update(archive).digest('hex');
    archives.push({ target, name, sha256, files: entries.map((entry) => entry.name) });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    log(`${name}: ${(archive.length / 1e6).toFixed(1)} MB, sha256 ${sha256} (${seconds} s)`);
  }
  return archives;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { host: { type: 'boolean', default: false } } });
  const host = hostTarget();
  if (values.host && !host) throw new Error(`--host: ${process.platform}/${process.arch} is not packaged`);
  const targets = values.host && host ? [host] : TARGETS;
  const pjson = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  const archives = await packageTargets(targets);
  if (values.host) return;
  const manifest = krewManifest(pjson.version, homepageOf(pjson), archives);
  await writeFile(join(root, 'krew-manifest.yaml'), manifest);
  process.stderr.write('krew-manifest.yaml: written\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
