/**
 * Runs a parsed kubectl JSONPath template on JSON data, as k8s.io/client-go/util/jsonpath/jsonpath.go does with
 * missing keys allowed (kubectl's default): each path action prints its results space-separated (objects and lists
 * as compact JSON, the rest as Go prints them), a range block runs once per value of its path.
 *
 * Runs of name steps (`.a`, `.*`, `..`) are evaluated by jsonpath-plus; index, slice, union and filter steps are
 * kubectl's own rules (an index out of bounds is an error; a filter compares one value of each side, of one type).
 */
import { JSONPath } from 'jsonpath-plus';
import { goJson, goNumber, goPrint } from './go-text.js';
import {
  type FilterOperator,
  type Operand,
  type PathStep,
  type TemplateNode,
  TemplateRunError,
} from './template-syntax.js';

/** The template's text for `data`; throws TemplateRunError where kubectl's jsonpath fails. */
export function runTemplate(nodes: readonly TemplateNode[], data: unknown): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'path') out += printResults(evaluatePath(node.steps, [data]));
    else for (const item of evaluatePath(node.steps, [data])) out += runTemplate(node.body, item);
  }
  return out;
}

/** kubectl's PrintResults: objects and lists as compact JSON, scalars as Go's %v, separated by spaces. */
function printResults(values: readonly unknown[]): string {
  return values
    .map((value) => (value !== null && typeof value === 'object' ? goJson(value) : goPrint(value)))
    .join(' ');
}

/** Every value `steps` reaches from `inputs`, in kubectl's order. */
export function evaluatePath(steps: readonly PathStep[], inputs: readonly unknown[]): unknown[] {
  let values = [...inputs];
  let at = 0;
  while (at < steps.length) {
    const step = steps[at];
    if (step.kind === 'field' || step.kind === 'wildcard' || step.kind === 'recursive') {
      let end = at;
      while (end < steps.length && isSelection(steps[end])) end++;
      const run = steps.slice(at, end);
      values = values.flatMap((value) => select(run, value));
      at = end;
      continue;
    }
    if (step.kind === 'slice') values = values.flatMap((value) => sliceOf(step, value));
    else if (step.kind === 'union') values = step.branches.flatMap((branch) => evaluatePath(branch, values));
    else values = values.flatMap((value) => filtered(step, value));
    at++;
  }
  return values;
}

function isSelection(step: PathStep): step is Extract<PathStep, { kind: 'field' | 'wildcard' | 'recursive' }> {
  return step.kind === 'field' || step.kind === 'wildcard' || step.kind === 'recursive';
}

/**
 * A run of name steps through jsonpath-plus, as one path array: names are backtick-quoted (taken literally, dots
 * and all); filter scripts are off, since kubectl's filters are evaluated here. A name jsonpath-plus cannot carry
 * in a path (one with `'` or `]`) is looked up directly.
 */
function select(run: readonly PathStep[], value: unknown): unknown[] {
  const awkward = run.findIndex((step) => step.kind === 'field' && /['\]]/.test(step.name));
  if (awkward !== -1) {
    const before = awkward === 0 ? [value] : select(run.slice(0, awkward), value);
    const name = (run[awkward] as { name: string }).name;
    const found = before.flatMap((item) => (isObject(item) && Object.hasOwn(item, name) ? [item[name]] : []));
    const rest = run.slice(awkward + 1);
    return rest.length === 0 ? found : found.flatMap((item) => select(rest, item));
  }
  if (value === null || typeof value !== 'object') return [];
  const path = [
    '$',
    ...run.map((step) => (step.kind === 'field' ? `\`${step.name}` : step.kind === 'wildcard' ? '*' : '..')),
  ];
  return JSONPath({ path, json: value, wrap: true, eval: false }) as unknown[];
}

/** kubectl's evalArray: bounds from the end when negative; out of bounds or reversed is an error, empty is not. */
function sliceOf(step: Extract<PathStep, { kind: 'slice' }>, value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new TemplateRunError(`${goType(value)} is not array or slice`);
  const length = value.length;
  let start = step.start ?? 0;
  if (start < 0) start += length;
  let end = step.end ?? length;
  if (end < 0 || (end === 0 && step.endDerived)) end += length;
  if (end === start) return [];
  if (start >= length || start < 0) {
    throw new TemplateRunError(`array index out of bounds: index ${start}, length ${length}`);
  }
  if (end > length || end < 0)
    throw new TemplateRunError(`array index out of bounds: index ${end - 1}, length ${length}`);
  if (start > end) throw new TemplateRunError(`starting index ${start} is greater than ending index ${end}`);
  const stride = step.step ?? 1;
  if (stride <= 0) throw new TemplateRunError('step must be > 0');
  return value.slice(start, end).filter((_, index) => index % stride === 0);
}

/** kubectl's evalFilter: the elements whose left side finds something, or whose one left value compares true. */
function filtered(step: Extract<PathStep, { kind: 'filter' }>, value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value))
    throw new TemplateRunError(`${goType(value)} is not array or slice and cannot be filtered`);
  return value.filter((element) => {
    if (step.operator === undefined || step.right === undefined) {
      try {
        return operandValues(step.left, element).length > 0;
      } catch {
        return false;
      }
    }
    const left = operandValues(step.left, element);
    const right = operandValues(step.right, element);
    if (left.length === 0 || right.length === 0) return false;
    if (left.length > 1 || right.length > 1) throw new TemplateRunError('can only compare one element at a time');
    return compare(step.operator, left[0], right[0]);
  });
}

function operandValues(operand: Operand, element: unknown): unknown[] {
  return operand.kind === 'literal' ? [operand.value] : evaluatePath(operand.steps, [element]);
}

/**
 * Go template's comparison (k8s.io/client-go/third_party/forked/golang/template): both sides of one kind, booleans
 * only for == and !=. JSON numbers are one kind here (Go would refuse to compare an int64 with a float64).
 */
function compare(operator: FilterOperator, left: unknown, right: unknown): boolean {
  const kind = comparableKind(left);
  if (kind !== comparableKind(right)) throw new TemplateRunError('incompatible types for comparison');
  if (operator === '==') return left === right;
  if (operator === '!=') return left !== right;
  if (kind === 'boolean') throw new TemplateRunError('invalid type for comparison');
  const [a, b] = [left as number | string, right as number | string];
  if (operator === '<') return a < b;
  if (operator === '<=') return a <= b;
  if (operator === '>') return a > b;
  return a >= b;
}

function comparableKind(value: unknown): 'boolean' | 'number' | 'string' {
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string')
    return typeof value as never;
  throw new TemplateRunError('invalid type for comparison');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The Go type kubectl names in its errors for a value decoded from JSON. */
function goType(value: unknown): string {
  if (Array.isArray(value)) return '[]interface {}';
  if (typeof value === 'object') return 'map[string]interface {}';
  if (typeof value === 'number') return goNumber(value).includes('.') ? 'float64' : 'int64';
  return typeof value === 'boolean' ? 'bool' : 'string';
}
