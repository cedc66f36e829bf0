/**
 * The shape of the house, checked on the source itself: no import cycle (type-only imports included), each layer
 * imports only the layers below it, product code never imports the sandbox, no API path is spelled outside
 * src/cluster, and no SOAP outside src/vsphere.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ImportGraph, importCycles, importGraph } from './import-graph.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const src = join(repo, 'src');
const graph = importGraph(src);
const packages = {
  engine: importGraph(join(repo, 'packages', 'engine', 'src')),
  sandbox: importGraph(join(repo, 'packages', 'sandbox', 'src')),
  testSupport: importGraph(join(repo, 'packages', 'test-support', 'src')),
};

/** The top folder of a file under src/ (`errors.ts` and other root files: ''). */
const layerOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '');

/** What each layer of src/ may import besides itself and the root files (errors.ts); all may use the engine. */
const ALLOWED: Record<string, string[]> = {
  // the vCenter endpoint it reads from the Provider is the vSphere adapter's contract type (vcenter-endpoint.ts)
  cluster: ['vsphere'],
  vsphere: [],
  runner: ['cluster', 'vsphere'],
  ui: ['runner'],
  services: ['cluster', 'vsphere', 'runner', 'ui'],
  commands: ['services', 'ui', 'cluster'],
  hooks: ['services', 'ui'],
};

/** The only product files that start the sandbox: the `sandbox` and `demo` use cases (and their error mapping). */
const SANDBOX_USERS = ['services/demo.ts', 'services/sandbox-input.ts', 'services/sandbox.ts'];

/** `file: specifier` for every specifier of `g` that `keep` picks. */
function specifiersOf(g: ImportGraph, keep: (specifier: string) => boolean): string[] {
  return [...g.specifiers].flatMap(([file, specifiers]) => specifiers.filter(keep).map((s) => `${file}: ${s}`));
}

describe('the import graph', () => {
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

  it('has no import cycle in src/ or a package, `import type` and `import()` included', () => {
    expect(graph.files.length).toBeGreaterThan(50);
    expect(importCycles(graph)).toEqual([]);
    for (const g of Object.values(packages)) expect(importCycles(g)).toEqual([]);
  });

  it('imports each layer of src/ only from the layers below it', () => {
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

  it('keeps the engine free of Node.js and of every package: no I/O, no clock', () => {
    expect(packages.engine.files.length).toBeGreaterThan(10);
    expect(specifiersOf(packages.engine, (s) => !s.startsWith('.'))).toEqual([]);
  });

  it('lets only the sandbox and demo use cases import the sandbox, and no product code the test support', () => {
    const importers = [...graph.specifiers]
      .filter(([, specifiers]) => specifiers.includes('@kubectl-mtv/sandbox'))
      .map(([file]) => file)
      .sort();
    expect(importers).toEqual(SANDBOX_USERS);
    expect(specifiersOf(graph, (s) => s === '@kubectl-mtv/test-support')).toEqual([]);
    expect(specifiersOf(packages.sandbox, (s) => s === '@kubectl-mtv/test-support')).toEqual([]);
  });

  it('keeps src/ and each package to itself: no relative import leaves its folder', () => {
    // the CLI's one file outside src/: the scenario file's JSON schema, which users read too
    expect(graph.escapes).toEqual(['services/scenario-file.ts: ../../schema/scenario.schema.json']);
    for (const g of Object.values(packages)) expect(g.escapes).toEqual([]);
  });

  it('speaks SOAP only in src/vsphere: no vim25 namespace and no SOAP envelope elsewhere in src/', () => {
    const soap = /urn:vim25|soapenv:|schemas\.xmlsoap\.org\/soap\/envelope|<\w*:?Envelope\b/;
    expect(
      graph.files
        .filter((file) => layerOf(file) === 'vsphere')
        .some((file) => soap.test(readFileSync(join(src, file), 'utf8'))),
    ).toBe(true);
    const spelled = graph.files
      .filter((file) => layerOf(file) !== 'vsphere')
      .filter((file) => soap.test(readFileSync(join(src, file), 'utf8')));
    expect(spelled).toEqual([]);
  });

  it('spells no API path outside src/cluster', () => {
    const spelled = graph.files
      .filter((file) => layerOf(file) !== 'cluster')
      .filter((file) => /\/apis\/|\/api\/v1/.test(readFileSync(join(src, file), 'utf8')));
    expect(spelled).toEqual([]);
  });
});
