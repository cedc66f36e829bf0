// The bundle's entry point for bin/kubectl-mtv and the single executable (scripts/bundle.ts): oclif's `execute`,
// from the same chunk the commands' oclif comes from, so that its classes are the commands' classes.
export { execute } from '@oclif/core';
