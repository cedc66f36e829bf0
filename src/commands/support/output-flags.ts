import { Flags } from '@oclif/core';

/**
 * kubectl's `-o, --output` and `--no-headers`. The choices are the helpValue (`table|wide|json`), which `--help`
 * shows and shell completion offers; parseChoice checks the value, so the error names it.
 */
export function outputFlag(choices: readonly string[], defaultValue: string, description = 'Output format.') {
  return Flags.string({ char: 'o', description, default: defaultValue, helpValue: choices.join('|') });
}

export const noHeadersFlag = Flags.boolean({ description: 'Print tables without their header line.' });
