/**
 * Forklift's spec.pvcNameTemplate, rendered the way its vSphere builder does (Go text/template over
 * VSpherePVCNameTemplateData, with the Sprig subset of pkg/templateutil), in a tiny safe renderer: text, `{{pipeline}}`,
 * `{{if}}/{{else if}}/{{else}}/{{end}}`, fields, string/number/bool literals, parentheses and pipes. No range, with,
 * define, variables or method calls. Every field and function is checked when the template is parsed, so a typo fails
 * whether or not its branch runs.
 */

/** What a template sees (Forklift's VSpherePVCNameTemplateData). */
export interface PvcNameTemplateData {
  /** The VM's source name, as vSphere spells it. */
  VmName: string;
  /** The VM's name in the target cluster (DNS-1123 normalised). */
  TargetVmName: string;
  PlanName: string;
  /** The disk's index (0-based). */
  DiskIndex: number;
  RootDiskIndex: number;
  Shared: boolean;
  /** The vmdk file name, without datastore or folder. */
  FileName: string;
  /** Lower-case Windows drive letter, "" when unknown. */
  WinDriveLetter: string;
}

export const PVC_NAME_TEMPLATE_VARIABLES: readonly (keyof PvcNameTemplateData)[] = [
  'VmName',
  'TargetVmName',
  'PlanName',
  'DiskIndex',
  'RootDiskIndex',
  'Shared',
  'FileName',
  'WinDriveLetter',
];

/** Go text/template's own functions, there in every release. */
const GO_BUILTINS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'not', 'and', 'or', 'len', 'print', 'printf'] as const;

/** What one MTV release's templates may use: its template data's fields, and whether Sprig's functions are there. */
export interface TemplateDialect {
  variables: readonly (keyof PvcNameTemplateData)[];
  /** 2.9+: pkg/templateutil's Sprig subset; 2.8 executes a plain text/template (builder.go executeTemplate). */
  sprig: boolean;
}

/**
 * The dialect of each release (pkg/apis/forklift/v1beta1/plan.go PVCNameTemplateData / VSpherePVCNameTemplateData):
 * 2.8 VmName, PlanName, DiskIndex, RootDiskIndex; 2.9 adds Shared, FileName, WinDriveLetter and the Sprig subset;
 * 2.10+ adds TargetVmName. No release branch has `.VmId` (Forklift's main branch only).
 */
export function templateDialect(release: '2.8' | '2.9' | '2.10' | '2.11' | '2.12'): TemplateDialect {
  if (release === '2.8') return { variables: ['VmName', 'PlanName', 'DiskIndex', 'RootDiskIndex'], sprig: false };
  const since29 = ['VmName', 'PlanName', 'DiskIndex', 'RootDiskIndex', 'Shared', 'FileName', 'WinDriveLetter'] as const;
  if (release === '2.9') return { variables: since29, sprig: true };
  return { variables: PVC_NAME_TEMPLATE_VARIABLES, sprig: true };
}

const NEWEST_DIALECT: TemplateDialect = { variables: PVC_NAME_TEMPLATE_VARIABLES, sprig: true };

/** A template that does not parse or does not run; the message says why, without the template. */
export class PvcNameTemplateError extends Error {
  override name = 'PvcNameTemplateError';
}

type Value = string | number | boolean;
type Operand =
  | { kind: 'field'; name: keyof PvcNameTemplateData }
  | { kind: 'literal'; value: Value }
  | { kind: 'pipeline'; pipeline: Pipeline };
/** A command is a function call (`fn`, with args) or a single operand; a pipeline feeds each result on as a last arg. */
type Command = { fn?: string; args: Operand[] };
type Pipeline = Command[];
type Node = { kind: 'text'; text: string } | { kind: 'print'; pipeline: Pipeline } | IfNode;
type IfNode = { kind: 'if'; test: Pipeline; whenTrue: Node[]; otherwise: Node[] };

const str = (value: Value): string => String(value);
const int = (value: Value): number => {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new PvcNameTemplateError(`${JSON.stringify(value)} is not a number`);
  return Math.trunc(n);
};
const truthy = (value: Value): boolean => value !== false && value !== 0 && value !== '';

/** Sprig's `trunc`: a negative count keeps the end. */
function trunc(count: number, s: string): string {
  if (count < 0) return -count >= s.length ? s : s.slice(s.length + count);
  return s.slice(0, count);
}

