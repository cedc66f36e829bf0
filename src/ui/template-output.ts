/**
 * kubectl's template outputs for commands that print lists of objects: `-o jsonpath=TEMPLATE` evaluated on the
 * object `-o json` prints, and `-o custom-columns=SPEC` with one row per listed object. The template is read when
 * the flag is, so a bad one fails before the command does anything.
 */
import { UserError } from '../errors.js';
import { type CustomColumn, formatCustomColumns, parseCustomColumns } from './custom-columns.js';
import { runTemplate } from './jsonpath/template-eval.js';
import { parseTemplate } from './jsonpath/template-parser.js';
import { type TemplateNode, TemplateRunError, TemplateSyntaxError } from './jsonpath/template-syntax.js';

export type TemplateOutput =
  | { kind: 'jsonpath'; template: string; nodes: TemplateNode[] }
  | { kind: 'custom-columns'; template: string; columns: CustomColumn[] };

/** How `--help` and the choice lists name them. */
export const TEMPLATE_OUTPUTS = ['jsonpath=TEMPLATE', 'custom-columns=SPEC'] as const;

const SYNTAX_HINT = {
  jsonpath: "kubectl's JSONPath, e.g. -o jsonpath='{range .items[*]}{.metadata.name}{\"\\n\"}{end}'",
  'custom-columns': 'HEADER:PATH pairs, e.g. -o custom-columns=NAME:.metadata.name,PHASE:.status.phase',
} as const;

/** The template output an -o value asks for, or undefined when it names none; a bad template is a UserError. */
export function parseTemplateOutput(flag: string, raw: string): TemplateOutput | undefined {
  const match = /^(jsonpath|custom-columns)(?:=([\s\S]*))?$/.exec(raw);
  if (!match) return undefined;
  const kind = match[1] as TemplateOutput['kind'];
  const template = match[2] ?? '';
  try {
    if (kind === 'custom-columns') return { kind, template, columns: parseCustomColumns(template) };
    if (template === '') throw new TemplateSyntaxError('template format specified but no template given');
    return { kind, template, nodes: parseTemplate(template) };
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    throw new UserError(`${flag}: ${kind} "${template}": ${error.message}`, { hint: SYNTAX_HINT[kind] });
  }
}

/**
 * The output's text: a JSONPath template evaluated on `document` (what -o json prints), or custom columns with one
 * row per `items` element. A template that fails on the data is a UserError naming it.
 */
export function formatTemplateOutput(
  output: TemplateOutput,
  document: unknown,
  items: readonly unknown[],
  noHeaders: boolean,
): string {
  try {
    return output.kind === 'jsonpath'
      ? runTemplate(output.nodes, document)
      : formatCustomColumns(output.columns, items, noHeaders);
  } catch (error) {
    if (!(error instanceof TemplateRunError)) throw error;
    throw new UserError(`--output: ${output.kind} "${output.template}" fails on this output: ${error.message}`, {
      hint: 'compare the template with what -o json prints',
    });
  }
}
