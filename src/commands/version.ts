import { Flags } from '@oclif/core';
import { BaseCommand } from './base.js';
import { parseChoice } from './support/flag-values.js';

const OUTPUT_FORMATS = ['text', 'json'] as const;

export default class Version extends BaseCommand {
  static override summary = 'Print the plugin version and the Node.js version it runs on.';

  static override examples = ['kubectl mtv version', 'kubectl mtv version -o json'];

  static override flags = {
    output: Flags.string({ char: 'o', description: 'Output format.', default: 'text', helpValue: 'text|json' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Version);
    const output = parseChoice('--output', flags.output, OUTPUT_FORMATS, 'output format');
    const versions = { pluginVersion: this.config.version, nodeVersion: process.version };
    if (output === 'json') {
      this.log(JSON.stringify(versions, null, 2));
    } else {
      this.log(`Plugin Version: v${versions.pluginVersion}`);
      this.log(`Node Version: ${versions.nodeVersion}`);
    }
  }
}