/** Go's printf for the verbs names use: %s %v %d with an optional 0 flag and width, and %%. */
function printf(format: string, args: Value[]): string {
  let next = 0;
  return format.replace(/%(0?)(\d*)([sdv%])/g, (_all, zero: string, width: string, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[next++];
    if (arg === undefined) return `%!${verb}(MISSING)`;
    const text = verb === 'd' ? String(int(arg)) : str(arg);
    return width ? text.padStart(Number(width), zero ? '0' : ' ') : text;
  });
}

type Fn = (args: Value[]) => Value;
const unary =
  (f: (s: string) => Value, arity = 1): Fn =>
  (a) =>
    a.length === arity ? f(str(a[0])) : arityError();
const binary =
  (f: (x: Value, y: Value) => Value): Fn =>
  (a) =>
    a.length === 2 ? f(a[0], a[1]) : arityError();
const ternary =
  (f: (x: Value, y: Value, z: Value) => Value): Fn =>
  (a) =>
    a.length === 3 ? f(a[0], a[1], a[2]) : arityError();
const arityError = (): never => {
  throw new PvcNameTemplateError('wrong number of arguments');
};
const compare = (test: (order: number) => boolean): Fn =>
  binary((x, y) => {
    const order =
      typeof x === 'number' && typeof y === 'number' ? x - y : str(x) < str(y) ? -1 : str(x) > str(y) ? 1 : 0;
    return test(order);
  });

/** The functions Forklift's templateutil registers (Sprig's, with Sprig's argument order) and Go's builtins. */
const FUNCTIONS: Record<string, Fn> = {
  lower: unary((s) => s.toLowerCase()),
  upper: unary((s) => s.toUpperCase()),
  title: unary((s) => s.replace(/(^|\s)(\p{L})/gu, (_m, space: string, c: string) => space + c.toUpperCase())),
  untitle: unary((s) => s.replace(/(^|\s)(\p{L})/gu, (_m, space: string, c: string) => space + c.toLowerCase())),
  trim: unary((s) => s.trim()),
  nospace: unary((s) => s.replace(/\s+/g, '')),
  initials: unary((s) =>
    s
      .split(/\s+/)
      .filter(Boolean)
      .map((word) => word[0])
      .join(''),
  ),
  trunc: binary((n, s) => trunc(int(n), str(s))),
  trimAll: binary((cutset, s) => trimSet(str(s), str(cutset))),
  trimPrefix: binary((prefix, s) => (str(s).startsWith(str(prefix)) ? str(s).slice(str(prefix).length) : str(s))),
  trimSuffix: binary((suffix, s) =>
    str(suffix) && str(s).endsWith(str(suffix)) ? str(s).slice(0, -str(suffix).length) : str(s),
  ),
  contains: binary((sub, s) => str(s).includes(str(sub))),
  hasPrefix: binary((prefix, s) => str(s).startsWith(str(prefix))),
  hasSuffix: binary((suffix, s) => str(s).endsWith(str(suffix))),
  repeat: binary((n, s) => str(s).repeat(Math.max(0, int(n)))),
  replace: ternary((from, to, s) => str(s).split(str(from)).join(str(to))),
  substr: ternary((start, end, s) => {
    const text = str(s);
    const [from, to] = [int(start), int(end)];
    return from < 0 || to < 0 || to > text.length || from > to ? text.slice(Math.max(0, from)) : text.slice(from, to);
  }),
  mustRegexReplaceAll: ternary((pattern, s, replacement) => {
    try {
      return str(s).replace(new RegExp(str(pattern), 'g'), str(replacement));
    } catch {
      throw new PvcNameTemplateError(`invalid regular expression ${JSON.stringify(pattern)}`);
    }
  }),
  add: (a) => a.reduce<number>((sum, x) => sum + int(x), 0),
  add1: (a) => (a.length === 1 ? int(a[0]) + 1 : arityError()),
  sub: binary((x, y) => int(x) - int(y)),
  mul: (a) => a.reduce<number>((product, x) => product * int(x), 1),
  div: binary((x, y) => (int(y) === 0 ? divisionByZero() : Math.trunc(int(x) / int(y)))),
  mod: binary((x, y) => (int(y) === 0 ? divisionByZero() : int(x) % int(y))),
  max: (a) => (a.length ? Math.max(...a.map(int)) : arityError()),
  min: (a) => (a.length ? Math.min(...a.map(int)) : arityError()),
  eq: (a) => (a.length >= 2 ? a.slice(1).some((other) => other === a[0]) : arityError()),
  ne: binary((x, y) => x !== y),
  lt: compare((order) => order < 0),
  le: compare((order) => order <= 0),
  gt: compare((order) => order > 0),
  ge: compare((order) => order >= 0),
  not: (a) => (a.length === 1 ? !truthy(a[0]) : arityError()),
  and: (a) => (a.length ? (a.find((x) => !truthy(x)) ?? a[a.length - 1]) : arityError()),
  or: (a) => (a.length ? (a.find(truthy) ?? a[a.length - 1]) : arityError()),
  len: unary((s) => s.length),
  print: (a) => a.map(str).join(''),
  printf: (a) => (a.length ? printf(str(a[0]), a.slice(1)) : arityError()),
};

