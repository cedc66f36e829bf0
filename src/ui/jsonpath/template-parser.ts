/**
 * Reads a kubectl JSONPath template into its syntax tree, following k8s.io/client-go/util/jsonpath/parser.go: text
 * outside braces is printed as it is; in braces, `range PATH` and `end` delimit a block run once per value of PATH,
 * a quoted string is a literal (`{"\n"}`, `{'\t'}`), anything else is a path (`.a.b`, `..a`, `[0]`, `[1:3]`, `[*]`,
 * `['a']`, `[a,b]`, `[?(@.a == "x")]`, `@` and `$` for the current value, `\.` to escape a dot in a name). Nothing
 * is evaluated here: a bad template fails before any data is read.
 */
import { goNumber } from './go-text.js';
import {
  FILTER_OPERATORS,
  type FilterOperator,
  type Operand,
  type PathStep,
  type TemplateNode,
  TemplateSyntaxError,
} from './template-syntax.js';

/** Characters that end a name after `.` (kubectl's isTerminator). */
const TERMINATORS = new Set([' ', '\t', '\r', '\n', '.', ',', '[', ']', '$', '@', '{', '}']);
const isAlphaNumeric = (ch: string) => /^[\p{L}\p{N}_]$/u.test(ch);
const SLICE = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;
const FILTER = /^([^!<>=]+)([!<>=]+)(.+?)$/;

export function parseTemplate(text: string): TemplateNode[] {
  const root: TemplateNode[] = [];
  const open: TemplateNode[][] = [root];
  let pos = 0;
  while (pos < text.length) {
    const brace = text.indexOf('{', pos);
    const body = open[open.length - 1];
    if (brace === -1) {
      body.push({ kind: 'text', text: text.slice(pos) });
      break;
    }
    if (brace > pos) body.push({ kind: 'text', text: text.slice(pos, brace) });
    const cursor = new Cursor(text, brace + 1);
    const action = readAction(cursor);
    pos = cursor.pos;
    if (action.kind === 'end') {
      if (open.length === 1) throw new TemplateSyntaxError('not in range, nothing to end');
      open.pop();
    } else if (action.kind === 'range') {
      const range: TemplateNode = { kind: 'range', steps: action.steps, body: [] };
      body.push(range);
      open.push(range.body);
    } else {
      body.push(action);
    }
  }
  if (open.length > 1) throw new TemplateSyntaxError('unclosed range: {range ...} has no {end}');
  return root;
}

/** Reads a path on its own: a `['key']` is the path `.key` (so `['a.b']` is `.a.b`, as in kubectl). */
function parsePath(text: string): PathStep[] {
  const cursor = new Cursor(text, 0);
  const steps = readSteps(cursor, false);
  if (!cursor.atEnd) throw new TemplateSyntaxError(`unexpected "${cursor.rest}"`);
  return steps;
}

type Action = { kind: 'end' } | { kind: 'range'; steps: PathStep[] } | TemplateNode;

class Cursor {
  constructor(
    readonly text: string,
    public pos: number,
  ) {}

  get atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  get rest(): string {
    return this.text.slice(this.pos);
  }

  peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }

  startsWith(prefix: string): boolean {
    return this.text.startsWith(prefix, this.pos);
  }

  skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  /** Consumes the action's closing brace, or fails saying what stands in its place. */
  close(): void {
    this.skipSpaces();
    if (this.atEnd || this.peek() === '\n' || this.peek() === '\r') throw new TemplateSyntaxError('unclosed action');
    if (this.peek() !== '}') throw new TemplateSyntaxError(`unexpected "${this.rest}" in an action`);
    this.pos++;
  }
}

