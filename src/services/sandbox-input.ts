import { SandboxInputError } from '@kubectl-mtv/sandbox';
import { ExitCode, UserError } from '../errors.js';

/** The sandbox's refusal of an option (a port in use, a disk that does not exist) as the usage error it is: exit 2. */
export async function sandboxInput<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof SandboxInputError) {
      throw new UserError(error.message, { exitCode: ExitCode.usage, hint: error.hint });
    }
    throw error;
  }
}
