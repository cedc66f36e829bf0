import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { QUANTITY_PATTERN } from '@kubectl-mtv/engine';
import { needs, sharedFolder } from '@kubectl-mtv/test-support';
import { describe, expect, it } from 'vitest';
import { ExitCode, type UserError } from '../../src/errors.js';
import { loadScenarioFile, parseScenarioText } from '../../src/services/scenario-file.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const sharedScenarios = sharedFolder('scenarios');
const Gi = 2 ** 30;
const Mi = 2 ** 20;

// biome-ignore lint/suspicious/noExplicitAny: the tests write fields of the wrong type on purpose
type LooseFile = Record<string, any>;

/** A valid file with two hosts and three VMs; `patch` edits it before it is written as JSON (which is YAML too). */
function scenario(patch: (file: LooseFile) => void = () => {}): string {
  const file: LooseFile = {
    hosts: [{ name: 'esx-01' }, { name: 'esx-02', bandwidth: '280Mi' }],
    vms: [
      { name: 'app', count: 2, host: 'esx-01', disks: [{ size: '500Gi' }] },
      { name: 'db', host: 'esx-02', disks: [{ size: '1Ti' }, { size: '10Gi' }] },
      { name: 'web', disks: [{ size: '40Gi' }] },
    ],
  };
  patch(file);
  return JSON.stringify(file);
}

const TOP_FIELDS = 'name, migration, maxInFlight, diskRate, network, hosts, unmappedDatastores, vms';
const FLOW_ERROR = 'Flow sequence in block collection must be sufficiently indented and end with a ]';

/** The valid file with one field (a path like `vms[0].disks[1].size`) set, or deleted when value is undefined. */
function withField(path: string, value: unknown): string {
  return scenario((file) => {
    const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
    const last = keys.pop() as string;
    const parent = keys.reduce((node, key) => (node[key] ??= {}), file);
    if (value === undefined) delete parent[last];
    else parent[last] = value;
  });
}

const parse = (text: string) => parseScenarioText(text, 'scenario.yaml');

function failureOf(text: string): UserError {
  try {
    parse(text);
  } catch (error) {
    return error as UserError;
  }
  throw new Error('the scenario was accepted');
}

