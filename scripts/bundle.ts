/**
 * `npm run build`, after tsc: bundles the CLI with esbuild into dist/ so that start-up reads a few files instead of
 * hundreds of modules from dist/ and node_modules/.
 *
 * The entry points overwrite tsc's output of the same files: dist/commands/<id>.js and dist/hooks/<name>.js, which
 * package.json's oclif section names (so oclif.manifest.json lets `kubectl mtv version` import only what `version`
 * needs, and oclif's development mode still maps them to src/), plus dist/cli.js, oclif's `execute`, which
 * bin/kubectl-mtv and the single executable call. The rest of tsc's output stays for the tests that import it.
 * ESM with code splitting: oclif and what commands share sit in dist/chunks/, read once, and the modules the source
 * imports with `import()` (ink, react, @kubernetes/client-node) stay in chunks that `--help` and `version` never read.
 * The workspace packages (@kubectl-mtv/engine and @kubectl-mtv/sandbox) are bundled from their TypeScript sources,
 * which their package.json exports. The sandbox CRDs are read at run time from `../crds` next to the module
 * (packages/sandbox/src/api/crd-loader.ts), and every bundled module sits one level below dist/: they are copied to
 * dist/crds. dist/bundle.json lists the bundle's files
 * (what the single executable embeds).
 */
import { cp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

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

/**
 * `await import('react')` of a CommonJS package gives, under Node.js, a namespace with its named exports (found by
 * cjs-module-lexer); the same import bundled by esbuild gives only `default`, so `const { createElement } = await
 * import('react')` would get undefined. Each dynamic import of a CommonJS package goes through a small ESM module
 * that names its exports, listed here at build time from the package itself.
 */
function commonJsNamespaces(): Plugin {
  const requireFromRoot = createRequire(join(root, 'package.json'));
  return {
    name: 'commonjs-dynamic-import-namespaces',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.kind !== 'dynamic-import' || args.namespace === 'cjs-namespace') return undefined;
        const resolved = await b.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir });
        if (resolved.errors.length > 0 || !isCommonJs(resolved.path)) return undefined;
        return { path: args.path, namespace: 'cjs-namespace', pluginData: { resolveDir: args.resolveDir } };
      });
      b.onLoad({ filter: /.*/, namespace: 'cjs-namespace' }, (args) => {
        const exported = requireFromRoot(args.path) as Record<string, unknown>;
        const names = Object.keys(exported).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
        const specifier = JSON.stringify(args.path);
        return {
          contents: [
            `import m from ${specifier};`,
            'export default m;',
            ...names.map((n, i) => `const e${i} = m[${JSON.stringify(n)}];\nexport { e${i} as ${n} };`),
          ].join('\n'),
          resolveDir: (args.pluginData as { resolveDir: string }).resolveDir,
        };
      });
    },
  };
}

/** Whether Node.js loads `file` as CommonJS: .cjs, or .js under a package.json without "type": "module". */
function isCommonJs(file: string): boolean {
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pjson = createRequire(import.meta.url)(join(dir, 'package.json')) as { type?: string };
      return pjson.type !== 'module';
    } catch {
      // no package.json here: look further up
    }
  }
  return true;
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
    plugins: [commonJsNamespaces()],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    minify: true,
    // Class and function names stay as written: errors name their class, and `--debug` stacks stay readable.
    keepNames: true,
    legalComments: 'none',
    chunkNames: 'chunks/[hash]',
    logLevel: 'warning',
    // ink imports react-devtools-core only when DEV=true, and it is not installed: that import fails as it does
    // unbundled. oclif requires typescript only to read tsconfig.json in development mode, and copes without it.
    external: ['react-devtools-core', 'typescript'],
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