function trimSet(s: string, cutset: string): string {
  let [start, end] = [0, s.length];
  while (start < end && cutset.includes(s[start])) start++;
  while (end > start && cutset.includes(s[end - 1])) end--;
  return s.slice(start, end);
}

function divisionByZero(): never {
  throw new PvcNameTemplateError('division by zero');
}

const TOKEN =
  /\s*(?:("(?:[^"\\]|\\.)*")|(`[^`]*`)|(-?\d+)|(\.[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|([A-Za-z_][A-Za-z0-9_]*)|([|()])|(\S+))/y;

/** Splits an action's text into tokens: strings, numbers, `.Field`, identifiers and `|` `(` `)`. */
function tokenize(action: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(action); match; match = TOKEN.exec(action)) {
    if (match[7] !== undefined) throw new PvcNameTemplateError(`unexpected "${match[7]}" in {{${action}}}`);
    tokens.push(match[0].trim());
  }
  return tokens;
}

/** Recursive descent over one action's tokens. */
class PipelineParser {
  private at = 0;
  constructor(
    private readonly tokens: string[],
    private readonly action: string,
    private readonly dialect: TemplateDialect,
  ) {}

  parseAll(): Pipeline {
    const pipeline = this.pipeline();
    if (this.at < this.tokens.length) throw this.unexpected();
    return pipeline;
  }

  private pipeline(): Pipeline {
    const commands: Pipeline = [this.command()];
    while (this.tokens[this.at] === '|') {
      this.at++;
      commands.push(this.command());
    }
    return commands;
  }

  private command(): Command {
    const first = this.tokens[this.at];
    if (first === undefined || first === '|' || first === ')')
      throw new PvcNameTemplateError(`missing value in {{${this.action}}}`);
    const command: Command = { args: [] };
    if (/^[A-Za-z_]/.test(first) && !['true', 'false'].includes(first)) {
      const known = this.dialect.sprig ? Object.hasOwn(FUNCTIONS, first) : GO_BUILTINS.some((fn) => fn === first);
      if (!known) throw new PvcNameTemplateError(`function "${first}" not defined`);
      command.fn = first;
      this.at++;
    }
    while (this.at < this.tokens.length && this.tokens[this.at] !== '|' && this.tokens[this.at] !== ')') {
      command.args.push(this.operand());
    }
    if (!command.fn && command.args.length !== 1)
      throw new PvcNameTemplateError(`can't give arguments to a non-function in {{${this.action}}}`);
    return command;
  }

  private operand(): Operand {
    const token = this.tokens[this.at++];
    if (token === '(') {
      const pipeline = this.pipeline();
      if (this.tokens[this.at++] !== ')') throw new PvcNameTemplateError(`unclosed "(" in {{${this.action}}}`);
      return { kind: 'pipeline', pipeline };
    }
    if (token.startsWith('"')) return { kind: 'literal', value: JSON.parse(token) as string };
    if (token.startsWith('`')) return { kind: 'literal', value: token.slice(1, -1) };
    if (/^-?\d+$/.test(token)) return { kind: 'literal', value: Number(token) };
    if (token === 'true' || token === 'false') return { kind: 'literal', value: token === 'true' };
    if (token.startsWith('.')) {
      const name = token.slice(1);
      if (!(this.dialect.variables as readonly string[]).includes(name)) {
        throw new PvcNameTemplateError(`unknown variable .${name}`);
      }
      return { kind: 'field', name: name as keyof PvcNameTemplateData };
    }
    this.at--;
    throw this.unexpected();
  }

  private unexpected(): PvcNameTemplateError {
    return new PvcNameTemplateError(`unexpected "${this.tokens[this.at]}" in {{${this.action}}}`);
  }
}

const ACTION = /\{\{(-\s)?([\s\S]*?)(\s-)?\}\}/g;

