/**
 * KubeVirt's admission webhooks for VirtualMachines (kubevirt/kubevirt d923fdb815, v1.9-dev), the parts a VM that
 * kubectl-mtv creates meets: the mutating defaults (architecture, machine type, firmware uuid and serial) and the
 * validating rules beyond the CRD schema (run strategy, disks and volumes, interfaces and networks, boot order),
 * with KubeVirt's messages, wrapped the way kube-apiserver wraps a webhook denial.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../cluster-store.js';
import { ApiError, type StatusCause } from './api-error.js';

/** The webhook's name in virt-operator's ValidatingWebhookConfiguration (components/webhooks.go), quoted in denials. */
export const VIRTUALMACHINE_WEBHOOK = 'virtualmachine-validator.kubevirt.io';

/** The cluster's architecture: virt-config's default is the compiled one (runtime.GOARCH), amd64 here. */
export const DEFAULT_ARCHITECTURE = 'amd64';
/** pkg/virt-config/virt-config.go DefaultAMD64MachineType. */
export const DEFAULT_AMD64_MACHINE_TYPE = 'q35';

/** pkg/virt-api/webhooks/validating-webhook/admitters/vms-admitter.go validRunStrategies. */
const VALID_RUN_STRATEGIES = ['Halted', 'Manual', 'Always', 'RerunOnFailure', 'Once'];

type Loose = Record<string, unknown>;

function child(parent: Loose, key: string): Loose {
  const value = parent[key];
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Loose;
  const made: Loose = {};
  parent[key] = made;
  return made;
}

function list(parent: Loose | undefined, key: string): Loose[] {
  const value = parent?.[key];
  return Array.isArray(value) ? (value.filter((item) => item && typeof item === 'object') as Loose[]) : [];
}

/**
 * The mutating webhook (pkg/virt-api/webhooks/mutating-webhook/mutators/vm-mutator.go Mutate), in place: on create,
 * setFirmwareDefaultsIfEmpty gives firmware a random uuid and serial (KubeVirt v1.7+); on create and update,
 * pkg/defaults/defaults.go SetVirtualMachineDefaults sets the template's architecture (setDefaultArchitecture: the
 * cluster default) and its machine type (setVMDefaultMachineType: ClusterConfig.GetMachineType, q35 on amd64).
 * A VM being deleted is left alone, as KubeVirt does.
 */
export function mutateVirtualMachine(vm: KubeObject, old: KubeObject | undefined): void {
  if (vm.metadata.deletionTimestamp) return;
  const spec = vm.spec as Loose | undefined;
  const template = spec?.template as Loose | undefined;
  if (!template || typeof template !== 'object') return;
  // without a domain, leave the refusal to the schema (KubeVirt's mutator validates the schema first, too)
  const templateSpec = template.spec as Loose | undefined;
  const domain = templateSpec?.domain as Loose | undefined;
  if (!templateSpec || !domain || typeof domain !== 'object') return;
  if (!old) {
    const firmware = child(domain, 'firmware');
    if (!firmware.uuid) firmware.uuid = randomUUID();
    if (!firmware.serial) firmware.serial = randomUUID();
  }
  if (!templateSpec.architecture) templateSpec.architecture = DEFAULT_ARCHITECTURE;
  const machine = child(domain, 'machine');
  if (!machine.type) machine.type = DEFAULT_AMD64_MACHINE_TYPE;
}

