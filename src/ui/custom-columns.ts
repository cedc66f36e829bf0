/**
 * kubectl's `-o custom-columns=NAME:.metadata.name,PHASE:.status.phase` (kubectl/pkg/cmd/get/customcolumn.go): a
 * header line, then one line per object, each cell the column's path evaluated on the object: its values joined
 * by commas, `<none>` when it finds nothing. Columns are aligned as kubectl's tabwriter aligns them.
 */
import { goPrint } from './jsonpath/go-text.js';
import { evaluatePath } from './jsonpath/template-eval.js';
import { parseTemplate } from './jsonpath/template-parser.js';
import { type PathStep, TemplateSyntaxError } from './jsonpath/template-syntax.js';

export interface CustomColumn {
  header: string;
  steps: PathStep[];
}

/** kubectl's RelaxedJSONPathExpression: `a.b`, `.a.b`, `{a.b}` and `{.a.b}` all mean `{.a.b}`. */
const RELAXED_PATH = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/;

/** Reads `HEADER:path,HEADER:path`; throws TemplateSyntaxError in kubectl's words. */
export function parseCustomColumns(spec: string): CustomColumn[] {
  if (spec === '') throw new TemplateSyntaxError('custom-columns format specified but no custom columns given');
  return spec.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon === -1) {
      throw new TemplateSyntaxError(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    }
    const path = part.slice(colon + 1);
    if (path === '') return { header: part.slice(0, colon), steps: [] };
    const relaxed = RELAXED_PATH.exec(path);
    if (!relaxed) {
      throw new TemplateSyntaxError(
        "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'",
      );
    }
    const [node] = parseTemplate(`{.${relaxed[1] ?? relaxed[2]}}`);
    return { header: part.slice(0, colon), steps: node?.kind === 'path' ? node.steps : [] };
  });
}

/** The table for `items`, every line ending with a newline; without `noHeaders`, the header line first. */
export function formatCustomColumns(columns: readonly CustomColumn[], items: readonly unknown[], noHeaders: boolean) {
  const rows = items.map((item) =>
    columns.map((column) => {
      const values = column.steps.length === 0 ? [] : evaluatePath(column.steps, [item]);
      return values.length === 0 ? '<none>' : values.map(goPrint).join(',');
    }),
  );
  return alignLikeKubectl(noHeaders ? rows : [columns.map((column) => column.header), ...rows]);
}

/**
 * kubectl's tabwriter (cli-runtime printers: minimum width 6, padding 3): every cell but a line's last is padded to
 * its column's widest cell plus 3, and to at least 6.
 */
function alignLikeKubectl(rows: readonly string[][]): string {
  const width = (text: string) => [...text].length;
  const widths = (rows[0] ?? []).map((_, i) => Math.max(6, ...rows.map((row) => width(row[i]) + 3)));
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i] - width(cell)))).join(''),
    )
    .map((line) => `${line}\n`)
    .join('');
}