describe('parseScenarioText', () => {
  it('fills in the defaults and appends the uncapped host default for VMs without a host', () => {
    // biome-ignore format: one VM a line
    expect(parse(scenario())).toEqual({
      migration: 'cold', maxInFlight: 20, diskRate: 100 * Mi,
      hosts: [{ name: 'esx-01' }, { name: 'esx-02', bandwidth: 280 * Mi }, { name: 'default' }],
      vms: [
        { name: 'app-01', host: 'esx-01', disks: [{ size: 500 * Gi }] },
        { name: 'app-02', host: 'esx-01', disks: [{ size: 500 * Gi }] },
        { name: 'db', host: 'esx-02', disks: [{ size: 2 ** 40 }, { size: 10 * Gi }] },
        { name: 'web', host: 'default', disks: [{ size: 40 * Gi }] },
      ],
    });
  });

  it('keeps every field of a full YAML file, and the name and id as written with count 1', () => {
    const text = `
name: full
migration: warm
maxInFlight: 7
diskRate: 50M
network: {bandwidth: 1Gi}
hosts: [{name: esx-02, bandwidth: 1e8}, {name: esx-01, ipAddress: 192.0.2.1, hostCr: not-ready, timezone: UTC}]
unmappedDatastores: [ds-x]
vms:
  - {name: a, count: 1, host: esx-01, id: i, powerState: poweredOn, disks: [{size: 0, rate: 1Mi, datastore: d}]}
  - {name: b, host: esx-02, disks: [{size: 1, bus: nvme, controller: 2}]}
  - name: c
    host: esx-02
    disks: []
    cpuCount: 4
    coresPerSocket: 2
    memoryMB: 2048
    firmware: efi
    secureBoot: true
    tpm: true
    guestId: windows2019srv_64Guest
    nics: [{network: VM Network}, {network: Back}]
    tools: false
  - {name: d, host: esx-02, disks: [], tools: true, ignoresShutdown: true}
`;
    // biome-ignore format: the scalar fields on one line
    expect(parseScenarioText(text, 'full.yaml')).toEqual({
      name: 'full', migration: 'warm', maxInFlight: 7, diskRate: 50e6, networkBandwidth: Gi,
      hosts: [{ name: 'esx-02', bandwidth: 1e8 }, { name: 'esx-01', ipAddress: '192.0.2.1', hostCr: 'not-ready', timezone: 'UTC' }],
      unmappedDatastores: ['ds-x'],
      vms: [
        { name: 'a', host: 'esx-01', id: 'i', powerState: 'poweredOn', disks: [{ size: 0, rate: Mi, datastore: 'd' }] },
        { name: 'b', host: 'esx-02', disks: [{ size: 1, bus: 'nvme', controller: 2 }] },
        {
          name: 'c', host: 'esx-02', disks: [], cpuCount: 4, coresPerSocket: 2, memoryMB: 2048, firmware: 'efi',
          secureBoot: true, tpm: true, guestId: 'windows2019srv_64Guest',
          nics: [{ network: 'VM Network' }, { network: 'Back' }], tools: false,
        },
        { name: 'd', host: 'esx-02', disks: [], tools: true, ignoresShutdown: true },
      ],
    });
  });

  it('expands count 10 to app-01 .. app-10 and suffixes the ids the same way', () => {
    const vms = parse('vms: [{name: app, count: 10, id: vm-7, disks: [{size: 1Gi}]}]').vms;
    const suffixes = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10'];
    expect(vms.map((vm) => [vm.name, vm.id])).toEqual(suffixes.map((n) => [`app-${n}`, `vm-7-${n}`]));
    expect(vms[0].disks[0]).not.toBe(vms[1].disks[0]); // every VM owns its disk objects
  });

  it('names the VM after app-99 app-100 when count is 100', () => {
    const names = parse('vms: [{name: app, count: 100, disks: []}]').vms.map((vm) => vm.name);
    expect(names.slice(0, 2)).toEqual(['app-01', 'app-02']);
    expect(names.slice(97)).toEqual(['app-98', 'app-99', 'app-100']);
  });

  it('appends host default only when some VM has no host, and uses a listed default as listed', () => {
    expect(parse(scenario((f) => f.vms.pop())).hosts.map((h) => h.name)).toEqual(['esx-01', 'esx-02']);
    const hosts = parse(scenario((f) => f.hosts.unshift({ name: 'default', bandwidth: 5 }))).hosts;
    expect(hosts.map((h) => h.name)).toEqual(['default', 'esx-01', 'esx-02']);
  });

  const BYTES = 'is not a Kubernetes quantity of bytes (e.g. 500Gi)';
  const RATE = 'is not a positive Kubernetes quantity of bytes/s (e.g. 100Mi)';
  const WHOLE = 'is not a whole number of at least 1';
  const CHANGE_RATE = 'is not a change rate in percent of the disk per hour (e.g. 2%/h, or 2)';

  it.each<[unknown, number]>([
    ['2%/h', 2],
    ['0.5%/h', 0.5],
    [3, 3],
    [0, 0],
  ])('reads the change rate %j as %s percent per hour, for every VM of a count', (value, percent) => {
    const vms = parse(withField('vms[0].changeRate', value)).vms;
    expect(vms.filter((vm) => vm.name.startsWith('app-')).map((vm) => vm.changeRate)).toEqual([percent, percent]);
    expect(vms.find((vm) => vm.name === 'db')?.changeRate).toBeUndefined();
  });

  it('gives every VM of a count the tools and ignoresShutdown written, and leaves them out where not written', () => {
    const file = scenario((f) => Object.assign(f.vms[0], { tools: false, ignoresShutdown: true }));
    const vms = parse(file).vms.map(({ name, tools, ignoresShutdown }) => ({ name, tools, ignoresShutdown }));
    expect(vms).toEqual([
      { name: 'app-01', tools: false, ignoresShutdown: true },
      { name: 'app-02', tools: false, ignoresShutdown: true },
      { name: 'db', tools: undefined, ignoresShutdown: undefined },
      { name: 'web', tools: undefined, ignoresShutdown: undefined },
    ]);
    expect(Object.keys(parse(file).vms[2])).not.toContain('tools');
  });

  it.each<[string, unknown, string]>([
    ['vms[2].disks[0].size', '-5Gi', '"-5Gi" is negative (a size is bytes to copy, 0 or more)'],
    ['vms[2].disks[0].size', -5, `-5 ${BYTES}`],
    ['vms[0].disks[0].size', '5GB', `"5GB" ${BYTES}`],
    ['vms[0].disks[0].size', '1e1.5', `"1e1.5" ${BYTES}`],
    ['vms[0].disks[0].size', { a: 1 }, `{"a":1} ${BYTES}`],
    ['vms[0].disks[0].size', undefined, 'required field is missing'],
    ['vms[1].disks[1].rate', '0', `"0" ${RATE}`],
    ['diskRate', 0, `0 ${RATE}`],
    ['diskRate', '-100Mi', `"-100Mi" ${RATE}`],
    ['network.bandwidth', '0Gi', `"0Gi" ${RATE}`],
    ['hosts[1].bandwidth', 'fast', `"fast" ${RATE}`],
    ['hosts[1].name', 'esx-01', '"esx-01" is a duplicate'],
    ['vms[1].host', 'esx-09', '"esx-09" is not listed under hosts (listed: esx-01, esx-02)'],
    ['vms[2].name', 'db', '"db" is a duplicate'],
    ['vms[0].count', 0, `0 ${WHOLE}`],
    ['vms[0].count', 2.5, `2.5 ${WHOLE}`],
    ['maxInFlight', 0, `0 ${WHOLE}`],
    ['maxInFlight', '20', `"20" ${WHOLE}`],
    ['migration', 'hot', '"hot" is not one of cold, warm'],
    ['vms[1].powerState', 'on', '"on" is not one of poweredOn, poweredOff, suspended'],
    ['vms[0].name', '', '"" is not a non-empty string'],
    ['vms[0].disks', 'none', '"none" is not a list of disks (e.g. [{size: 500Gi}])'],
    ['unmappedDatastores', 'ds-x', '"ds-x" is not a list of datastore names'],
    ['vms', [], 'must list at least one VM'],
    ['vms[0].disks[0].bus', 'usb', '"usb" is not one of scsi, sata, ide, nvme'],
    ['vms[0].disks[0].controller', 4, '4 is not a controller number from 0 to 3'],
    ['hosts[0].hostCr', 'yes', '"yes" is not one of ready, not-ready'],
    ['vms[0].changeRate', '2%', `"2%" ${CHANGE_RATE}`],
    ['vms[0].changeRate', -1, `-1 ${CHANGE_RATE}`],
    [
      'vms[0].tools',
      'yes',
      `"yes" is not true or false: VMware Tools running in the guest, so the sandbox's vCenter can shut it down (ShutdownGuest)`,
    ],
    [
      'vms[1].ignoresShutdown',
      1,
      "1 is not true or false: the guest ignores ShutdownGuest on the sandbox's vCenter and stays on",
    ],
  ])('rejects %s set to %j with one line naming the field', (field, value, message) => {
    const error = failureOf(withField(field, value));
    expect(error.message).toBe(`scenario.yaml: ${field}: ${message}`);
    expect(error.exitCode).toBe(ExitCode.usage);
  });

  it.each<[string, string]>([
    [
      scenario((f) => f.vms.push({ name: 'app-02', disks: [] })),
      'vms[3].name: "app-02" is a duplicate (after count expansion)',
    ],
    [scenario((f) => (f.hosts = [])), 'vms[0].host: "esx-01" is not listed under hosts (listed: none)'],
    [
      'vms: [{name: a, cpuCount: 6, coresPerSocket: 4, disks: []}]',
      'vms[0].coresPerSocket: 4 does not divide cpuCount 6 (vSphere needs whole sockets)',
    ],
    [
      scenario((f) => (f.hosts[0].hostCr = 'ready')),
      'hosts[0].ipAddress: required field is missing (hostCr "ready" names the host by it)',
    ],
    [
      'vms: [{name: a, dsks: []}]',
      'vms[0].dsks: unknown field (known: name, count, host, disks, id, powerState, cpuCount, coresPerSocket, memoryMB, firmware, secureBoot, tpm, guestId, targetPowerState, nics, changeRate, tools, ignoresShutdown)',
    ],
    ['name: x', 'vms: required field is missing'],
    ['vms: [{name: a, disks: []}]\nmaxinflight: 3', `maxinflight: unknown field (known: ${TOP_FIELDS})`],
    ['- 1', '[1] is not a scenario mapping with vms (see examples/)'],
    ['', 'the file is empty (a scenario is a mapping with vms)'],
    ['vms: [', `not YAML or JSON: ${FLOW_ERROR} at line 1, column 7`],
    ['{"vms": [}', `not YAML or JSON: ${FLOW_ERROR} at line 1, column 10`],
    ['vms: []\nvms: []', 'not YAML or JSON: Map keys must be unique at line 2, column 1'],
  ])('rejects the text %j with one line', (text, message) => {
    const error = failureOf(text);
    expect(error.message).toBe(`scenario.yaml: ${message}`);
    expect(error.exitCode).toBe(ExitCode.usage);
  });
});

