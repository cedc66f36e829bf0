/**
 * The subset of kubectl's JSONPath that CRD printer columns use: `.a.b`, `.a[0]`, `.a[*]` and filters
 * `.a[?(@.type=='Ready')].status` (==, !=). Returns every match, in order; a missing field yields no match.
 */

type Step = { field: string } | { index: number } | { all: true } | { filter: Filter };

interface Filter {
  path: string[];
  op: '==' | '!=';
  value: string;
}

const STEP = /^\.([A-Za-z0-9_$-]+)|^\[(\d+)\]|^\[\*\]|^\[\?\(@((?:\.[A-Za-z0-9_$-]+)+)\s*(==|!=)\s*(['"])(.*?)\5\)\]/;

/** Parses `.status.conditions[?(@.type=='Ready')].status`; throws on syntax it does not know. */
export function parseJsonPath(expression: string): Step[] {
  let rest = expression.trim().replace(/^\{(.*)\}$/, '$1');
  if (rest.startsWith('$')) rest = rest.slice(1);
  const steps: Step[] = [];
  while (rest.length > 0) {
    const match = STEP.exec(rest);
    if (!match) throw new Error(`unsupported JSONPath ${JSON.stringify(expression)} at ${JSON.stringify(rest)}`);
    if (match[1] !== undefined) steps.push({ field: match[1] });
    else if (match[2] !== undefined) steps.push({ index: Number(match[2]) });
    else if (match[3] !== undefined) {
      steps.push({ filter: { path: match[3].slice(1).split('.'), op: match[4] as '==' | '!=', value: match[6] } });
    } else steps.push({ all: true });
    rest = rest.slice(match[0].length);
  }
  return steps;
}

function readPath(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Every value the path reaches in `root`. */
export function evaluateJsonPath(steps: readonly Step[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if ('field' in step) {
        if (value !== null && typeof value === 'object' && !Array.isArray(value) && step.field in value) {
          next.push((value as Record<string, unknown>)[step.field]);
        }
      } else if (!Array.isArray(value)) {
      } else if ('index' in step) {
        if (step.index < value.length) next.push(value[step.index]);
      } else if ('all' in step) {
        next.push(...value);
      } else {
        const { path, op, value: wanted } = step.filter;
        for (const item of value) {
          const found = readPath(item, path);
          const text = found === undefined ? undefined : String(found);
          if (op === '==' ? text === wanted : text !== wanted) next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}
