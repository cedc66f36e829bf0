import { Flags } from '@oclif/core';
import { UserError } from '../../errors.js';
import { parseTemplateOutput, TEMPLATE_OUTPUTS, type TemplateOutput } from '../../ui/template-output.js';

/**
 * kubectl's `-o, --output` and `--no-headers`. The choices are the helpValue (`table|wide|json`), which `--help`
 * shows and shell completion offers; parseOutput checks the value, so the error names it.
 */
export function outputFlag(choices: readonly string[], defaultValue: string, description = 'Output format.') {
  return Flags.string({ char: 'o', description, default: defaultValue, helpValue: choices.join('|') });
}

/** The choices of a command that prints a list of objects: its own, then kubectl's two template forms. */
export function withTemplates(choices: readonly string[]): string[] {
  return [...choices, ...TEMPLATE_OUTPUTS];
}

export const noHeadersFlag = Flags.boolean({ description: 'Print tables without their header line.' });

/**
 * An -o value: one of `choices`, or (with `templates`) `jsonpath=TEMPLATE` or `custom-columns=SPEC`, read here so
 * that a bad template fails before anything runs. Anything else is refused with the accepted values.
 */
export function parseOutput<T extends string>(
  raw: string,
  choices: readonly T[],
  options: { templates: boolean } = { templates: true },
): T | TemplateOutput {
  const template = options.templates ? parseTemplateOutput('--output', raw) : undefined;
  if (template) return template;
  const value = raw.trim();
  if ((choices as readonly string[]).includes(value)) return value as T;
  const accepted = options.templates ? withTemplates(choices) : choices;
  throw new UserError(`--output: "${raw}" is not an output format (choose from ${accepted.join(', ')})`);
}