function readAction(cursor: Cursor): Action {
  cursor.skipSpaces();
  const ch = cursor.peek();
  if (ch === '"' || ch === "'") {
    const text = readQuoted(cursor);
    cursor.close();
    return { kind: 'text', text };
  }
  if (/^[+\-\d]$/.test(ch)) {
    const text = /^[+-]?[\d.]*/.exec(cursor.rest)?.[0] ?? '';
    cursor.pos += text.length;
    if (!/^[+-]?(\d+|\d+\.\d*|\.\d+)$/.test(text)) throw new TemplateSyntaxError(`cannot parse number ${text}`);
    cursor.close();
    return { kind: 'text', text: goNumber(Number(text)) };
  }
  if (/^[\p{L}_]$/u.test(ch)) {
    const start = cursor.pos;
    while (!cursor.atEnd && !TERMINATORS.has(cursor.peek())) cursor.pos++;
    const word = cursor.text.slice(start, cursor.pos);
    if (word === 'end') {
      cursor.close();
      return { kind: 'end' };
    }
    if (word === 'true' || word === 'false') {
      cursor.close();
      return { kind: 'text', text: word };
    }
    if (word !== 'range') throw new TemplateSyntaxError(`unrecognized identifier ${word}`);
    const steps = readSteps(cursor, true);
    cursor.close();
    return { kind: 'range', steps };
  }
  const steps = readSteps(cursor, true);
  cursor.close();
  return { kind: 'path', steps };
}

/** Reads path steps up to the action's `}` (inAction) or to the end of the text. */
function readSteps(cursor: Cursor, inAction: boolean): PathStep[] {
  const steps: PathStep[] = [];
  for (;;) {
    cursor.skipSpaces();
    const ch = cursor.peek();
    if (cursor.atEnd || ch === '\n' || ch === '\r') {
      if (inAction) throw new TemplateSyntaxError('unclosed action');
      return steps;
    }
    if (ch === '}' && inAction) return steps;
    if (cursor.startsWith('[?(')) {
      steps.push(readFilter(cursor));
    } else if (cursor.startsWith('..')) {
      if (steps.at(-1)?.kind === 'recursive') throw new TemplateSyntaxError('invalid multiple recursive descent');
      cursor.pos += 2;
      steps.push({ kind: 'recursive' });
      if (isAlphaNumeric(cursor.peek())) steps.push(readField(cursor));
    } else if (ch === '@' || ch === '$') {
      cursor.pos++;
    } else if (ch === '[') {
      steps.push(...readBracket(cursor));
    } else if (ch === '.') {
      cursor.pos++;
      const field = readField(cursor);
      if (field.kind === 'wildcard' || field.name !== '') steps.push(field);
    } else if (isAlphaNumeric(ch)) {
      const start = cursor.pos;
      while (!cursor.atEnd && !TERMINATORS.has(cursor.peek())) cursor.pos++;
      throw new TemplateSyntaxError(`unrecognized identifier ${cursor.text.slice(start, cursor.pos)}`);
    } else if (ch === '"' || ch === "'") {
      throw new TemplateSyntaxError(`a quoted string stands alone in its braces, e.g. {"\\n"}: ${cursor.rest}`);
    } else {
      const code = ch.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0');
      throw new TemplateSyntaxError(`unrecognized character in action: U+${code} '${ch}'`);
    }
  }
}

/** A name after `.` up to a terminator; `\` escapes the next character (`kubernetes\.io/hostname`); `*` is all. */
function readField(cursor: Cursor): Extract<PathStep, { kind: 'field' | 'wildcard' }> {
  let name = '';
  while (!cursor.atEnd && !TERMINATORS.has(cursor.peek())) {
    if (cursor.peek() === '\\') cursor.pos++;
    name += cursor.peek();
    cursor.pos++;
  }
  return name === '*' ? { kind: 'wildcard' } : { kind: 'field', name };
}

/** `[...]`: `*`, an index or slice, a `'key'` (read as the path `.key`), or a union of those, comma-separated. */
function readBracket(cursor: Cursor): PathStep[] {
  const close = cursor.text.indexOf(']', cursor.pos);
  const newline = cursor.text.slice(cursor.pos, close === -1 ? undefined : close).search(/[\r\n]/);
  if (close === -1 || newline !== -1) throw new TemplateSyntaxError('unterminated array');
  const inside = cursor.text.slice(cursor.pos + 1, close);
  cursor.pos = close + 1;
  return bracketSteps(inside === '*' ? ':' : inside);
}

