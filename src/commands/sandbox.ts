import { randomInt } from 'node:crypto';
import { MTV_RELEASES } from '../cluster/mtv-release.js';
import { type SandboxServiceOptions, serveSandbox } from '../services/sandbox.js';
import { sandboxSummary } from '../ui/sandbox-summary.js';
import { BaseCommand } from './base.js';
import {
  MAX_SEED,
  parseChoice,
  parseDenyRule,
  parseFailConversion,
  parseFailDisk,
  parseNumber,
  parsePort,
  parseSeed,
  parseWholeNumber,
  RANGES,
  SPEED_RANGE,
  SPEED_UNIT,
} from './support/flag-values.js';
import { sandboxFlags } from './support/sandbox-flags.js';
import { nextStop, writeIfOpen } from './support/signals.js';

export default class Sandbox extends BaseCommand {
  static override summary = 'Run a local fake cluster: Kubernetes API, CDI importer, KubeVirt and Forklift inventory.';

  static override description =
    'Serves, in the foreground, a Kubernetes-compatible API seeded from a scenario (Providers, maps, plan-a), a ' +
    'simulated CDI importer that copies DataVolumes under the bandwidth model, a simulated KubeVirt that runs the ' +
    'VirtualMachines migrate makes, and a Forklift inventory behind a ' +
    'Route. Prints the path of a kubeconfig for it on stdout once it serves; Ctrl-C (or SIGTERM) stops it and ' +
    'removes the kubeconfig.';

  static override examples = [
    'kubectl mtv sandbox',
    'kubectl mtv sandbox --scenario examples/seed-10x10.yaml --speed 100 --kubeconfig ./sandbox.kubeconfig',
    'kubectl mtv sandbox --fault-rate 0.05 --watch-drop-every 50 --fail-disk app-01/0 --deny delete:datavolumes',
  ];

  static override flags = sandboxFlags;

  async run(): Promise<void> {
    const { flags } = await this.parse(Sandbox);
    const seed = flags['fault-seed'];
    const watchDropEvery = flags['watch-drop-every'];
    const options: SandboxServiceOptions = {
      scenarioPath: flags.scenario,
      port: parsePort(flags.port),
      kubeconfigPath: flags.kubeconfig,
      speed: parseNumber('--speed', flags.speed, SPEED_RANGE, SPEED_UNIT),
      insecureHttp: flags['insecure-http'],
      faultRate: parseNumber('--fault-rate', flags['fault-rate'], { from: 0, to: 1 }),
      faultSeed: seed === undefined ? randomInt(MAX_SEED) : parseSeed(seed),
      watchDropEvery:
        watchDropEvery === undefined
          ? undefined
          : parseWholeNumber('--watch-drop-every', watchDropEvery, RANGES.watchEvents),
      latencyMs: parseWholeNumber('--latency', flags.latency, RANGES.latencyMs),
      inventorySyncing: parseWholeNumber('--inventory-syncing', flags['inventory-syncing'], RANGES.syncingRequests),
      failDisks: (flags['fail-disk'] ?? []).map(parseFailDisk),
      failVms: flags['fail-vm'] ?? [],
      failConversions: (flags['fail-conversion'] ?? []).map(parseFailConversion),
      failSnapshots: flags['fail-snapshot'] ?? [],
      ignoreShutdown: flags['ignore-shutdown'] ?? [],
      deny: (flags.deny ?? []).map(parseDenyRule),
      clientCertificate: flags['client-certificate'],
      proxy: flags.proxy,
      cdiVersion: flags['cdi-version'],
      ...(flags['mtv-version'] !== undefined && {
        mtvRelease: parseChoice('--mtv-version', flags['mtv-version'], MTV_RELEASES, 'MTV release'),
      }),
    };
    const served = await serveSandbox(options);
    // The path comes last: a script that reads it from stdout finds the summary already written.
    process.stderr.write(sandboxSummary(served, options));
    this.log(served.kubeconfigPath);
    const cause = await nextStop();
    writeIfOpen(process.stderr, `sandbox: ${cause.what}: stopping\n`);
    await served.stop();
  }
}
