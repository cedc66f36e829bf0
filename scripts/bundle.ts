/**
 * `npm run build`, after tsc: bundles the CLI with esbuild into dist/ so that start-up reads a few files instead of
 * hundreds of modules from dist/ and node_modules/.
 *
 * The entry points overwrite tsc's output of the same files: dist/commands/<id>.js and dist/hooks/<name>.js, which
 * package.json's oclif section names (so oclif.manifest.json lets `kubectl mtv version` import only what `version`
 * needs, and oclif's development mode still maps them to src/), plus dist/cli.js, oclif's `execute`, which
 * bin/kubectl-mtv and the single executable call. The rest of tsc's output stays for the tests that import it.
 * ESM with code splitting: oclif and what commands share sit in dist/chunks/, read once, and the modules the source
 * imports with `import()` (the live view, @kubernetes/client-node) stay in chunks that `--help` and `version` never read.
 * The workspace packages (@kubectl-mtv/engine and @kubectl-mtv/sandbox) are bundled from their TypeScript sources,
 * which their package.json exports. The sandbox CRDs are read at run time from `../crds` next to the module
 * (packages/sandbox/src/api/crd-loader.ts), and every bundled module sits one level below dist/: they are copied to
 * dist/crds. dist/bundle.json lists the bundle's files
 * (what the single executable embeds).
 */
import { cp, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
/** The bundle's files, relative to the repository, with `/`: written by `bundle`, read by scripts/package.ts. */
export const BUNDLE_LIST = join(dist, 'bundle.json');

/** Files under src/commands that are not commands (package.json's globPatterns leave them out the same way). */
function isCommandFile(path: string): boolean {
  return /\.tsx?$/.test(path) && !path.endsWith('.d.ts') && !/^base\.tsx?$/.test(path) && !path.startsWith('support/');
}

async function entryPoints(): Promise<string[]> {
  const commands = (await readdir(join(src, 'commands'), { recursive: true }))
    .map((file) => file.split(sep).join('/'))
    .filter(isCommandFile)
    .map((file) => `src/commands/${file}`);
  const hooks = (await readdir(join(src, 'hooks')))
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => `src/hooks/${file}`);
  return ['scripts/bundle-cli.ts', ...commands, ...hooks].sort();
}

/** Bundles src/ into dist/, copies the CRDs next to it and lists the files; returns the list. */
export async function bundle(): Promise<string[]> {
  const entries = await entryPoints();
  await rm(join(dist, 'chunks'), { recursive: true, force: true });
  const result = await build({
    entryPoints: entries.map((path) => ({
      in: path,
      out: path === 'scripts/bundle-cli.ts' ? 'cli' : path.replace(/^src\//, '').replace(/\.tsx?$/, ''),
    })),
    absWorkingDir: root,
    outdir: dist,
    metafile: true,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    // Class and function names stay as written: errors name their class, and `--debug` stacks stay readable.
    keepNames: true,
    legalComments: 'none',
    chunkNames: 'chunks/[hash]',
    logLevel: 'warning',
    // oclif requires typescript only to read tsconfig.json in development mode, and copes without it.
    external: ['typescript'],
    // CommonJS packages bundled into ESM (oclif) call require() for built-ins and for files they load at run time.
    banner: {
      js: "import{createRequire as __mtvCreateRequire}from'node:module';const require=__mtvCreateRequire(import.meta.url);",
    },
  });
  await rm(join(dist, 'crds'), { recursive: true, force: true });
  await cp(join(root, 'packages', 'sandbox', 'crds'), join(dist, 'crds'), { recursive: true });
  // every file under dist/crds, one release per folder (packages/sandbox/crds/forklift/release-2.x)
  const crds = (await filesUnder(join(dist, 'crds'))).map((file) => `dist/crds/${file}`);
  const files = [...Object.keys(result.metafile.outputs), ...crds].map((path) => path.split(sep).join('/')).sort();
  await writeFile(BUNDLE_LIST, `${JSON.stringify(files, null, 2)}\n`);
  return files;
}

/** The files below `dir`, as paths relative to it with `/`, in no particular order. */
async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      for (const file of await filesUnder(join(dir, entry.name))) found.push(`${entry.name}/${file}`);
    } else if (entry.isFile()) found.push(entry.name);
  }
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = await bundle();
  console.error(`bundle: ${files.length} files in ${relative(root, dist)}/ (listed in dist/bundle.json)`);
}
