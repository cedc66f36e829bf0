/**
 * @kubectl-mtv/sandbox: an embedded cluster for kubectl-mtv, its tests, bench and chaos: a Kubernetes API server
 * with the real CRDs, CDI's importer and the Forklift inventory simulated, seeded from a scenario. Product code never
 * imports it; the CLI's `sandbox` and `demo` use cases start it through this API.
 */
export { MTV_RELEASES, type MtvRelease, NEWEST_MTV_RELEASE } from './api/crd-loader.js';
export { DEFAULT_CDI_VERSION } from './cdi/cdi-version.js';
export { DATAVOLUMES, STUCK_ANNOTATION } from './cdi/importer.js';
export type { KubeObject } from './cluster-store.js';
export {
  type ConversionFault,
  FAULT_KINDS,
  type FaultKind,
  type FaultOptions,
  parseConversionFault,
  SCRIPTED_STATUSES,
  type ScriptedAnswer,
  type ScriptedStatus,
} from './faults.js';
export type { CleanupRecord } from './forklift/cleanup.js';
export {
  CONVERSION_BYTES_PER_SECOND,
  CONVERSIONS,
  ConversionController,
  type ConversionRecord,
} from './forklift/conversion-controller.js';
export { SandboxInputError } from './input-error.js';
export { inventoryFromScenario, uuidFromName } from './inventory/from-scenario.js';
export { FORKLIFT_PARITY_WAIT_MS, type InventorySyncOptions } from './inventory/parity.js';
export { type InventoryCounts, type InventoryServer, startInventoryServer } from './inventory/server.js';
export { esxiThumbprint } from './inventory/thumbprints.js';
export {
  removeSandboxKubeconfig,
  SANDBOX_KUBECONFIG_MARK,
  SANDBOX_REMOTE_CONTEXT,
  type SandboxKubeconfigOptions,
  sandboxKubeconfig,
  sandboxKubeconfigInstance,
  writeKubeconfigAtomically,
} from './kubeconfig.js';
export {
  DEFAULT_VM_START_SECONDS,
  VIRTUALMACHINES,
  VirtController,
  VM_CONTROLLER_FINALIZER,
} from './kubevirt/virt-controller.js';
export { type PrintableStatus, VM_FAILURES, type VmFailure } from './kubevirt/vm-status.js';
export { SANDBOX_USER, type Sandbox, type SandboxOptions, startSandbox } from './sandbox.js';
export { DEFAULT_SANDBOX_SCENARIO } from './seed/default-scenario.js';
export { HOST_CONNECTION_FAILED, hostCrName, hostSecretName } from './seed/host-crs.js';
export { SEED_NAMES, TRANSFER_NETWORK_GATEWAY } from './seed/names.js';
export type { SeedVcenter } from './seed/seed-objects.js';
export { type SandboxStats, STATS_PATH } from './stats.js';
export { createSandboxTls, type SandboxTls } from './tls.js';
export {
  SANDBOX_VCENTER_USER,
  type SandboxVcenter,
  type StartedSandboxVcenter,
  type StartSandboxVcenterOptions,
  startSandboxVcenter,
} from './vcenter/sandbox-vcenter.js';
export { VCENTER_SECONDS, type VcenterModel, type VcenterVmBehaviour } from './vcenter/vcenter-model.js';
