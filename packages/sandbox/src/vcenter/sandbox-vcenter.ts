/**
 * The sandbox's vCenter as a whole: its own CA and certificate (a vCenter's VMCA signs its machine certificate;
 * 127.0.0.1 and localhost in subjectAltName), the SOAP server over a VcenterModel of the inventory's VMs, and what a
 * Provider needs to point at it (URL, CA PEM, SHA-1 fingerprint, credentials). `startSandbox` runs one on the
 * sandbox's clock; `startSandboxVcenter` runs one alone, for tests of vSphere clients.
 */
import { X509Certificate } from 'node:crypto';
import type { Scenario } from '@kubectl-mtv/engine';
import { SimulatedClock } from '../cdi/clock.js';
import { inventoryFromScenario } from '../inventory/from-scenario.js';
import type { InventoryData, InventoryVm } from '../inventory/model.js';
import { DEFAULT_SANDBOX_SCENARIO } from '../seed/default-scenario.js';
import { createSandboxTls } from '../tls.js';
import { startVcenterServer } from './server.js';
import { type MoRef, VcenterModel, type VcenterVmBehaviour } from './vcenter-model.js';

/** The source Provider Secret's credentials: the only ones the sandbox's vCenter accepts. */
export const SANDBOX_VCENTER_USER = 'administrator@vsphere.local';

export interface SandboxVcenterOptions {
  inventory: InventoryData;
  /** Simulated seconds now. */
  clock: () => number;
  /** Wall-clock xsd:dateTime of a simulated instant. */
  timestamp?: (seconds: number) => string;
  /** What each VM does besides its inventory description (Tools, shutdown, snapshot faults). */
  behaviour?: (vm: InventoryVm) => VcenterVmBehaviour;
  /** The password; random unless given. */
  password?: string;
}

/** A running sandbox vCenter. The password is for the Provider Secret and tests; never print it. */
export interface SandboxVcenter {
  /** `https://127.0.0.1:PORT/sdk`. */
  url: string;
  /** The CA (PEM) that signs its certificate: the Provider Secret's `cacert`. */
  caCert: string;
  /** SHA-1 fingerprint of its certificate, `AA:BB:…` (the Provider's status.fingerprint, the Secret's thumbprint). */
  thumbprint: string;
  user: string;
  password: string;
  /** The model the server serves: VMs (the inventory's objects), snapshots, tasks. */
  model: VcenterModel;
  stop(): Promise<void>;
}

export async function createSandboxVcenter(options: SandboxVcenterOptions): Promise<SandboxVcenter> {
  const tls = createSandboxTls(['127.0.0.1', 'localhost'], { caCommonName: 'kubectl-mtv sandbox vCenter CA' });
  const model = new VcenterModel(options.inventory, options.clock, options.behaviour);
  const password = options.password ?? randomPassword();
  const started = Date.now();
  const timestamp = options.timestamp ?? ((seconds: number) => new Date(started + seconds * 1000).toISOString());
  const server = await startVcenterServer({
    model,
    tls: { cert: tls.serverCert, key: tls.serverKey },
    user: SANDBOX_VCENTER_USER,
    password,
    timestamp,
  });
  return {
    url: server.url,
    caCert: tls.caCert,
    thumbprint: new X509Certificate(tls.serverCert).fingerprint,
    user: SANDBOX_VCENTER_USER,
    password,
    model,
    stop: () => server.close(),
  };
}

function randomPassword(): string {
  return `Sandbox-${Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('base64url')}`;
}

export interface StartSandboxVcenterOptions {
  /** The VMs (DEFAULT_SANDBOX_SCENARIO unless given). */
  scenario?: Scenario;
  /** Simulated seconds per real second (default 1). */
  speed?: number;
  /** Simulated seconds now, instead of a clock at `speed` (tests drive it). */
  clock?: () => number;
  /** VMs (by name) whose snapshot tasks end in error. */
  failSnapshots?: string[];
  /** VMs (by name) whose guest ignores ShutdownGuest. */
  ignoreShutdown?: string[];
}

/** What a test of a vSphere client needs: where, how to trust it, how to log in, which VMs. */
export interface StartedSandboxVcenter {
  url: string;
  /** The CA (PEM). */
  ca: string;
  thumbprint: string;
  user: string;
  password: string;
  /** The VMs it serves (`moref` is what FindByUuid answers); `powerState` reads the model, so it is always current. */
  vms: { name: string; moref: MoRef; uuid: string; instanceUuid: string; readonly powerState: string }[];
  model: VcenterModel;
  stop(): Promise<void>;
}

/** A sandbox vCenter alone (no API server, no inventory server) for the scenario's VMs. */
export async function startSandboxVcenter(options: StartSandboxVcenterOptions = {}): Promise<StartedSandboxVcenter> {
  const scenario = options.scenario ?? DEFAULT_SANDBOX_SCENARIO;
  const inventory = inventoryFromScenario(scenario, 'sandbox-vcenter');
  const clock = options.clock ?? (() => simulated.seconds());
  const simulated = new SimulatedClock(options.speed ?? 1);
  const vcenter = await createSandboxVcenter({
    inventory,
    clock,
    behaviour: vcenterBehaviour(scenario, {
      failSnapshots: options.failSnapshots ?? [],
      ignoreShutdown: options.ignoreShutdown ?? [],
    }),
  });
  return {
    url: vcenter.url,
    ca: vcenter.caCert,
    thumbprint: vcenter.thumbprint,
    user: vcenter.user,
    password: vcenter.password,
    vms: inventory.vms.map((vm) => ({
      name: vm.name,
      moref: { type: 'VirtualMachine', value: vm.id },
      uuid: vm.uuid,
      instanceUuid: vm.instanceUuid,
      get powerState() {
        return vm.powerState;
      },
    })),
    model: vcenter.model,
    stop: vcenter.stop,
  };
}

/** Each VM's vCenter behaviour from its scenario fields and the sandbox's fault options (by VM name). */
export function vcenterBehaviour(
  scenario: Scenario,
  faults: { failSnapshots: readonly string[]; ignoreShutdown: readonly string[] },
): (vm: InventoryVm) => VcenterVmBehaviour {
  return (vm) => {
    const spec = scenario.vms.find((candidate) => candidate.name === vm.name);
    return {
      ...(spec?.tools !== undefined && { tools: spec.tools }),
      ignoresShutdown: (spec?.ignoresShutdown ?? false) || faults.ignoreShutdown.includes(vm.name),
      failSnapshot: faults.failSnapshots.includes(vm.name),
    };
  };
}