describe('loadScenarioFile', () => {
  it('reports a missing file with a hint and exit code 2', async () => {
    const error = await loadScenarioFile('x.yaml').catch((e: unknown) => e);
    expect(error).toMatchObject({ message: 'scenario file "x.yaml" not found', exitCode: ExitCode.usage });
    expect((error as UserError).hint).toMatch(/scenario YAML or JSON file/);
  });

  it('names the file in its messages', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'scenario-')), 'empty-plan.yaml');
    writeFileSync(path, 'vms: []\n');
    const error = await loadScenarioFile(path).catch((e: unknown) => e);
    expect((error as UserError).message).toBe(`${path}: vms: must list at least one VM`);
  });

  it('reads - from stdin, to its end, naming it STDIN in its messages', async () => {
    const text = readFileSync(join(repo, 'examples', 'seed-10x10.yaml'), 'utf8');
    const fromStdin = await loadScenarioFile('-', Readable.from([text.slice(0, 100), text.slice(100)]));
    expect(fromStdin).toEqual(await loadScenarioFile(join(repo, 'examples', 'seed-10x10.yaml')));
    const error = await loadScenarioFile('-', Readable.from(['vms: []\n'])).catch((e: unknown) => e);
    expect((error as UserError).message).toBe('STDIN: vms: must list at least one VM');
  });

  const examples = readdirSync(join(repo, 'examples')).filter((file) => /\.ya?ml$/.test(file));

  it.each(examples)('loads examples/%s', async (file) => {
    expect((await loadScenarioFile(join(repo, 'examples', file))).vms.length).toBeGreaterThan(0);
  });

  it('loads every scenario in ../shared/scenarios', needs(sharedScenarios), async () => {
    const folder = sharedScenarios.path();
    const files = readdirSync(folder).filter((file) => /\.ya?ml$/.test(file));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect((await loadScenarioFile(join(folder, file))).vms.length, file).toBeGreaterThan(0);
    }
  });
});

describe('the shipped JSON Schema', () => {
  it('uses the same quantity pattern as the parser, wherever it names one', () => {
    // the change rate (`2%/h`) is the one pattern that is no quantity
    const { changeRate: _, ...definitions } = JSON.parse(
      readFileSync(join(repo, 'schema', 'scenario.schema.json'), 'utf8'),
    ).definitions;
    const text = JSON.stringify({ definitions }, null, 2);
    const patterns = [...text.matchAll(/"pattern": ("[^\n]*")/g)].map((m) => JSON.parse(m[1]) as string);
    expect(patterns.length).toBeGreaterThan(0);
    for (const pattern of patterns) expect(pattern).toBe(QUANTITY_PATTERN);
  });
});