/** Parses a template into nodes; throws PvcNameTemplateError for anything the renderer does not support. */
function parsePvcNameTemplate(template: string, dialect: TemplateDialect): Node[] {
  const root: Node[] = [];
  // Open `if` blocks: the innermost `if` of an `else if` chain, whether its else branch has started, and where nodes
  // went before the block (the one {{end}} closes the whole chain).
  const stack: { current: IfNode; inElse: boolean; outer: Node[] }[] = [];
  let target = root;
  let last = 0;
  let trimNext = false;
  for (const match of template.matchAll(ACTION)) {
    let text = template.slice(last, match.index);
    if (trimNext) text = text.trimStart();
    if (match[1]) text = text.trimEnd();
    if (text) target.push({ kind: 'text', text });
    last = match.index + match[0].length;
    trimNext = Boolean(match[3]);
    const action = match[2].trim();
    if (action.startsWith('/*') && action.endsWith('*/')) continue;
    const [, keyword = '', rest = ''] = /^([A-Za-z]+)(?:\s+([\s\S]*))?$/.exec(action) ?? [];
    const open = stack[stack.length - 1];
    if (keyword === 'if') {
      const node = ifNode(rest, action, dialect);
      target.push(node);
      stack.push({ current: node, inElse: false, outer: target });
      target = node.whenTrue;
    } else if (keyword === 'else') {
      if (!open || open.inElse) throw new PvcNameTemplateError('unexpected {{else}}');
      const elseIf = /^if(?:\s+([\s\S]*))?$/.exec(rest);
      if (elseIf) {
        const node = ifNode(elseIf[1] ?? '', action, dialect);
        open.current.otherwise.push(node);
        open.current = node;
        target = node.whenTrue;
      } else if (rest) {
        throw new PvcNameTemplateError(`unexpected "${rest}" after else`);
      } else {
        open.inElse = true;
        target = open.current.otherwise;
      }
    } else if (keyword === 'end') {
      if (!open) throw new PvcNameTemplateError('unexpected {{end}}');
      target = open.outer;
      stack.pop();
    } else if (['range', 'with', 'define', 'template', 'block', 'break', 'continue'].includes(keyword)) {
      throw new PvcNameTemplateError(`{{${keyword}}} is not supported (use if/else and functions)`);
    } else {
      target.push({ kind: 'print', pipeline: parsePipeline(action, action, dialect) });
    }
  }
  if (stack.length) throw new PvcNameTemplateError('unclosed {{if}}: missing {{end}}');
  let tail = template.slice(last);
  if (trimNext) tail = tail.trimStart();
  if (tail.includes('{{')) throw new PvcNameTemplateError('unclosed action: "{{" without "}}"');
  if (tail) target.push({ kind: 'text', text: tail });
  return root;
}

function ifNode(test: string, action: string, dialect: TemplateDialect): IfNode {
  return { kind: 'if', test: parsePipeline(test, action, dialect), whenTrue: [], otherwise: [] };
}

function parsePipeline(text: string, action: string, dialect: TemplateDialect): Pipeline {
  if (!text.trim()) throw new PvcNameTemplateError(`missing value in {{${action}}}`);
  return new PipelineParser(tokenize(text), action, dialect).parseAll();
}

function run(pipeline: Pipeline, data: PvcNameTemplateData): Value {
  let carried: Value | undefined;
  for (const command of pipeline) {
    const args = command.args.map((arg) => operandValue(arg, data));
    if (carried !== undefined) args.push(carried);
    if (command.fn) carried = FUNCTIONS[command.fn](args);
    else if (args.length === 1) carried = args[0];
    else throw new PvcNameTemplateError("can't pipe a value into a non-function");
  }
  return carried as Value;
}

function operandValue(operand: Operand, data: PvcNameTemplateData): Value {
  if (operand.kind === 'literal') return operand.value;
  if (operand.kind === 'field') return data[operand.name];
  return run(operand.pipeline, data);
}

function render(nodes: Node[], data: PvcNameTemplateData): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'print') out += str(run(node.pipeline, data));
    else out += render(truthy(run(node.test, data)) ? node.whenTrue : node.otherwise, data);
  }
  return out;
}

/**
 * Renders `template` over `data` in a release's dialect (default the newest); throws PvcNameTemplateError when it
 * does not parse or does not run.
 */
export function renderPvcNameTemplate(
  template: string,
  data: PvcNameTemplateData,
  dialect: TemplateDialect = NEWEST_DIALECT,
): string {
  return parseTemplate(template, dialect)(data);
}

/** Parses once (a PvcNameTemplateError if it does not parse), renders many times (one if a run fails). */
export function parseTemplate(template: string, dialect: TemplateDialect): (data: PvcNameTemplateData) => string {
  const nodes = parsePvcNameTemplate(template, dialect);
  return (data) => render(nodes, data);
}
