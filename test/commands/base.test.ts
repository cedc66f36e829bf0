import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const base = new URL('../../src/commands/base.ts', import.meta.url).href;

/**
 * Runs a throwaway command built on BaseCommand the way bin/kubectl-mtv does (run, then oclif's handle on whatever
 * escapes), in its own process (the sources through tsx), so the exit code checked is the real one.
 */
function runCommandThatThrows(throwStatement: string, argv: string[] = []) {
  const script = `
    import { Errors } from '@oclif/core';
    import { BaseCommand } from '${base}';
    import { UserError, ExitCode } from '${new URL('../../src/errors.ts', import.meta.url).href}';
    class Boom extends BaseCommand {
      async run() { await this.parse(Boom); ${throwStatement} }
    }
    Boom.id = 'boom';
    await Boom.run(${JSON.stringify(argv)}, ${JSON.stringify(repo)}).catch(Errors.handle);
  `;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repo,
    encoding: 'utf8',
  });
}

describe('BaseCommand.catch', () => {
  it('prints a UserError as one line with its hint and exits with its code', () => {
    const run = runCommandThatThrows(
      'throw new UserError(\'plan "p" not found\', { exitCode: ExitCode.unreachable, hint: "kubectl get plans -A" });',
    );
    expect(run.stderr).toBe('error: plan "p" not found (try: kubectl get plans -A)\n');
    expect(run.stdout).toBe('');
    expect(run.status).toBe(3);
  });

  it('calls anything else a bug: one line, exit 70, no stack', () => {
    const run = runCommandThatThrows("throw new TypeError('x is undefined');");
    expect(run.stderr).toBe('error: x is undefined (a bug: please report it; --debug shows the stack)\n');
    expect(run.status).toBe(70);
  });

  it('shows the stack of a bug with --debug', () => {
    const run = runCommandThatThrows("throw new TypeError('x is undefined');", ['--debug']);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('error: x is undefined (a bug: please report it; --debug shows the stack)');
    expect(lines[1]).toBe('TypeError: x is undefined');
    expect(lines.length).toBeGreaterThan(2);
    expect(run.status).toBe(70);
  });

  it('turns a flag error into one kubectl line and exit 2', () => {
    const run = runCommandThatThrows('', ['--no-such-flag']);
    expect(run.stderr).toBe('error: unknown flag: --no-such-flag (try: kubectl mtv boom --help)\n');
    expect(run.status).toBe(2);
  });

  it('lets a deliberate this.exit(n) through untouched', () => {
    const run = runCommandThatThrows('this.exit(1);');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
  });

  it('writes a message as it is, without printf-style escapes', () => {
    const run = runCommandThatThrows("throw new UserError('disk at 100%% of its rate');");
    expect(run.stderr).toBe('error: disk at 100%% of its rate\n');
    expect(run.status).toBe(2);
  });
});
