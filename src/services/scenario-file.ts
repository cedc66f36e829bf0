/**
 * Scenario files (YAML or JSON) into the engine's Scenario: structure checked by schema/scenario.schema.json,
 * then quantities, host names and count expansion checked here. Every bad file gives one UserError that names
 * the file, the field path and the value received.
 */
import { readFile } from 'node:fs/promises';
import type { DiskBus, DiskSpec, HostCrState, HostSpec, MigrationType, Scenario, VmSpec } from '@kubectl-mtv/engine';
import { parseQuantity } from '@kubectl-mtv/engine';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import schema from '../../schema/scenario.schema.json' with { type: 'json' };
import { ExitCode, UserError } from '../errors.js';

/** The file as written, once it matches the schema. Quantities are still strings or numbers. */
interface ScenarioFile {
  name?: string;
  migration?: MigrationType;
  maxInFlight?: number;
  diskRate?: string | number;
  network?: { bandwidth?: string | number };
  hosts?: { name: string; bandwidth?: string | number; ipAddress?: string; hostCr?: HostCrState; timezone?: string }[];
  unmappedDatastores?: string[];
  vms: ({
    name: string;
    count?: number;
    host?: string;
    disks: {
      size: string | number;
      rate?: string | number;
      datastore?: string;
      bus?: DiskBus;
      controller?: number;
    }[];
    /** Percent per hour: `2%/h` or 2. */
    changeRate?: string | number;
  } & Pick<
    VmSpec,
    | 'id'
    | 'powerState'
    | 'cpuCount'
    | 'coresPerSocket'
    | 'memoryMB'
    | 'firmware'
    | 'secureBoot'
    | 'tpm'
    | 'guestId'
    | 'targetPowerState'
    | 'nics'
    | 'tools'
    | 'ignoresShutdown'
  >)[];
}

/** The host VMs without a `host` share; uncapped unless the file lists it. */
const DEFAULT_HOST = 'default';
const DEFAULT_MAX_IN_FLIGHT = 20;
const DEFAULT_DISK_RATE = '100Mi';

const validateFile = new Ajv({ allErrors: true, verbose: true }).compile<ScenarioFile>(schema);

/** The `--scenario` value that reads the scenario from stdin, as kubectl's `-f -`. */
export const STDIN_PATH = '-';
/** How messages name stdin, as kubectl does (`error validating "STDIN"`). */
const STDIN_NAME = 'STDIN';

/**
 * Reads and checks a scenario file, or stdin for `-` (to its end); a missing or bad file is a UserError (exit
 * code 2).
 */
export async function loadScenarioFile(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<Scenario> {
  if (path === STDIN_PATH) return parseScenarioText(await readAll(stdin), STDIN_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT'
        ? 'not found'
        : code === 'EISDIR'
          ? 'is a directory'
          : `cannot be read (${code ?? (error as Error).message})`;
    throw new UserError(`scenario file "${path}" ${problem}`, {
      exitCode: ExitCode.usage,
      hint: 'pass the path of a scenario YAML or JSON file, e.g. examples/seed-10x10.yaml',
    });
  }
  return parseScenarioText(text, path);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses and checks scenario text; `source` names the file in messages. Pure. */
export function parseScenarioText(text: string, source: string): Scenario {
  const fail = (path: string, message: string) =>
    new UserError(`${source}: ${path ? `${path}: ` : ''}${message}`, { exitCode: ExitCode.usage });
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw fail('', `not YAML or JSON: ${(error as Error).message.split('\n')[0].replace(/:$/, '')}`);
  }
  if (data === null || data === undefined) throw fail('', 'the file is empty (a scenario is a mapping with vms)');
  if (!validateFile(data)) throw schemaFailure(validateFile.errors ?? [], fail);
  return toScenario(data, fail);
}

type Fail = (path: string, message: string) => UserError;

/**
 * One message out of all schema errors: an unknown field first (a typo also makes a required field look missing),
 * else the first error in file order; a failed anyOf (a quantity) speaks for its branches.
 */
function schemaFailure(errors: ErrorObject[], fail: Fail): UserError {
  const outer = errors.filter((e) => !e.schemaPath.includes('/anyOf/'));
  const error = outer.find((e) => e.keyword === 'additionalProperties') ?? outer[0] ?? errors[0];
  const path = fieldPath(error.instancePath);
  const child = (name: string) => (path ? `${path}.${name}` : name);
  const parent = error.parentSchema as { description?: string; properties?: Record<string, unknown> } | undefined;
  switch (error.keyword) {
    case 'additionalProperties': {
      const known = Object.keys(parent?.properties ?? {}).join(', ');
      return fail(child(String(error.params.additionalProperty)), `unknown field (known: ${known})`);
    }
    case 'required':
      return fail(child(String(error.params.missingProperty)), 'required field is missing');
    case 'minItems':
      return fail(path, 'must list at least one VM');
    default:
      return fail(path, `${show(error.data)} is not ${parent?.description ?? 'valid'}`);
  }
}

/** "/vms/2/disks/0/size" -> "vms[2].disks[0].size" */
function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, key) => (/^[0-9]+$/.test(key) ? `${path}[${key}]` : path ? `${path}.${key}` : key), '');
}

