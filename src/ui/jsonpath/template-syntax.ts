/**
 * The syntax tree of a kubectl JSONPath template (`-o jsonpath=...`), as k8s.io/client-go/util/jsonpath/parser.go
 * reads one: text, and actions in braces: a path (`{.items[*].metadata.name}`), `{range PATH}...{end}`, or a quoted
 * literal (`{"\n"}`). template-parser.ts builds it; template-eval.ts runs it.
 */

/** One step of a path, applied to every value the steps before it found. */
export type PathStep =
  /** `.name`, `['name']`: the member of that name. */
  | { kind: 'field'; name: string }
  /** `.*`: every member of an object, every element of a list. */
  | { kind: 'wildcard' }
  /** `..`: the value and every object and list below it (the next step then picks from all of them). */
  | { kind: 'recursive' }
  /**
   * `[i]`, `[start:end:step]`, `[*]`: elements of a list, with kubectl's index rules (a bad index is an error). An
   * undefined bound was not written; `[i]` is `[i:i+1]` with its end `derived` (so `[-1]` reaches the last element).
   */
  | { kind: 'slice'; start?: number; end?: number; step?: number; endDerived: boolean }
  /** `[a,b]`: each branch's results, branch after branch. */
  | { kind: 'union'; branches: PathStep[][] }
  /** `[?(@.x == "y")]`: the list elements for which the comparison holds, or (no operator) `left` finds something. */
  | { kind: 'filter'; left: Operand; operator?: FilterOperator; right?: Operand };

export type FilterOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';
export const FILTER_OPERATORS: readonly FilterOperator[] = ['==', '!=', '<', '<=', '>', '>='];

/** A side of a filter's comparison: a path from the element, or a literal. */
export type Operand = { kind: 'path'; steps: PathStep[] } | { kind: 'literal'; value: string | number | boolean };

export type TemplateNode =
  | { kind: 'text'; text: string }
  | { kind: 'path'; steps: PathStep[] }
  | { kind: 'range'; steps: PathStep[]; body: TemplateNode[] };

/** A template that cannot be parsed: the message says why, in kubectl's words where it has them. */
export class TemplateSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

/** A template that cannot run on the data it was given (an index out of bounds, a filter on a non-list, ...). */
export class TemplateRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateRunError';
  }
}