function bracketSteps(inside: string): PathStep[] {
  const parts = inside.split(',');
  if (parts.length > 1) return [{ kind: 'union', branches: parts.map((part) => bracketSteps(part.trim())) }];
  const key = /^'([^']*)'$/.exec(inside);
  if (key) return parsePath(`.${key[1]}`);
  const slice = SLICE.exec(inside);
  if (!slice) throw new TemplateSyntaxError(`invalid array index ${inside}`);
  const number = (text: string) => {
    if (!/^-?\d+$/.test(text)) throw new TemplateSyntaxError(`array index ${text} is not a number`);
    return Number(text);
  };
  const [, first, second, third] = slice;
  const start = first === '' ? undefined : number(first);
  // kubectl: no `:` means one element, [i:i+1]; a `:` with nothing after it means "to the end"
  const end = second === undefined ? (start ?? 0) + 1 : second === ':' ? undefined : number(second.slice(1));
  const step = third === undefined || third === ':' ? undefined : number(third.slice(1));
  return [{ kind: 'slice', start, end, step, endDerived: second === undefined }];
}

/** `[?(left op right)]` or `[?(path)]` (the elements where the path finds something). */
function readFilter(cursor: Cursor): PathStep {
  cursor.pos += 3;
  const start = cursor.pos;
  let quote = '';
  for (;;) {
    const ch = cursor.peek();
    if (cursor.atEnd || ch === '\n') throw new TemplateSyntaxError('unterminated filter');
    cursor.pos++;
    if (quote === '' && (ch === '"' || ch === "'")) quote = ch;
    else if (quote !== '' && ch === quote && cursor.text[cursor.pos - 2] !== '\\') quote = '';
    else if (quote === '' && ch === ')') break;
  }
  if (cursor.peek() !== ']') throw new TemplateSyntaxError('unclosed array expect ]');
  const inside = cursor.text.slice(start, cursor.pos - 1);
  cursor.pos++;
  const comparison = FILTER.exec(inside);
  if (!comparison) return { kind: 'filter', left: readOperand(inside) };
  const operator = comparison[2] as FilterOperator;
  if (!FILTER_OPERATORS.includes(operator)) throw new TemplateSyntaxError(`unrecognized filter operator ${operator}`);
  return { kind: 'filter', left: readOperand(comparison[1]), operator, right: readOperand(comparison[3]) };
}

function readOperand(raw: string): Operand {
  const text = raw.trim();
  if (/^["']/.test(text)) {
    const cursor = new Cursor(text, 0);
    const value = readQuoted(cursor);
    if (!cursor.atEnd) throw new TemplateSyntaxError(`unexpected "${cursor.rest}" after a quoted string`);
    return { kind: 'literal', value };
  }
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) return { kind: 'literal', value: Number(text) };
  if (text === 'true' || text === 'false') return { kind: 'literal', value: text === 'true' };
  const cursor = new Cursor(text, 0);
  const steps = readSteps(cursor, false);
  return { kind: 'path', steps };
}

const ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** A quoted string at the cursor, unquoted as Go's strconv does (kubectl's UnquoteExtend): `\n`, `\t`, `\x41`... */
function readQuoted(cursor: Cursor): string {
  const quote = cursor.peek();
  let out = '';
  for (cursor.pos++; ; cursor.pos++) {
    const ch = cursor.peek();
    if (cursor.atEnd || ch === '\n') throw new TemplateSyntaxError('unterminated quoted string');
    if (ch === quote) break;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = cursor.peek(1);
    const hex = { x: 2, u: 4, U: 8 }[next];
    if (ESCAPES[next] !== undefined) {
      out += ESCAPES[next];
      cursor.pos++;
    } else if (hex !== undefined && /^[0-9a-fA-F]+$/.test(cursor.text.substr(cursor.pos + 2, hex))) {
      out += String.fromCodePoint(Number.parseInt(cursor.text.substr(cursor.pos + 2, hex), 16));
      cursor.pos += 1 + hex;
    } else if (/^[0-7]{3}$/.test(cursor.text.substr(cursor.pos + 1, 3))) {
      out += String.fromCodePoint(Number.parseInt(cursor.text.substr(cursor.pos + 1, 3), 8));
      cursor.pos += 3;
    } else {
      throw new TemplateSyntaxError(`unquote string ${cursor.text.slice(cursor.pos)} error invalid syntax`);
    }
  }
  cursor.pos++;
  return out;
}
