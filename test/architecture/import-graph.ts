/**
 * The import graph of a source tree, read by TypeScript's own pre-processor (static imports, `import type`,
 * re-exports and dynamic `import()` alike), for the architecture tests.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface ImportGraph {
  /** Files of the tree, relative to `root`, with `/`. */
  files: string[];
  /** File -> the files of the tree it imports (relative specifiers only). */
  edges: Map<string, string[]>;
  /** File -> every specifier it imports, as written. */
  specifiers: Map<string, string[]>;
  /** `file: specifier` for each relative import that does not land on a file of the tree (it leaves the tree). */
  escapes: string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** A relative specifier's file: `./x.js` is `./x.ts` or `./x.tsx` in the source. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier).replace(/\.js$/, '');
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

export function importGraph(root: string): ImportGraph {
  const absolute = sourceFiles(root);
  const name = (path: string) => relative(root, path).split('\\').join('/');
  const edges = new Map<string, string[]>();
  const specifiers = new Map<string, string[]>();
  const escapes: string[] = [];
  for (const file of absolute) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const written = info.importedFiles.map((f) => f.fileName);
    specifiers.set(name(file), written);
    const targets: string[] = [];
    for (const specifier of written.filter((s) => s.startsWith('.'))) {
      const target = resolveSpecifier(file, specifier);
      if (target?.startsWith(`${root}/`)) targets.push(name(target));
      else escapes.push(`${name(file)}: ${specifier}`);
    }
    edges.set(name(file), [...new Set(targets)]);
  }
  return { files: absolute.map(name), edges, specifiers, escapes };
}

/** Every cycle's files (strongly connected components of more than one file, or a file importing itself). */
export function importCycles(graph: ImportGraph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop();
      if (w === undefined) break;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.edges.get(v) ?? []).includes(v)) cycles.push(component.sort());
  };
  for (const file of graph.files) if (!index.has(file)) visit(file);
  return cycles;
}
