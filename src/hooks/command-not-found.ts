import type { Hook } from '@oclif/core';
import { ExitCode } from '../errors.js';

/** An unknown command is bad input like any other: one line on stderr, exit 2 (oclif's default spans lines). */
const hook: Hook<'command_not_found'> = async function (options) {
  const words = options.id.split(':').join(' ');
  process.stderr.write(`error: unknown command "${words}" (try: kubectl mtv --help)\n`);
  this.exit(ExitCode.usage);
};

export default hook;
