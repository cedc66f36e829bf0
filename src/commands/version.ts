import { Flags } from '@oclif/core';
import { type VersionReport, version } from '../services/version.js';
import { BaseCommand } from './base.js';
import { parseChoice, parseDuration } from './support/flag-values.js';
import { connectionFlags } from './support/migrate-flags.js';

const OUTPUT_FORMATS = ['json', 'yaml'] as const;

export default class Version extends BaseCommand {
  static override summary = 'Print the plugin version, the Node.js version and the API server version.';

  static override description =
    "Like kubectl version: the server's version comes from GET /version with the kubeconfig's credentials. A server " +
    'that cannot be reached is reported as unreachable, with the reason, and the exit code stays 0.';

  static override examples = ['kubectl mtv version', 'kubectl mtv version --client', 'kubectl mtv version -o json'];

  static override flags = {
    client: Flags.boolean({ description: 'Only the plugin and Node.js versions; contact no server.' }),
    output: Flags.string({ char: 'o', description: 'Output format. Default: text.', helpValue: 'json|yaml' }),
    kubeconfig: connectionFlags.kubeconfig,
    context: connectionFlags.context,
    'request-timeout': Flags.string({
      description: 'How long the server may take to answer; 0 waits forever.',
      default: '3s',
      helpValue: 'DURATION',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Version);
    const output =
      flags.output === undefined ? 'text' : parseChoice('--output', flags.output, OUTPUT_FORMATS, 'output format');
    const report = await version({
      pluginVersion: this.config.version,
      client: flags.client,
      kubeconfig: flags.kubeconfig,
      context: flags.context,
      timeoutMs: parseDuration('--request-timeout', flags['request-timeout'], { zero: 'no limit' }),
    });
    if (output === 'json') this.log(JSON.stringify(report, null, 2));
    else if (output === 'yaml') this.log((await import('../ui/object-output.js')).formatYaml(report).trimEnd());
    else this.log(formatVersionText(report));
  }
}

/** kubectl's text form: one `Name Version: value` line each. */
function formatVersionText(report: VersionReport): string {
  const lines = [`Plugin Version: v${report.pluginVersion}`, `Node Version: ${report.nodeVersion}`];
  if (report.serverVersion) lines.push(`Server Version: ${report.serverVersion.gitVersion}`);
  if (report.serverError) lines.push(`Server Version: unreachable (${report.serverError})`);
  return lines.join('\n');
}
