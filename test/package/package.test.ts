import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { untarGz } from '../../scripts/archive.js';
import type { PackagedArchive } from '../../scripts/krew-manifest.js';
import { packageTargets } from '../../scripts/package.js';
import { archiveName, hostTarget, NODE_VERSION, TARGETS } from '../../scripts/package-targets.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const pjson = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { version: string };
const host = hostTarget();
const STALE = 'krew-manifest.yaml is stale: run npm run package (it rebuilds and rewrites it) and commit the result';

interface KrewPlatform {
  selector: { matchLabels: { os: string; arch: string } };
  uri: string;
  sha256: string;
  files: { from: string; to: string }[];
  bin: string;
}

interface KrewPlugin {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    version: string;
    homepage: string;
    shortDescription: string;
    description: string;
    caveats?: string;
    platforms: KrewPlatform[];
  };
}

const manifest = parse(await readFile(join(repo, 'krew-manifest.yaml'), 'utf8')) as KrewPlugin;

describe('krew-manifest.yaml follows the krew rules', () => {
  it('is a krew Plugin named mtv at the version of package.json', () => {
    expect(manifest.apiVersion).toBe('krew.googlecontainertools.github.com/v1alpha2');
    expect(manifest.kind).toBe('Plugin');
    expect(manifest.metadata.name).toMatch(/^[\w-]+$/);
    expect(manifest.metadata.name).toBe('mtv');
    expect(manifest.spec.version, STALE).toBe(`v${pjson.version}`);
    expect(manifest.spec.version).toMatch(/^v\d+\.\d+\.\d+/);
  });

  it('has a homepage, a short description of at most 50 characters and a description wrapped at 80', () => {
    expect(manifest.spec.homepage).toMatch(/^https:\/\/\S+$/);
    expect(manifest.spec.shortDescription.length).toBeGreaterThan(0);
    expect(manifest.spec.shortDescription.length).toBeLessThanOrEqual(50);
    const lines = manifest.spec.description.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('gives no usage examples in the description', () => {
    expect(manifest.spec.description).not.toMatch(/kubectl mtv |\$ |--\w/);
  });

  it('warns in its caveats that it replaces the other kubectl-mtv', () => {
    expect(manifest.spec.caveats).toMatch(/replaces the other kubectl-mtv/);
    expect(manifest.spec.caveats).toMatch(/PATH/);
  });

  it('has one platform per archive, linux/amd64 and windows/amd64 among them', () => {
    const labels = manifest.spec.platforms.map((p) => `${p.selector.matchLabels.os}/${p.selector.matchLabels.arch}`);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels).toEqual(expect.arrayContaining(['linux/amd64', 'windows/amd64']));
    expect(labels.sort()).toEqual(TARGETS.map((t) => `${t.os}/${t.arch}`).sort());
  });

  it.each(TARGETS.map((t) => [`${t.os}/${t.arch}`, t] as const))(
    'names the %s archive with its sha256, its files and its bin',
    (_, target) => {
      const platform = manifest.spec.platforms.find(
        (p) => p.selector.matchLabels.os === target.os && p.selector.matchLabels.arch === target.arch,
      );
      expect(platform, STALE).toBeDefined();
      if (!platform) return;
      expect(platform.uri).toMatch(/^https:\/\/\S+\.(tar\.gz|zip)$/);
      expect(platform.uri.endsWith(`/${archiveName(pjson.version, target)}`), STALE).toBe(true);
      expect(platform.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(platform.files).toEqual([
        { from: target.executable, to: '.' },
        { from: target.completionHelper, to: '.' },
        { from: 'LICENSE', to: '.' },
      ]);
      expect(platform.bin).toBe(target.executable);
      expect(platform.bin.endsWith('.exe')).toBe(target.os === 'windows');
    },
  );
});

// Packages the host platform once (about 15 s; the Node.js runtime comes from .cache/node-runtime, fetched with npm
// pack the first time) into a temporary directory.
describe.skipIf(host === undefined)('the single executable of this platform', () => {
  let out = '';
  let archive: PackagedArchive;
  let executable = '';
  let env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    if (!existsSync(join(repo, 'dist', 'bundle.json'))) {
      throw new Error('dist/bundle.json is missing: run `npm run build` first (npm test does)');
    }
    out = await mkdtemp(join(tmpdir(), 'kubectl-mtv-package-'));
    if (!host) return;
    [archive] = await packageTargets([host], { outDir: out, log: () => {} });
    executable = join(out, `${host.os}-${host.arch}`, host.executable);
    // No node on PATH, an empty home: the executable needs nothing from the machine.
    const empty = join(out, 'empty-path');
    await mkdir(empty);
    env = { PATH: empty, HOME: join(out, 'home'), XDG_CACHE_HOME: join(out, 'cache'), CI: '1', NO_COLOR: '1' };
  }, 300_000);

  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  /** The executable and bin/kubectl-mtv on the same arguments, same environment, from the repository. */
  function both(args: string[]) {
    const packaged = spawnSync(executable, args, { cwd: repo, env, encoding: 'utf8' });
    const bin = spawnSync(process.execPath, [join(repo, 'bin', 'kubectl-mtv'), ...args], {
      cwd: repo,
      env,
      encoding: 'utf8',
    });
    // bin/ runs on the Node.js running the tests, the executable on the one it embeds.
    const binStdout = bin.stdout.replaceAll(process.version, `v${NODE_VERSION}`);
    return { packaged, bin, binStdout };
  }

  it.each([[['--help']], [['version']], [['simulate', '--scenario', 'examples/seed-10x10.yaml']]])(
    'prints what bin/kubectl-mtv prints for %j, with no node on PATH',
    (args) => {
      const { packaged, bin, binStdout } = both(args);
      expect(packaged.error).toBeUndefined();
      expect(packaged.stderr).toBe(bin.stderr);
      expect(packaged.status).toBe(0);
      expect(bin.status).toBe(0);
      expect(packaged.stdout.length).toBeGreaterThan(0);
      expect(packaged.stdout).toBe(binStdout);
    },
  );

  it('fails an unknown command the way bin/kubectl-mtv does', () => {
    const { packaged, bin } = both(['no-such-command']);
    expect(packaged.status).toBe(2);
    expect(packaged.stderr).toBe(bin.stderr);
  });

  it('holds the executable, the completion helper and LICENSE, owned by root, dated 1970', async () => {
    if (!host) return;
    const files = untarGz(await readFile(join(out, archive.name)));
    expect(files.map((f) => f.name)).toEqual([host.executable, host.completionHelper, 'LICENSE']);
    expect(files.map((f) => f.mode)).toEqual([0o755, 0o755, 0o644]);
    for (const file of files) expect([file.uid, file.gid, file.mtime]).toEqual([0, 0, 0]);
    expect(Buffer.from(files[2].data)).toEqual(await readFile(join(repo, 'LICENSE')));
  });

  it('re-packs to the sha256 that krew-manifest.yaml records', async () => {
    if (!host) return;
    const recorded = manifest.spec.platforms.find(
      (p) => p.selector.matchLabels.os === host.os && p.selector.matchLabels.arch === host.arch,
    );
    const actual = createHash('sha256')
      .update(await readFile(join(out, archive.name)))
      .digest('hex');
    expect(archive.sha256).toBe(actual);
    expect(recorded?.sha256, `${STALE} (${host.os}/${host.arch} re-packs to ${actual})`).toBe(actual);
  });
});