/** The value received, as the user would write it in JSON; long values are cut. */
function show(value: unknown): string {
  const text =
    value === undefined
      ? 'nothing'
      : typeof value === 'number' && !Number.isFinite(value)
        ? String(value)
        : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const QUANTITY_KINDS = {
  size: { description: schema.definitions.size.description, least: 0, open: false },
  rate: { description: schema.definitions.rate.description, least: 0, open: true },
};

/** Bytes (size, at least 0) or bytes/s (rate, more than 0) of a quantity the schema let through. */
function quantity(value: string | number, path: string, kind: keyof typeof QUANTITY_KINDS, fail: Fail): number {
  const { description, least, open } = QUANTITY_KINDS[kind];
  let amount = Number.NaN;
  try {
    amount = parseQuantity(value);
  } catch {
    // reported below with the field path
  }
  if (Number.isNaN(amount)) throw fail(path, `${show(value)} is not ${description}`);
  if (kind === 'size' && amount < 0)
    throw fail(path, `${show(value)} is negative (a size is bytes to copy, 0 or more)`);
  if (!(open ? amount > least : amount >= least)) throw fail(path, `${show(value)} is not ${description}`);
  return amount;
}

function toScenario(file: ScenarioFile, fail: Fail): Scenario {
  const hosts: HostSpec[] = [];
  for (const [i, host] of (file.hosts ?? []).entries()) {
    if (hosts.some((h) => h.name === host.name)) throw fail(`hosts[${i}].name`, `${show(host.name)} is a duplicate`);
    const bandwidth =
      host.bandwidth === undefined
        ? {}
        : { bandwidth: quantity(host.bandwidth, `hosts[${i}].bandwidth`, 'rate', fail) };
    // a Host CR names the host by its address (Forklift's host controller refuses one without: IpNotValid)
    if (host.hostCr !== undefined && host.ipAddress === undefined) {
      throw fail(
        `hosts[${i}].ipAddress`,
        `required field is missing (hostCr ${show(host.hostCr)} names the host by it)`,
      );
    }
    hosts.push({
      name: host.name,
      ...bandwidth,
      ...(host.ipAddress !== undefined && { ipAddress: host.ipAddress }),
      ...(host.hostCr !== undefined && { hostCr: host.hostCr }),
      ...(host.timezone !== undefined && { timezone: host.timezone }),
    });
  }
  const listed = hosts.map((h) => h.name);
  const vms: VmSpec[] = [];
  /** Names taken so far, and whether each came from a count expansion. */
  const taken = new Map<string, boolean>();
  for (const [i, vm] of file.vms.entries()) {
    if (vm.host !== undefined && !listed.includes(vm.host)) {
      throw fail(
        `vms[${i}].host`,
        `${show(vm.host)} is not listed under hosts (listed: ${listed.join(', ') || 'none'})`,
      );
    }
    // vSphere refuses a CPU count that is not a whole number of sockets (numCPU / numCoresPerSocket)
    if ((vm.cpuCount ?? 2) % (vm.coresPerSocket ?? 1) !== 0) {
      throw fail(
        `vms[${i}].coresPerSocket`,
        `${show(vm.coresPerSocket)} does not divide cpuCount ${vm.cpuCount ?? 2} (vSphere needs whole sockets)`,
      );
    }
    const disks = vm.disks.map((disk, j): DiskSpec => {
      const at = `vms[${i}].disks[${j}]`;
      return {
        size: quantity(disk.size, `${at}.size`, 'size', fail),
        ...(disk.rate !== undefined && { rate: quantity(disk.rate, `${at}.rate`, 'rate', fail) }),
        ...(disk.datastore !== undefined && { datastore: disk.datastore }),
        ...(disk.bus !== undefined && { bus: disk.bus }),
        ...(disk.controller !== undefined && { controller: disk.controller }),
      };
    });
    const count = vm.count ?? 1;
    for (let n = 1; n <= count; n++) {
      // app-01 .. app-99, then app-100: the index is zero-padded to two digits, never cut.
      const suffix = count > 1 ? `-${String(n).padStart(2, '0')}` : '';
      const name = `${vm.name}${suffix}`;
      if (taken.has(name)) {
        const expanded = count > 1 || taken.get(name) ? ' (after count expansion)' : '';
        throw fail(`vms[${i}].name`, `${show(name)} is a duplicate${expanded}`);
      }
      taken.set(name, count > 1);
      vms.push({
        name,
        host: vm.host ?? DEFAULT_HOST,
        disks: disks.map((disk) => ({ ...disk })),
        ...(vm.id !== undefined && { id: `${vm.id}${suffix}` }),
        ...(vm.powerState !== undefined && { powerState: vm.powerState }),
        ...vmConfiguration(vm),
        ...(vm.changeRate !== undefined && { changeRate: changeRate(vm.changeRate) }),
      });
    }
  }
  if (vms.some((vm) => vm.host === DEFAULT_HOST) && !listed.includes(DEFAULT_HOST)) hosts.push({ name: DEFAULT_HOST });
  return {
    ...(file.name !== undefined && { name: file.name }),
    migration: file.migration ?? 'cold',
    maxInFlight: file.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
    diskRate: quantity(file.diskRate ?? DEFAULT_DISK_RATE, 'diskRate', 'rate', fail),
    ...(file.network?.bandwidth !== undefined && {
      networkBandwidth: quantity(file.network.bandwidth, 'network.bandwidth', 'rate', fail),
    }),
    hosts,
    vms,
    ...(file.unmappedDatastores !== undefined && { unmappedDatastores: [...file.unmappedDatastores] }),
  };
}

/**
 * The VM's configuration fields the sandbox's inventory and vCenter read (copied as written; defaults are the
 * sandbox's).
 */
function vmConfiguration(vm: ScenarioFile['vms'][number]): Partial<VmSpec> {
  return {
    ...(vm.cpuCount !== undefined && { cpuCount: vm.cpuCount }),
    ...(vm.coresPerSocket !== undefined && { coresPerSocket: vm.coresPerSocket }),
    ...(vm.memoryMB !== undefined && { memoryMB: vm.memoryMB }),
    ...(vm.firmware !== undefined && { firmware: vm.firmware }),
    ...(vm.secureBoot !== undefined && { secureBoot: vm.secureBoot }),
    ...(vm.tpm !== undefined && { tpm: vm.tpm }),
    ...(vm.guestId !== undefined && { guestId: vm.guestId }),
    ...(vm.targetPowerState !== undefined && { targetPowerState: vm.targetPowerState }),
    ...(vm.nics !== undefined && { nics: vm.nics.map((nic) => ({ network: nic.network })) }),
    ...(vm.tools !== undefined && { tools: vm.tools }),
    ...(vm.ignoresShutdown !== undefined && { ignoresShutdown: vm.ignoresShutdown }),
  };
}

/** A VM's change rate as percent of the disk per hour: `2%/h` or 2 (the schema let only these through). */
function changeRate(value: string | number): number {
  return typeof value === 'number' ? value : Number(value.slice(0, -'%/h'.length));
}
