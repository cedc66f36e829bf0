/**
 * The VMs a sandbox makes fail to start (SandboxOptions.failVms): `NAME` (CrashLoopBackOff) or
 * `NAME:ErrorUnschedulable` / `NAME:CrashLoopBackOff`, NAME a VM of the scenario. A VirtualMachine fails when its
 * name is NAME or its `vmID` label (Forklift's, kubevirt.go vmLabels) is that VM's inventory id, so a VM renamed by
 * targetName or DNS-1123 cleanup still fails.
 */
import type { KubeObject } from '../cluster-store.js';
import { SandboxInputError } from '../input-error.js';
import { VM_FAILURES, type VmFailure } from './vm-status.js';

/** Parses the rules against the scenario's VMs (name and inventory id); a rule that names none is refused. */
export function vmFailures(
  rules: readonly string[],
  vms: readonly { name: string; id: string }[],
): (vm: KubeObject) => VmFailure | undefined {
  const byKey = new Map<string, VmFailure>();
  for (const rule of rules) {
    const [name, kind = 'CrashLoopBackOff', ...rest] = rule.split(':');
    const source = vms.find((vm) => vm.name === name);
    if (!source) {
      throw new SandboxInputError(
        `--fail-vm: "${rule}" names no VM of the scenario`,
        `NAME or NAME:${VM_FAILURES.join('|')} with a VM such as ${vms[0]?.name ?? 'app-01'}`,
      );
    }
    if (rest.length || !VM_FAILURES.includes(kind as VmFailure)) {
      throw new SandboxInputError(
        `--fail-vm: "${rule}" asks for "${kind}", which is not a way the sandbox fails a VM`,
        `one of ${VM_FAILURES.map((failure) => `${name}:${failure}`).join(', ')}`,
      );
    }
    byKey.set(`name:${source.name}`, kind as VmFailure);
    byKey.set(`id:${source.id}`, kind as VmFailure);
  }
  return (vm) => {
    // Forklift's vmID label, or kubectl-mtv's vm-id (the labels each puts on the VMs it makes)
    const id = vm.metadata.labels?.vmID ?? vm.metadata.labels?.['kubectl-mtv.konveyor.io/vm-id'];
    return byKey.get(`name:${vm.metadata.name}`) ?? (id === undefined ? undefined : byKey.get(`id:${id}`));
  };
}
