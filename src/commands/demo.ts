import { Flags } from '@oclif/core';
import { demo } from '../services/demo.js';
import { BaseCommand } from './base.js';
import { parseNumber, SPEED_RANGE, SPEED_UNIT } from './support/flag-values.js';
import { nextStop, writeIfOpen } from './support/signals.js';
import { tuiFlag, tuiTerminal } from './support/tui-flag.js';

export default class Demo extends BaseCommand {
  static override summary = 'Migrate plan-a on a sandbox cluster in this process: the main job in about a minute.';

  static override description =
    'Starts the sandbox (Kubernetes API, simulated CDI importer, Forklift inventory) with its default scenario, at a ' +
    'speed that lets its plan finish in about a minute, and runs `kubectl mtv migrate plan-a` against it (the live ' +
    "view on a terminal, plain lines elsewhere). Exits with migrate's code; nothing is left behind.";

  static override examples = ['kubectl mtv demo', 'kubectl mtv demo --warm', 'kubectl mtv demo --speed 1000'];

  static override flags = {
    speed: Flags.string({
      description: "Simulated seconds per real second. Default: the plan's simulated makespan / 60 s.",
      helpValue: 'X',
    }),
    warm: Flags.boolean({
      description:
        'Run the same VMs as a warm plan: precopies every 10 s, the cutover 45 s after the start (running sources shut down, a last copy), then the VMs.',
    }),
    tui: tuiFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Demo);
    const speed = flags.speed;
    const aborter = new AbortController();
    nextStop().then((cause) => {
      writeIfOpen(process.stderr, `demo: ${cause.what}: no new disks start; stopping\n`);
      aborter.abort(cause);
    });
    const code = await demo({
      speed: speed === undefined ? undefined : parseNumber('--speed', speed, SPEED_RANGE, SPEED_UNIT),
      signal: aborter.signal,
      tui: tuiTerminal(flags.tui),
      warm: flags.warm,
    });
    if (code !== 0) this.exit(code);
  }
}
