/**
 * A sandbox option or scenario that cannot work (a port in use, a disk label that names no disk, a kubeconfig path
 * that must not be written): one line naming the value, and what to do instead. The CLI shows it as a usage error.
 */
export class SandboxInputError extends Error {
  constructor(
    message: string,
    /** What to do instead, in a few words. */
    readonly hint: string,
  ) {
    super(message);
    this.name = 'SandboxInputError';
  }
}
