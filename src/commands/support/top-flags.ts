import { Flags } from '@oclif/core';
import { TOP_OUTPUTS } from '../../ui/top-output.js';
import { connectionFlags } from './migrate-flags.js';
import { withTemplates } from './output-flags.js';

export { TOP_OUTPUTS } from '../../ui/top-output.js';

/** `kubectl mtv top`'s flags, as strings where values need checking. */
export const topFlags = {
  ...connectionFlags,
  namespace: Flags.string({
    char: 'n',
    description: "Runs of this namespace. Default: the context's.",
    helpValue: 'NS',
  }),
  'all-namespaces': Flags.boolean({ char: 'A', description: 'Runs of every namespace.' }),
  control: Flags.boolean({
    description: 'Let p and +/- ask the selected runner to pause, resume or change its cap.',
  }),
  once: Flags.boolean({ description: 'Print one snapshot and exit (the default without a terminal).' }),
  watch: Flags.boolean({ char: 'w', description: 'Stream a JSON snapshot line each time a run changes.' }),
  output: Flags.string({
    char: 'o',
    description: 'Snapshot format; a jsonpath template reads the -o json object, custom-columns a row per run.',
    default: 'table',
    helpValue: withTemplates(TOP_OUTPUTS).join('|'),
  }),
  'no-headers': Flags.boolean({ description: 'Tables without their header lines.' }),
};
