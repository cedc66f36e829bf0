/**
 * The shape of the house, checked on the source itself: no import cycle (type-only imports included), each layer
 * imports only the layers below it, product code never imports the sandbox, and no API path is spelled outside
 * src/cluster.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph } from './import-graph.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const src = join(repo, 'src');
const graph = importGraph(src);

/** The top folder of a file under src/ (`errors.ts` and other root files: ''). */
const layerOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '');

/** What each layer may import besides itself and the root files (errors.ts). */
const ALLOWED: Record<string, string[]> = {
  engine: [],
  cluster: ['engine'],
  runner: ['cluster', 'engine'],
  ui: ['runner', 'engine'],
  services: ['cluster', 'engine', 'runner', 'ui', 'sandbox'],
  commands: ['services', 'ui', 'engine', 'cluster'],
  hooks: ['services', 'ui'],
  sandbox: ['engine'],
};

/** The only product files that start the sandbox: the `sandbox` and `demo` use cases. */
const SANDBOX_USERS = ['services/demo.ts', 'services/sandbox.ts'];

describe('the import graph of src/', () => {
  it('finds a cycle where there is one (the check itself)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycles-'));
    try {
      mkdirSync(join(dir, 'a'));
      writeFileSync(join(dir, 'a', 'one.ts'), "import type { Two } from './two.js';\nexport type One = Two;\n");
      writeFileSync(
        join(dir, 'a', 'two.ts'),
        "export type Two = number;\nexport const load = () => import('./one.js');\n",
      );
      writeFileSync(join(dir, 'three.ts'), "import { load } from './a/two.js';\nexport const x = load;\n");
      expect(importCycles(importGraph(dir))).toEqual([['a/one.ts', 'a/two.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has no import cycle, `import type` and `import()` included', () => {
    expect(graph.files.length).toBeGreaterThan(50);
    expect(importCycles(graph)).toEqual([]);
  });

  it('imports each layer only from the layers below it', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph.edges) {
      const layer = layerOf(file);
      const allowed = ALLOWED[layer];
      if (allowed === undefined) {
        if (layer !== '') wrong.push(`${file}: unknown layer "${layer}"`);
        continue;
      }
      for (const target of targets) {
        const to = layerOf(target);
        if (to !== layer && to !== '' && !allowed.includes(to)) wrong.push(`${file} -> ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps the engine free of Node.js and packages: no I/O, no clock', () => {
    const external = [...graph.specifiers]
      .filter(([file]) => layerOf(file) === 'engine')
      .flatMap(([file, specifiers]) => specifiers.filter((s) => !s.startsWith('.')).map((s) => `${file}: ${s}`));
    expect(external).toEqual([]);
  });

  it('lets only the sandbox and demo use cases import the sandbox', () => {
    const importers = [...graph.edges]
      .filter(([file, targets]) => layerOf(file) !== 'sandbox' && targets.some((t) => layerOf(t) === 'sandbox'))
      .map(([file]) => file)
      .sort();
    expect(importers).toEqual(SANDBOX_USERS);
  });

  it('spells no API path outside src/cluster', () => {
    const spelled = graph.files
      .filter((file) => !['cluster', 'sandbox'].includes(layerOf(file)))
      .filter((file) => /\/apis\/|\/api\/v1/.test(readFileSync(join(src, file), 'utf8')));
    expect(spelled).toEqual([]);
  });
});