/** `spec.template.spec` causes: admitters/vmi-create-admitter.go validateBootOrder and network/admitter/netiface.go. */
function templateCauses(templateSpec: Loose | undefined): StatusCause[] {
  const field = 'spec.template.spec';
  const causes: StatusCause[] = [];
  const devices = (templateSpec?.domain as Loose | undefined)?.devices as Loose | undefined;
  const volumes = new Set(list(templateSpec, 'volumes').map((volume) => volume.name));
  const bootOrders = new Set<unknown>();
  list(devices, 'disks').forEach((disk, index) => {
    const path = `${field}.domain.devices.disks[${index}]`;
    if (!volumes.has(disk.name) && disk.cdrom === undefined) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `${path}.Name '${disk.name}' not found.`,
        field: `${path}.name`,
      });
    }
    if (disk.bootOrder !== undefined) {
      if (bootOrders.has(disk.bootOrder)) {
        causes.push({
          reason: 'FieldValueInvalid',
          message: `Boot order for ${path}.bootOrder already set for a different device.`,
          field: `${path}.bootOrder`,
        });
      }
      bootOrders.add(disk.bootOrder);
    }
  });
  const interfaces = list(devices, 'interfaces');
  const networks = list(templateSpec, 'networks');
  const interfaceNames = new Set(interfaces.map((iface) => iface.name));
  const networkNames = new Set(networks.map((network) => network.name));
  networks.forEach((network, index) => {
    if (interfaceNames.has(network.name)) return;
    const path = `${field}.networks[${index}].name`;
    causes.push({ reason: 'FieldValueRequired', message: `${path} '${network.name}' not found.`, field: path });
  });
  interfaces.forEach((iface, index) => {
    if (networkNames.has(iface.name)) return;
    const path = `${field}.domain.devices.interfaces[${index}].name`;
    causes.push({ reason: 'FieldValueInvalid', message: `${path} '${iface.name}' not found.`, field: path });
  });
  return causes;
}

/** vms-admitter.go validateRunStrategy, with its messages (WaitAsReceiver: its feature gate is off here). */
function runStrategyCauses(spec: Loose): StatusCause[] {
  const causes: StatusCause[] = [];
  const running = spec.running ?? undefined;
  const strategy = spec.runStrategy ?? undefined;
  if (running !== undefined && strategy !== undefined) {
    causes.push({
      reason: 'FieldValueInvalid',
      message:
        'Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead',
      field: 'spec.running',
    });
  }
  if (running === undefined && strategy === undefined) {
    causes.push({ reason: 'FieldValueInvalid', message: 'RunStrategy must be specified', field: 'spec.running' });
  }
  if (strategy === 'WaitAsReceiver') {
    causes.push({
      reason: 'FieldValueInvalid',
      message:
        'Invalid RunStrategy (WaitAsReceiver), DecentralizedLiveMigration feature gate is not enabled in kubevirt resource',
      field: 'spec.runStrategy',
    });
  } else if (strategy !== undefined && !VALID_RUN_STRATEGIES.includes(String(strategy))) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid RunStrategy (${strategy})`,
      field: 'spec.runStrategy',
    });
  }
  return causes;
}

/**
 * kube-apiserver's wrapping of a webhook's Result (webhookerrors.ToStatusErr) around KubeVirt's
 * pkg/util/webhooks/webhooks.go ToAdmissionResponse: 422 Invalid, the first ten causes' messages joined by ", ".
 */
function denial(causes: StatusCause[]): ApiError {
  const shown = causes.slice(0, 10);
  let message = shown.map((cause) => cause.message).join(', ');
  if (causes.length > 10) message += `, and ${causes.length - 10} more validation errors`;
  return new ApiError(422, 'Invalid', `admission webhook "${VIRTUALMACHINE_WEBHOOK}" denied the request: ${message}`, {
    causes: shown,
  });
}

/**
 * Throws the validating webhook's denial for a VM create or update (vms-admitter.go Admit then
 * ValidateVirtualMachineSpec: the template's spec first, the run strategy last). A VM being deleted passes.
 */
export function admitVirtualMachine(vm: KubeObject): void {
  if (vm.metadata.deletionTimestamp) return;
  const spec = (vm.spec ?? {}) as Loose;
  const templateSpec = (spec.template as Loose | undefined)?.spec as Loose | undefined;
  const causes = [...templateCauses(templateSpec), ...runStrategyCauses(spec)];
  if (causes.length) throw denial(causes);
}
