/**
 * `-o custom-columns` as kubectl prints it (kubectl/pkg/cmd/get/customcolumn.go and its tests): the header line,
 * `<none>` for a path that finds nothing, several values joined by commas, Go's %v for objects, kubectl's column
 * widths; and the spec errors in kubectl's words.
 */
import { describe, expect, it } from 'vitest';
import { formatCustomColumns, parseCustomColumns } from '../../src/ui/custom-columns.js';
import { TemplateSyntaxError } from '../../src/ui/jsonpath/template-syntax.js';
import { formatTemplateOutput, parseTemplateOutput } from '../../src/ui/template-output.js';

const pods = [
  {
    metadata: { name: 'foo', labels: { app: 'a', tier: 'b' } },
    status: { phase: 'Running' },
    spec: { ports: [80, 443] },
  },
  { metadata: { name: 'a-much-longer-name' }, spec: { ports: [] } },
];

describe('custom-columns', () => {
  it('prints the header, one row per object, <none> where the path finds nothing, aligned as kubectl', () => {
    const columns = parseCustomColumns('NAME:.metadata.name,PHASE:.status.phase');
    expect(formatCustomColumns(columns, pods, false)).toBe(
      'NAME                 PHASE\n' + 'foo                  Running\n' + 'a-much-longer-name   <none>\n',
    );
  });

  it('accepts the relaxed paths kubectl does: a.b, .a.b, {a.b} and {.a.b}', () => {
    for (const path of ['metadata.name', '.metadata.name', '{metadata.name}', '{.metadata.name}']) {
      expect(formatCustomColumns(parseCustomColumns(`N:${path}`), pods, true)).toBe('foo\na-much-longer-name\n');
    }
  });

  it('joins several values with commas and prints objects as Go does', () => {
    const columns = parseCustomColumns('PORTS:.spec.ports[*],LABELS:.metadata.labels');
    expect(formatCustomColumns(columns, pods, true)).toBe('80,443   map[app:a tier:b]\n<none>   <none>\n');
  });

  it('pads a short column to kubectl minimum width of 6, and prints only the header for no objects', () => {
    expect(formatCustomColumns(parseCustomColumns('A:.x,B:.y'), [{ x: 1, y: 2 }], false)).toBe('A     B\n1     2\n');
    expect(formatCustomColumns(parseCustomColumns('A:.x'), [], false)).toBe('A\n');
    expect(formatCustomColumns(parseCustomColumns('A:.x'), [], true)).toBe('');
  });

  it.each([
    ['', 'custom-columns format specified but no custom columns given'],
    ['NAME', 'unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>'],
    [
      'NAME:{.a}{.b}',
      "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'",
    ],
  ])('refuses %j: %s', (spec, message) => {
    expect(() => parseCustomColumns(spec)).toThrow(new TemplateSyntaxError(message));
  });
});

describe('-o jsonpath= and -o custom-columns= as flag values', () => {
  it('reads the template when the flag is read, and names the flag and the template in a refusal', () => {
    expect(parseTemplateOutput('--output', 'json')).toBeUndefined();
    expect(parseTemplateOutput('--output', 'jsonpath={.a}')?.kind).toBe('jsonpath');
    expect(() => parseTemplateOutput('--output', 'jsonpath')).toThrow(
      '--output: jsonpath "": template format specified but no template given',
    );
    expect(() => parseTemplateOutput('--output', 'jsonpath={.items[')).toThrow(
      '--output: jsonpath "{.items[": unterminated array',
    );
  });

  it('runs jsonpath on the whole output and custom columns on its items', () => {
    const list = { kind: 'List', items: pods };
    const jsonpath = parseTemplateOutput('--output', 'jsonpath={.items[*].metadata.name}');
    const columns = parseTemplateOutput('--output', 'custom-columns=NAME:.metadata.name');
    if (!jsonpath || !columns) throw new Error('not parsed');
    expect(formatTemplateOutput(jsonpath, list, pods, false)).toBe('foo a-much-longer-name');
    expect(formatTemplateOutput(columns, list, pods, true)).toBe('foo\na-much-longer-name\n');
  });

  it('says which template fails on the data, and why', () => {
    const jsonpath = parseTemplateOutput('--output', 'jsonpath={.items[5]}');
    if (!jsonpath) throw new Error('not parsed');
    expect(() => formatTemplateOutput(jsonpath, { items: pods }, pods, false)).toThrow(
      '--output: jsonpath "{.items[5]}" fails on this output: array index out of bounds: index 5, length 2',
    );
  });
});
